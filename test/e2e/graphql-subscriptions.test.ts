import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findTopLevelValue } from '../../server/torrent/bencode-span.js';
import { bdecode } from '../helpers/bdecode.js';
import { databaseKinds } from '../helpers/databases.js';
import { hasCommand, needs } from '../helpers/environment.js';
import {
  ADMIN_ENV, fileParts, gql, ok, primed, registerAs, setUpAccounts, sleep, upload, wsClient, type Accounts, type WsClient,
} from '../helpers/graphql-client.js';
import { writeTree } from '../helpers/publish.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { announce, failureOf, httpGet } from '../helpers/tracker-client.js';

const infoOf = (torrent: Buffer): Buffer => {
  const span = findTopLevelValue(torrent, 'info');
  if (span === null) throw new Error('no info dict');
  return torrent.subarray(span[0], span[1]);
};
const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');
/** A two-level folder with an empty file, sent in an order that is not the torrent's. */
const FOLDER: Record<string, Buffer> = {
  'docs/img/c.bin': randomBytes(70_001), 'a.txt': Buffer.from('hello\n'), 'z.bin': randomBytes(5), 'docs/empty.txt': Buffer.alloc(0), 'docs/b.bin': randomBytes(40_000),
};
const SINGLE = randomBytes(50_000);

