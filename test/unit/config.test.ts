import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../server/config.js';

describe('config', () => {
  it('applies the contract defaults', () => {
    const c = loadConfig({});
    assert.equal(c.port, 8080);
    assert.equal(c.host, undefined);
    assert.equal(c.publicUrl, 'http://localhost:8080');
    assert.equal(c.dataDir, path.resolve('./data'));
    assert.equal(c.databaseUrl, `sqlite:${path.resolve('./data/seedhost.db')}`);
    assert.equal(c.announceInterval, 1800);
    assert.equal(c.minAnnounceInterval, 900);
    assert.equal(c.maxUploadBytes, 0);
    assert.equal(c.peerTimeout, 3780);
    assert.equal(c.trustedProxies, undefined);
    assert.equal(c.admin, undefined);
    assert.equal(c.metrics, true);
    assert.equal(c.metricsToken, undefined);
  });

  it('reads METRICS (on/off, any case) and METRICS_TOKEN', () => {
    assert.equal(loadConfig({ METRICS: 'OFF' }).metrics, false);
    assert.equal(loadConfig({ METRICS: 'on', METRICS_TOKEN: ' tok ' }).metricsToken, 'tok');
    assert.equal(loadConfig({ METRICS_TOKEN: '' }).metricsToken, undefined);
  });

  it('reads MAX_TORRENT_FILES (20,000 by default)', () => {
    assert.equal(loadConfig({}).maxTorrentFiles, 20_000);
    assert.equal(loadConfig({ MAX_TORRENT_FILES: '50000' }).maxTorrentFiles, 50_000);
  });

  it('reads DIRECT_IO (on by default)', () => {
    assert.equal(loadConfig({}).directIo, true);
    assert.equal(loadConfig({ DIRECT_IO: 'Off' }).directIo, false);
  });

  it('reads TORRENT_FORMAT (v1 by default, any case)', () => {
    assert.equal(loadConfig({}).torrentFormat, 'v1');
    assert.equal(loadConfig({ TORRENT_FORMAT: 'Hybrid' }).torrentFormat, 'hybrid');
    assert.equal(loadConfig({ TORRENT_FORMAT: 'v2' }).torrentFormat, 'v2');
  });

  it('reads MAX_PEERS_PER_ADDRESS (8 by default)', () => {
    assert.equal(loadConfig({}).maxPeersPerAddress, 8);
    assert.equal(loadConfig({ MAX_PEERS_PER_ADDRESS: '64' }).maxPeersPerAddress, 64);
  });

  it('reads WEBSEED_SEND_TIMEOUT (30 s by default)', () => {
    assert.equal(loadConfig({}).webseedSendTimeout, 30);
    assert.equal(loadConfig({ WEBSEED_SEND_TIMEOUT: '120' }).webseedSendTimeout, 120);
    });

  it('reads FULL_SCRAPE (off by default) and FULL_SCRAPE_INTERVAL (60 s by default)', () => {
    assert.deepEqual([loadConfig({}).fullScrape, loadConfig({}).fullScrapeInterval], [false, 60]);
    const on = loadConfig({ FULL_SCRAPE: 'on', FULL_SCRAPE_INTERVAL: '300' });
    assert.deepEqual([on.fullScrape, on.fullScrapeInterval], [true, 300]);
  });

  it('reads REDIS_CLUSTER_NODES (host:port list, IPv6 in brackets) instead of REDIS_URL', () => {
    const c = loadConfig({ REDIS_CLUSTER_NODES: 'r1:7000, 10.0.0.2:7001,[::1]:7002', WORKERS: '2' });
    assert.deepEqual(c.redisClusterNodes, [{ host: 'r1', port: 7000 }, { host: '10.0.0.2', port: 7001 }, { host: '::1', port: 7002 }]);
    assert.equal(c.redisUrl, undefined);
    assert.equal(loadConfig({}).redisClusterNodes, undefined);
  });

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '9000', HOST: '127.0.0.1', PUBLIC_URL: 'https://t.example.org/', DATA_DIR: '/srv/seed',
      DATABASE_URL: 'mysql://u:p@db:3306/seed', REDIS_URL: 'redis://r:6379', ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'secret-pass',
      ANNOUNCE_INTERVAL: '600', MIN_ANNOUNCE_INTERVAL: '60', MAX_UPLOAD_BYTES: '1048576', TRUSTED_PROXIES: '10.0.0.0/8, ::1',
    });
    assert.equal(c.publicUrl, 'https://t.example.org');
    assert.equal(c.databaseUrl, 'mysql://u:p@db:3306/seed');
    assert.equal(c.minAnnounceInterval, 60);
    assert.equal(c.maxUploadBytes, 1048576);
    assert.deepEqual(c.admin, { username: 'root', password: 'secret-pass' });
    assert.equal(c.trustedProxies?.check('10.1.2.3', 'ipv4'), true);
    assert.equal(c.trustedProxies?.check('11.1.2.3', 'ipv4'), false);
    assert.equal(c.trustedProxies?.check('::1', 'ipv6'), true);
  });

  const bad: [Record<string, string>, RegExp][] = [
    [{ PORT: 'http' }, /^invalid PORT: .*'http'/],
    [{ PORT: '70000' }, /^invalid PORT/],
    [{ ANNOUNCE_INTERVAL: '-5' }, /^invalid ANNOUNCE_INTERVAL/],
    [{ ANNOUNCE_INTERVAL: '60', MIN_ANNOUNCE_INTERVAL: '120' }, /^invalid MIN_ANNOUNCE_INTERVAL/],
    [{ MAX_UPLOAD_BYTES: '10GB' }, /^invalid MAX_UPLOAD_BYTES/],
    [{ MAX_TORRENT_FILES: '0' }, /^invalid MAX_TORRENT_FILES: must be a whole number from 1 to 1000000/],
    [{ DATABASE_URL: 'postgres://x' }, /^invalid DATABASE_URL/],
    [{ PUBLIC_URL: 'ftp://x' }, /^invalid PUBLIC_URL/],
    [{ REDIS_URL: 'localhost:6379' }, /^invalid REDIS_URL/],
    [{ REDIS_CLUSTER_NODES: 'r1:7000,r2' }, /^invalid REDIS_CLUSTER_NODES: 'r2' is not host:port/],
    [{ REDIS_CLUSTER_NODES: 'r1:70000' }, /^invalid REDIS_CLUSTER_NODES: 'r1:70000'/],
    [{ REDIS_CLUSTER_NODES: 'r1:7000', REDIS_URL: 'redis://r:6379' }, /^invalid REDIS_CLUSTER_NODES: set either REDIS_URL .* not both$/],
    [{ TRUSTED_PROXIES: '10.0.0.0/33' }, /^invalid TRUSTED_PROXIES: '10.0.0.0\/33'/],
    [{ TRUSTED_PROXIES: 'proxy.local' }, /^invalid TRUSTED_PROXIES/],
    [{ ADMIN_USERNAME: 'admin' }, /^invalid ADMIN_PASSWORD/],
    [{ ADMIN_USERNAME: 'admin', ADMIN_PASSWORD: 'short' }, /^invalid ADMIN_PASSWORD: must be at least 8 characters$/],
    [{ ADMIN_USERNAME: 'admin', ADMIN_PASSWORD: 'x'.repeat(1025) }, /^invalid ADMIN_PASSWORD: must be at most 1024 characters$/],
    [{ ADMIN_USERNAME: 'the admin', ADMIN_PASSWORD: 'long enough' }, /^invalid ADMIN_USERNAME: must be 1-64 letters, digits, _ \. or - \(got 'the admin'\)/],
    [{ LOG_LEVEL: 'loud' }, /^invalid LOG_LEVEL/],
    [{ METRICS: 'yes' }, /^invalid METRICS: .*'yes'/],
    [{ DIRECT_IO: 'auto' }, /^invalid DIRECT_IO: .*'auto'/],
    [{ TORRENT_FORMAT: 'v3' }, /^invalid TORRENT_FORMAT: must be v1, v2 or hybrid.*'v3'/],
    [{ MAX_PEERS_PER_ADDRESS: '0' }, /^invalid MAX_PEERS_PER_ADDRESS: .*'0'/],
    [{ MAX_PEERS_PER_ADDRESS: 'many' }, /^invalid MAX_PEERS_PER_ADDRESS/],
    [{ MAX_PEERS_PER_ADDRESS: '1025' }, /^invalid MAX_PEERS_PER_ADDRESS: must be a whole number from 1 to 1024/],
    [{ WEBSEED_SEND_TIMEOUT: '0' }, /^invalid WEBSEED_SEND_TIMEOUT: must be a whole number from 1 to 3600/],
    [{ WEBSEED_SEND_TIMEOUT: '30s' }, /^invalid WEBSEED_SEND_TIMEOUT/],
    [{ FULL_SCRAPE: 'yes' }, /^invalid FULL_SCRAPE: must be on or off/],
    [{ FULL_SCRAPE_INTERVAL: '0' }, /^invalid FULL_SCRAPE_INTERVAL: must be a whole number from 1 to 86400/],
  ];
  for (const [env, msg] of bad) {
    it(`stops on ${JSON.stringify(env)} with one line naming the variable`, () => {
      assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && msg.test(e.message) && !e.message.includes('\n'));
    });
  }
});
