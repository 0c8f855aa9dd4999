// v2 and hybrid .torrent files (made by libtorrent) registered through GraphQL and the command
// line, refused when broken; looked up by either hash; tracked as one torrent under both hashes.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { databaseKinds } from '../helpers/databases.js';
import { libtorrentPython, needs } from '../helpers/environment.js';
import { ADMIN_ENV, codeOf, gql, ok, setUpAccounts, upload, type Accounts } from '../helpers/graphql-client.js';
import { closeAndClearRedis, storeBackends } from '../helpers/redis.js';
import { announce, compactPeers, scrape } from '../helpers/tracker-client.js';
import { announcePacket, readAnnounce, readScrape, scrapePacket, UdpClient } from '../helpers/udp-client.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { makeV2Set, type V2Set } from '../helpers/v2-torrents.js';
import { waitUntil } from '../helpers/wait.js';

const python = libtorrentPython();
const skip = needs(python !== null, 'python3-libtorrent (apt-get install python3-libtorrent)');
const FIELDS = 'infoHash infoHashV2 format size magnetUri files { path size }';
const REGISTER = `mutation($file: Upload!) { registerTorrent(file: $file) { ${FIELDS} } }`;
const TORRENT = `query($h: String!) { torrent(infoHash: $h) { infoHash format seeders leechers completed } }`;