for (const kind of databaseKinds()) {
  describe(`GraphQL uploads (${kind.name})`, () => {
    let t: TestServer;
    let acc: Accounts;
    let work: string;
    const hashes: { folder?: string; single?: string } = {};
    before(async () => {
      t = await startTestServer(kind, ADMIN_ENV);
      acc = await setUpAccounts(t.baseUrl);
      work = mkdtempSync(path.join(tmpdir(), 'seedhost-gql-'));
    });
    after(async () => {
      await t.close();
      rmSync(work, { recursive: true, force: true });
    });
    const torrentFile = async (torrentUrl: string): Promise<Buffer> => {
      const r = await httpGet(`${t.baseUrl}${new URL(torrentUrl).pathname}`);
      assert.deepEqual([r.status, r.headers['content-type']], [200, 'application/x-bittorrent']);
      return r.body;
    };

    it('publishes a multi-file folder upload that is listed, tracked and webseeded', async () => {
      const r = ok(await upload(t.baseUrl, UPLOAD_TORRENT, { files: Object.keys(FOLDER).map(() => null), name: 'Upload Folder', pieceLength: 32768 },
        fileParts(Object.entries(FOLDER)), { token: acc.alice })).uploadTorrent;
      const sorted = Object.keys(FOLDER).sort();
      assert.deepEqual(r.files, sorted.map((p) => ({ path: p, size: FOLDER[p].length })));
      assert.deepEqual([r.name, r.size, r.pieceLength, r.hosted, r.owner], ['Upload Folder', 110_012, 32768, true, 'alice']);
      hashes.folder = r.infoHash;
      const file = await torrentFile(r.torrentUrl);
      assert.equal(sha1(infoOf(file)), r.infoHash);
      const info = bdecode(infoOf(file)) as Record<string, unknown>;
      assert.deepEqual(Object.keys(info).sort(), ['files', 'name', 'piece length', 'pieces']);
      const listed = ok(await gql(t.baseUrl, TORRENTS)).torrents.nodes.map((n: { infoHash: string }) => n.infoHash);
      assert.ok(listed.includes(r.infoHash));
      const a = await announce(t.announceUrl, { infoHash: r.infoHash, peerId: '-qB4650-gqlup', port: 6881, left: 0, event: 'started' });
      assert.deepEqual([failureOf(a), a.complete], [null, 1]);
      for (const p of sorted) {
        const got = await httpGet(`${t.baseUrl}/webseed/${r.infoHash}/${encodeURIComponent('Upload Folder')}/${p}`);
        assert.equal(got.status, 200, p);
        assert.ok(got.body.equals(FOLDER[p]), p);
      }
    });

    it('publishes a single-file upload named after the file', async () => {
      const r = ok(await upload(t.baseUrl, UPLOAD_TORRENT, { files: [null], pieceLength: 32768 }, fileParts([['report.bin', SINGLE]]), { token: acc.alice })).uploadTorrent;
      assert.deepEqual([r.name, r.size, r.files], ['report.bin', SINGLE.length, [{ path: 'report.bin', size: SINGLE.length }]]);
      hashes.single = r.infoHash;
      const info = bdecode(infoOf(await torrentFile(r.torrentUrl))) as Record<string, unknown>;
      assert.deepEqual([info.length, String(info.name)], [SINGLE.length, 'report.bin']);
      assert.ok((await httpGet(`${t.baseUrl}${new URL(r.webseedUrl).pathname}`)).body.equals(SINGLE));
      assert.equal(failureOf(await announce(t.announceUrl, { infoHash: r.infoHash, peerId: '-qB4650-gqlone', port: 6882, left: 10 })), null);
    });

    it('writes the same info dicts as mktorrent -l 15 for both uploads', { skip: needs(hasCommand('mktorrent'), 'mktorrent (apt-get install mktorrent)') }, async () => {
      assert.ok(hashes.folder && hashes.single, 'the uploads above ran');
      const dir = writeTree(path.join(work, 'Upload Folder'), FOLDER);
      const one = path.join(writeTree(path.join(work, 'single'), { 'report.bin': SINGLE }), 'report.bin');
      for (const [src, hash] of [[dir, hashes.folder], [one, hashes.single]]) {
        execFileSync('mktorrent', ['-l', '15', '-a', 'http://x/announce', '-o', `${src}.torrent`, src], { stdio: 'ignore' });
        const mk = infoOf(readFileSync(`${src}.torrent`));
        const ours = infoOf((await httpGet(`${t.baseUrl}/torrents/${hash}.torrent`)).body);
        assert.ok(ours.equals(mk), `info dict of ${path.basename(src)} differs from mktorrent's`);
      }
    });
  });

  describe(`GraphQL subscriptions (${kind.name})`, () => {
    let t: TestServer;
    let acc: Accounts;
    let ws: WsClient;
    const h: string[] = [];
    let port = 9000;
    // each a new peer, from loopback addresses in turn: one address holds at most 8 peers of a swarm
    const fromOf = (p: number): string => `127.0.0.${10 + (p % 200)}`;
    const peer = (infoHash: string, left: number, event?: string) => {
      const p = port++;
      return announce(t.announceUrl, { infoHash, peerId: `-TR3000-p${p}`, port: p, left, event }, undefined, fromOf(p));
    };
    before(async () => {
      t = await startTestServer(kind, ADMIN_ENV);
      acc = await setUpAccounts(t.baseUrl);
      for (let i = 0; i < 5; i++) h.push(await registerAs(t.baseUrl, acc.alice));
      ws = await wsClient(t.baseUrl);
    });
    after(async () => {
      await ws.close();
      await t.close();
    });
    /** Subscribes to one torrent's counts and waits until the subscription is live and quiet. */
    const liveSwarm = async (variables: Record<string, unknown>, prime: string) => {
      const sub = ws.subscribe<{ infoHash: string; seeders: number; leechers: number; completed: number }>(SWARM_UPDATED, variables);
      await primed(sub, () => peer(prime, 100));
      await sleep(350); // past the coalescing window, so the next change is pushed at once
      sub.events.length = sub.times.length = 0;
      return sub;
    };
    const counts = async (infoHash: string) => {
      const s = ok(await gql(t.baseUrl, SWARM, { h: infoHash })).swarm;
      return { infoHash, seeders: s.seeders, leechers: s.leechers, completed: s.completed };
    };

    it('pushes swarmUpdated(infoHash) within a second of an announce that changes the counts, and only for that torrent', async () => {
      const sub = await liveSwarm({ h: h[0].toUpperCase() }, h[0]);
      try {
        await peer(h[1], 0);
        const sent = Date.now();
        await peer(h[0], 0, 'started');
        const e = await sub.waitFor((x) => x.seeders === 1, 1000);
        assert.ok(sub.times[sub.events.indexOf(e)] - sent <= 1000);
        assert.deepEqual(e, await counts(h[0]));
        const seeder = port - 1;
        await sleep(400);
        await announce(t.announceUrl, { infoHash: h[0], peerId: `-TR3000-p${seeder}`, port: seeder, left: 0 }, undefined, fromOf(seeder)); // no change
        await sleep(400);
        assert.deepEqual(sub.events.map((x) => x.infoHash), [h[0]], 'one event, for this torrent only');
      } finally {
        sub.close();
      }
    });

    it('pushes swarmUpdated without an argument for every torrent', async () => {
      const sub = await liveSwarm({}, h[1]);
      try {
        await peer(h[2], 0);
        await peer(h[3], 7);
        await sub.waitFor((x) => x.infoHash === h[2] && x.seeders === 1, 1000);
        await sub.waitFor((x) => x.infoHash === h[3] && x.leechers === 1, 1000);
      } finally {
        sub.close();
      }
    });

    it('coalesces a burst of 50 announces into a few events, the last with the final counts', async () => {
      const sub = await liveSwarm({ h: h[4] }, h[4]);
      try {
        const start = Date.now();
        await Promise.all(Array.from({ length: 50 }, (_, i) => peer(h[4], i % 2 === 0 ? 0 : 1000, 'started')));
        assert.ok(Date.now() - start < 800, 'the burst itself took too long to measure');
        await sleep(start + 1000 - Date.now());
        const inFirstSecond = sub.times.filter((x) => x < start + 1000).length;
        assert.ok(inFirstSecond >= 1 && inFirstSecond <= 5, `${inFirstSecond} events in the first second`);
        await sleep(400);
        assert.ok(sub.events.length <= 6, `${sub.events.length} events in all`);
        assert.deepEqual(sub.events[sub.events.length - 1], await counts(h[4]));
        assert.equal(sub.events[sub.events.length - 1].seeders, 25);
      } finally {
        sub.close();
      }
    });

    it('pushes swarmsUpdated(current: true) counts as they are at once, then live updates, so no announce between query and subscription is lost', async () => {
      await peer(h[2], 0, 'started');
      const want = await Promise.all([h[2], h[3]].map(counts));
      const sub = ws.subscribe<{ infoHash: string; seeders: number; leechers: number; completed: number }>(SWARMS_CURRENT, { hs: [h[2], h[3], 'e'.repeat(40)] });
      try {
        // no announce: the current counts come first, one per tracked torrent, the unknown hash ignored
        await sub.waitFor(() => sub.events.length >= 2, 2000);
        assert.deepEqual([...sub.events].sort((a, b) => a.infoHash.localeCompare(b.infoHash)), want.sort((a, b) => a.infoHash.localeCompare(b.infoHash)));
        await peer(h[3], 0, 'started');
        const e = await sub.waitFor((x) => x.infoHash === h[3] && x.seeders === want.find((w) => w.infoHash === h[3])!.seeders + 1, 1000);
        assert.deepEqual(e, await counts(h[3]));
      } finally {
        sub.close();
      }
      // without current, nothing comes until a change
      const quiet = ws.subscribe<{ infoHash: string }>(SWARMS_PLAIN, { hs: [h[2]] });
      try {
        await sleep(500);
        assert.equal(quiet.events.length, 0);
      } finally {
        quiet.close();
      }
    });

    it('pushes torrentAdded after an upload', async () => {
      const sub = ws.subscribe<{ infoHash: string; name: string; size: number; owner: string; hosted: boolean; files: { path: string }[] }>(TORRENT_ADDED);
      try {
        await primed(sub, () => registerAs(t.baseUrl, acc.bob));
        const data = randomBytes(20_000);
        const r = ok(await upload(t.baseUrl, UPLOAD_TORRENT, { files: [null] }, fileParts([['added.bin', data]]), { token: acc.alice })).uploadTorrent;
        const e = await sub.waitFor((x) => x.infoHash === r.infoHash, 1000);
        assert.deepEqual([e.name, e.size, e.owner, e.hosted, e.files], ['added.bin', 20_000, 'alice', true, [{ path: 'added.bin' }]]);
      } finally {
        sub.close();
      }
    });

    it('takes the signed-in user from connectionParams.authorization', async () => {
      const signed = await wsClient(t.baseUrl, `Bearer ${acc.alice}`);
      try {
        const me = signed.subscribe<{ username: string } | null>(ME);
        assert.deepEqual(await me.waitFor(() => true, 2000), { username: 'alice' });
        assert.deepEqual(await ws.subscribe<{ username: string } | null>(ME).waitFor(() => true, 2000), null);
      } finally {
        await signed.close();
      }
    });

    it('pushes torrentRemoved after deleteTorrent', async () => {
      const sub = ws.subscribe<{ infoHash: string }>(TORRENT_REMOVED);
      try {
        await primed(sub, async () => ok(await gql(t.baseUrl, DELETE_TORRENT, { h: await registerAs(t.baseUrl, acc.bob) }, acc.bob)));
        assert.equal(ok(await gql(t.baseUrl, DELETE_TORRENT, { h: h[0] }, acc.alice)).deleteTorrent, true);
        await sub.waitFor((x) => x.infoHash === h[0], 1000);
        assert.equal(sub.events.length, 1);
      } finally {
        sub.close();
      }
    });
  });
}

