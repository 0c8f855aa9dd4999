import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs, { type PathLike } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { databaseKinds } from '../helpers/databases.js';
import { ADMIN, ADMIN_ENV, codeOf, fileParts, login, ok, upload, wsClient, type WsClient } from '../helpers/graphql-client.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { acceptAddon } from '../../server/http/native-front.js';
import { announce, announceUrl, failureOf, httpGet, scrape } from '../helpers/tracker-client.js';

/** Prometheus text exposition: samples keyed `name{k="v",...}` (labels sorted), and each family's TYPE. */
interface Exposition {
  types: Map<string, string>;
  samples: Map<string, number>;
  /** The value of `name` with exactly `labels`; undefined when absent. */
  get(name: string, labels?: Record<string, string>): number | undefined;
}

function sampleKey(name: string, labels: Record<string, string>): string {
  const l = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}="${v}"`).join(',');
  return l === '' ? name : `${name}{${l}}`;
}

function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ')) continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type !== null) {
      types.set(type[1], type[2]);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m !== null, `not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
    // Go's ParseFloat, as Prometheus reads values: +Inf, -Inf, NaN in any case (prom-client writes Nan)
    const value = /^\+inf$/i.test(m[3]) ? Infinity : /^-inf$/i.test(m[3]) ? -Infinity : Number(m[3]);
    assert.ok(!Number.isNaN(value) || /^nan$/i.test(m[3]), `bad value in: ${line}`);
    samples.set(sampleKey(m[1], labels), value);
  }
  return { types, samples, get: (name, labels = {}) => samples.get(sampleKey(name, labels)) };
}

async function metrics(t: TestServer, headers: Record<string, string> = {}): Promise<Exposition> {
  const r = await httpGet(`${t.baseUrl}/metrics`, { headers });
  assert.equal(r.status, 200, r.body.toString());
  assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  return parseExposition(r.body.toString('utf8'));
}