for (const kind of databaseKinds()) for (const backend of storeBackends()) {
  describe(`v2 and hybrid torrents registered (${kind.name}, ${backend.name} swarms)`, { skip }, () => {
    let t: TestServer;
    let acc: Accounts;
    let set: V2Set;
    const register = (data: Buffer) => upload(t.baseUrl, REGISTER, { file: null }, [{ at: 'variables.file', filename: 'x.torrent', data }], { token: acc.alice });
    before(async () => {
      set = makeV2Set(python as string);
      t = await startTestServer(kind, { ...ADMIN_ENV, COMPLETED_FLUSH_INTERVAL: '1', ...backend.env() });
      acc = await setUpAccounts(t.baseUrl);
    });
    after(async () => {
      await closeAndClearRedis(t);
      rmSync(set.dir, { recursive: true, force: true });
    });

    it('registers a hybrid: both hashes, format, files without padding, a magnet with btih and btmh', async () => {
      const [v1, v2] = set.hashes.get('hybrid') as [string, string];
      const r = ok(await register(set.torrent('hybrid'))).registerTorrent;
      assert.deepEqual([r.infoHash, r.infoHashV2, r.format, r.size], [v1, v2, 'HYBRID', 110100]);
      assert.deepEqual(r.files.map((f: { path: string }) => f.path), ['a.bin', 'b.txt', 'empty', 'sub/c.bin']);
      assert.match(r.magnetUri, new RegExp(`^magnet:\\?xt=urn:btih:${v1}&xt=urn:btmh:1220${v2}&dn=d&`));
      for (const h of [v1, v2, v2.slice(0, 40), v2.toUpperCase()]) {
        assert.equal(ok(await gql(t.baseUrl, TORRENT, { h })).torrent?.infoHash, v1, `torrent(infoHash: ${h})`);
      }
    });

    it('registers a v2-only torrent: infoHash is the SHA-256 cut to 40 hex, a btmh-only magnet', async () => {
      const [, v2] = set.hashes.get('v2') as [string, string];
      const r = ok(await register(set.torrent('v2'))).registerTorrent;
      assert.deepEqual([r.infoHash, r.infoHashV2, r.format], [v2.slice(0, 40), v2, 'V2']);
      assert.match(r.magnetUri, new RegExp(`^magnet:\\?xt=urn:btmh:1220${v2}&dn=`));
      assert.doesNotMatch(r.magnetUri, /btih/);
      assert.equal(ok(await gql(t.baseUrl, TORRENT, { h: v2 })).torrent?.format, 'V2');
      assert.equal(codeOf(await gql(t.baseUrl, TORRENT, { h: v2.slice(0, 50) })), 'BAD_USER_INPUT');
    });

    it('refuses broken v2 and hybrid files with BAD_USER_INPUT and the reason', async () => {
      for (const [name, reason] of [['v2-layer-flipped', /does not hash to its pieces root/], ['hybrid-no-pad', /must be followed by a padding file/], ['v2-no-pieces-root', /pieces root/]] as const) {
        const r = await register(set.torrent(name));
        assert.equal(codeOf(r), 'BAD_USER_INPUT', name);
        assert.match(r.errors?.[0].message ?? '', reason, name);
      }
    });

    it('registers through the command line and refuses a broken one with one clear line', async () => {
      const good = path.join(t.dataDir, 'single.torrent');
      const bad = path.join(t.dataDir, 'bad.torrent');
      writeFileSync(good, set.torrent('hybrid-single'));
      writeFileSync(bad, set.torrent('v2-layer-short'));
      const refused = await t.cli(['register', bad]);
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /bad\.torrent: piece layers: the layer of "a.bin" has 64 bytes; its 3 pieces need 96/);
      const r = await t.cli(['register', good]);
      assert.equal(r.code, 0, r.stderr);
      const [v1] = set.hashes.get('hybrid-single') as [string, string];
      assert.equal(r.stdout.trim(), v1);
      assert.ok(await waitUntil(() => t.server.registered.has(v1)));
      const found = ok(await gql(t.baseUrl, `query($h: String!) { torrent(infoHash: $h) { format infoHashV2 } }`, { h: v1 })).torrent;
      assert.deepEqual(found, { format: 'HYBRID', infoHashV2: (set.hashes.get('hybrid-single') as [string, string])[1] });
    });

    it('tracks a hybrid as one torrent: a peer announcing under both hashes counts once, scrape reads the same under either', async () => {
      const [v1, v2] = set.hashes.get('hybrid') as [string, string];
      const cut = v2.slice(0, 40);
      const seeder = { peerId: '-LT2080-seeder000001', port: 6881, left: 0, event: 'started', extra: 'key=abcd1234' };
      assert.equal(compactPeers((await announce(t.announceUrl, { ...seeder, infoHash: v1 })).peers).length, 0);
      await announce(t.announceUrl, { ...seeder, infoHash: cut });
      // a v1-only leecher (Transmission) and a libtorrent leecher on both hashes
      const tr = await announce(t.announceUrl, { infoHash: v1, peerId: '-TR3000-leecher00001', port: 51413, left: 1000, event: 'started' });
      assert.deepEqual(compactPeers(tr.peers), ['127.0.0.1:6881']);
      const lt = { peerId: '-LT2080-leecher00002', port: 6882, left: 1000, event: 'started', extra: 'key=ef567890' };
      await announce(t.announceUrl, { ...lt, infoHash: v1 });
      const r2 = await announce(t.announceUrl, { ...lt, infoHash: cut });
      assert.deepEqual([r2.complete, r2.incomplete], [1, 2]);
      const s = await scrape(`${t.baseUrl}/scrape`, [v1, cut]);
      assert.deepEqual(s[v1], { complete: 1, downloaded: 0, incomplete: 2 });
      assert.deepEqual(s[cut], s[v1]);
      // completing under both hashes is one download
      await announce(t.announceUrl, { ...lt, infoHash: v1, left: 0, event: 'completed' });
      await announce(t.announceUrl, { ...lt, infoHash: cut, left: 0, event: 'completed' });
      const q = ok(await gql(t.baseUrl, TORRENT, { h: v2 })).torrent;
      assert.deepEqual([q.seeders, q.leechers, q.completed], [2, 1, 1]);
      const sw = ok(await gql(t.baseUrl, 'query($h: String!) { swarm(infoHash: $h) { infoHash seeders leechers } }', { h: cut })).swarm;
      assert.deepEqual(sw, { infoHash: v1, seeders: 2, leechers: 1 });
      // a hash nobody registered is still refused
      const unknown = await announce(t.announceUrl, { ...lt, infoHash: 'ab'.repeat(20) });
      assert.match(String(unknown['failure reason']), /not registered|unregistered|unknown/i);
    });

    it('takes a hybrid\'s v2 hash over UDP too (announce into the one swarm, scrape)', async () => {
      const [v1, v2] = set.hashes.get('hybrid') as [string, string];
      const cut = v2.slice(0, 40);
      const c = new UdpClient('127.0.0.1', t.server.udpPort as number);
      try {
        const before = (await scrape(`${t.baseUrl}/scrape`, [v1]))[v1];
        const cid = await c.connect();
        const a = readAnnounce(await c.request(announcePacket(cid, { infoHash: cut, peerId: '-LT2080-udpv2000001', port: 7100, left: 10n, event: 2 })) as Buffer);
        assert.equal(a.leechers, before.incomplete + 1);
        const [[seeders, , leechers], [s1, , l1]] = readScrape(await c.request(scrapePacket(cid, [cut, v1])) as Buffer);
        assert.deepEqual([seeders, leechers], [s1, l1]);
        assert.deepEqual([seeders, leechers], [before.complete, before.incomplete + 1]);
      } finally {
        c.close();
      }
    });

    it('tracks a v2-only torrent under its cut SHA-256', async () => {
      const [, v2] = set.hashes.get('v2') as [string, string];
      const r = await announce(t.announceUrl, { infoHash: v2.slice(0, 40), peerId: '-LT2080-v2only000001', port: 6890, left: 0, event: 'started' });
      assert.equal(r['failure reason'], undefined);
      assert.deepEqual((await scrape(`${t.baseUrl}/scrape`, [v2.slice(0, 40)]))[v2.slice(0, 40)], { complete: 1, downloaded: 0, incomplete: 0 });
    });
  });
}