const UPLOAD_TORRENT = `mutation($files: [Upload!]!, $name: String, $pieceLength: Int) {
  uploadTorrent(files: $files, name: $name, pieceLength: $pieceLength) {
    infoHash name size pieceLength hosted owner torrentUrl webseedUrl files { path size } } }`;
const TORRENTS = '{ torrents(first: 100) { nodes { infoHash } } }';
const SWARM = 'query($h: String!) { swarm(infoHash: $h) { seeders leechers completed } }';
const DELETE_TORRENT = 'mutation($h: String!) { deleteTorrent(infoHash: $h) }';
const SWARM_UPDATED = 'subscription($h: String) { swarmUpdated(infoHash: $h) { infoHash seeders leechers completed } }';
const SWARMS_CURRENT = 'subscription($hs: [String!]!) { swarmsUpdated(infoHashes: $hs, current: true) { infoHash seeders leechers completed } }';
const SWARMS_PLAIN = 'subscription($hs: [String!]!) { swarmsUpdated(infoHashes: $hs) { infoHash } }';
const TORRENT_ADDED = 'subscription { torrentAdded { infoHash name size owner hosted files { path } } }';
const TORRENT_REMOVED = 'subscription { torrentRemoved { infoHash } }';
const ME = '{ me { username } }';