const until = async (cond: () => Promise<boolean>, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

const noAcceptAddon = acceptAddon() === null && process.env.CI !== 'true' ? 'the HTTP accept addon is not built: run npm run build:native' : false;

/** Checks a histogram family: cumulative buckets ending at +Inf = count, and returns the count. */
function histogramCount(e: Exposition, name: string): number {
  assert.equal(e.types.get(name), 'histogram');
  const buckets = [...e.samples].filter(([k]) => k.startsWith(`${name}_bucket{`));
  assert.ok(buckets.length > 5, `${name} has buckets`);
  const values = buckets.map(([, v]) => v);
  for (let i = 1; i < values.length; i++) assert.ok(values[i] >= values[i - 1], `${name} buckets are cumulative`);
  const count = e.get(`${name}_count`) as number;
  assert.equal(e.get(`${name}_bucket`, { le: '+Inf' }), count);
  assert.ok((e.get(`${name}_sum`) as number) >= 0);
  return count;
}

for (const kind of databaseKinds()) {
  describe(`metrics (${kind.name})`, () => {
    let t: TestServer;
    let ws: WsClient;
    let hash: string;
    const content = randomBytes(5000);
    before(async () => {
      t = await startTestServer(kind, { ...ADMIN_ENV, MAX_CONNECTIONS_PER_ADDRESS: '1000' }); // the descriptor test opens 300 sockets from 127.0.0.1
      const token = await login(t.baseUrl, ADMIN.username, ADMIN.password);
      const up = () => upload(t.baseUrl, UPLOAD_TORRENT, { files: [null], name: 'm.bin' }, fileParts([['m.bin', content]]), { token });
      hash = ok<{ uploadTorrent: { infoHash: string } }>(await up()).uploadTorrent.infoHash;
      assert.equal(codeOf(await up()), 'CONFLICT');
      ws = await wsClient(t.baseUrl);
    });
    after(async () => {
      await ws.close();
      await t.close();
    });

    it('counts announces by result, scrapes, webseed responses and uploads, with latency histograms', async () => {
      const base = await metrics(t);
      assert.equal(base.get('seedhost_announces_total', { result: 'ok' }), 0);
      const peer = { infoHash: hash, port: 7000, event: 'started' as const };
      assert.equal(failureOf(await announce(t.announceUrl, { ...peer, peerId: '-XX0001-seed', left: 0 })), null);
      assert.equal(failureOf(await announce(t.announceUrl, { ...peer, peerId: '-XX0001-leech', port: 7001, left: 10 })), null);
      assert.equal(failureOf(await announce(t.announceUrl, { ...peer, peerId: '-XX0001-other', infoHash: 'ab'.repeat(20), left: 10 })), 'unregistered torrent');
      const malformed = await httpGet(`${t.announceUrl}?info_hash=short&peer_id=x`);
      assert.match(malformed.body.toString(), /failure reason/);
      assert.equal((await scrape(t.baseUrl + '/scrape', [hash]))[hash].complete, 1);
      assert.match((await httpGet(`${t.baseUrl}/scrape?info_hash=%zz`)).body.toString(), /failure reason/);
      assert.equal((await httpGet(`${t.baseUrl}/webseed/${hash}/m.bin`)).status, 200);
      assert.equal((await httpGet(`${t.baseUrl}/webseed/${hash}/m.bin`, { headers: { Range: 'bytes=0-9' } })).status, 206);
      assert.equal((await httpGet(`${t.baseUrl}/webseed/${'cd'.repeat(20)}/m.bin`)).status, 404);
      const sub = ws.subscribe(SWARM_UPDATED);

      await until(async () => (await metrics(t)).get('seedhost_graphql_swarm_subscriptions') === 1);
      const m = await metrics(t);
      assert.equal(m.types.get('seedhost_announces_total'), 'counter');
      assert.deepEqual(['ok', 'malformed', 'unregistered', 'internal'].map((result) => m.get('seedhost_announces_total', { result })), [2, 1, 1, 0]);
      assert.deepEqual(['ok', 'malformed', 'internal'].map((result) => m.get('seedhost_scrapes_total', { result })), [1, 1, 0]);
      assert.equal(histogramCount(m, 'seedhost_announce_duration_seconds'), 4);
      assert.equal(histogramCount(m, 'seedhost_scrape_duration_seconds'), 2);
      assert.deepEqual(['torrents_registered', 'swarms', 'peers', 'seeders', 'leechers'].map((n) => m.get(`seedhost_${n}`)), [1, 1, 2, 1, 1]);
      assert.equal(m.types.get('seedhost_peers'), 'gauge');
      assert.deepEqual(['200', '206', '404'].map((status) => m.get('seedhost_webseed_responses_total', { status })), [1, 1, 1]);
      assert.equal(m.get('seedhost_webseed_sent_bytes_total'), 5010);
      assert.deepEqual(['ok', 'duplicate'].map((result) => m.get('seedhost_publishes_total', { result })), [1, 1]);
      assert.equal(m.get('seedhost_published_bytes_total'), 5000);
      assert.equal(m.get('seedhost_graphql_ws_clients'), 1);
      assert.equal(m.types.get('seedhost_process_cpu_user_seconds_total'), 'counter');
      assert.ok((m.get('seedhost_nodejs_heap_size_used_bytes') as number) > 0);
      sub.close();
    });

    it('counts open descriptors off the loop and leaves out the per-handle groupings, whose scrape grows with the sockets', async () => {
      // 300 more sockets open; a scrape must not walk them on the loop (no readdirSync of
      // /proc/self/fd, no pass over every handle) and still count the descriptors
      const sockets = await Promise.all(Array.from({ length: 300 }, () => new Promise<Socket>((resolve, reject) => {
        const s = connect(t.server.port, '127.0.0.1', () => resolve(s));
        s.once('error', reject);
      })));
      const readdirSync = fs.readdirSync;
      const syncReads: string[] = [];
      fs.readdirSync = ((p: PathLike, ...rest: unknown[]) => {
        syncReads.push(String(p));
        return (readdirSync as (...a: unknown[]) => unknown)(p, ...rest);
      }) as typeof fs.readdirSync;
      try {
        const m = await metrics(t);
        assert.deepEqual(syncReads, [], 'no synchronous readdir during the scrape');
        const fds = m.get('seedhost_process_open_fds') as number;
        const now = readdirSync('/proc/self/fd').length - 1;
        assert.ok(fds >= 600 && Math.abs(fds - now) < 50, `${fds} open descriptors counted, ${now} now (the 300 client and 300 server sockets among them)`);
        assert.equal(m.types.get('seedhost_process_open_fds'), 'gauge');
        for (const family of ['nodejs_active_handles', 'nodejs_active_resources', 'nodejs_active_resources_total']) {
          assert.equal(m.types.get(`seedhost_${family}`), undefined, `${family} is left out`);
        }
        // the 300 client sockets are handles; the server's 300 are too under Node's accept, while the
        // native accept loop keeps connections that have sent nothing as descriptors only
        assert.ok((m.get('seedhost_nodejs_active_handles_total') as number) >= 300, 'the handle total stays (a count, no pass in JavaScript)');
      } finally {
        fs.readdirSync = readdirSync;
        for (const s of sockets) s.destroy();
      }
    });

    it('counts the native accept loop\'s connections: answered there, or made Node sockets', { skip: noAcceptAddon }, async () => {
      const base = await metrics(t);
      const answered = (m: typeof base): number => m.get('seedhost_http_native_connections_total', { outcome: 'answered' }) as number;
      const sockets = (m: typeof base): number => m.get('seedhost_http_native_connections_total', { outcome: 'node_socket' }) as number;
      assert.equal(base.types.get('seedhost_http_native_connections_total'), 'counter');
      const u = new URL(announceUrl(t.announceUrl, { infoHash: hash, peerId: '-XX0001-native', port: 7009, left: 1 }));
      const reply = await new Promise<string>((resolve, reject) => {
        const c = connect(t.server.port, '127.0.0.1', () => c.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
        let got = '';
        c.on('data', (d) => (got += d.toString('latin1')));
        c.on('end', () => resolve(got));
        c.on('error', reject);
      });
      assert.match(reply, /^HTTP\/1\.1 200 OK[^]*interval/);
      const m = await metrics(t);
      assert.equal(answered(m) - answered(base), 1, 'the closing announce, answered by the loop');
      assert.ok(sockets(m) - sockets(base) >= 1, 'the metrics scrape itself, a Node socket');
      assert.equal(m.types.get('seedhost_http_native_connections_waiting'), 'gauge');
    });

    it('answers HEAD without a body and refuses other methods', async () => {
      const head = await httpGet(`${t.baseUrl}/metrics`, { method: 'HEAD' });
      assert.deepEqual([head.status, head.body.length], [200, 0]);
      assert.equal((await httpGet(`${t.baseUrl}/metrics`, { method: 'POST', body: '' })).status, 405);
    });
  });
}

describe('metrics settings', () => {
  it('METRICS=off answers 404 (not the web UI)', async () => {
    const t = await startTestServer(databaseKinds()[0], { METRICS: 'off' });
    try {
      const r = await httpGet(`${t.baseUrl}/metrics`);
      assert.equal(r.status, 404);
      assert.doesNotMatch(r.body.toString(), /seedhost_|<html/i);
    } finally {
      await t.close();
    }
  });

  it('METRICS_TOKEN requires that bearer token (401 without it or with another)', async () => {
    const t = await startTestServer(databaseKinds()[0], { METRICS_TOKEN: 's3cret-token' });
    try {
      const none = await httpGet(`${t.baseUrl}/metrics`);
      assert.equal(none.status, 401);
      assert.match(String(none.headers['www-authenticate']), /^Bearer/);
      assert.equal((await httpGet(`${t.baseUrl}/metrics`, { headers: { Authorization: 'Bearer s3cret-toke' } })).status, 401);
      assert.equal((await httpGet(`${t.baseUrl}/metrics`, { headers: { Authorization: 's3cret-token' } })).status, 401);
      const m = await metrics(t, { Authorization: 'Bearer s3cret-token' });
      assert.equal(m.get('seedhost_torrents_registered'), 0);
    } finally {
      await t.close();
    }
  });
});

const UPLOAD_TORRENT = 'mutation($files: [Upload!]!, $name: String) { uploadTorrent(files: $files, name: $name) { infoHash } }';
const SWARM_UPDATED = 'subscription { swarmUpdated { infoHash seeders } }';
