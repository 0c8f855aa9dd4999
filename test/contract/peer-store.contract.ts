// The PeerStore contract: every implementation (memory, Redis) must pass these, each wired in
// one line by a *.test.ts file. Model: chihaya storage/storage_tests.go.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { AnnounceResult, EVICTION_SAMPLE, MAX_PEERS_PER_ADDRESS, type PeerAnnounce, type PeerStore, type PeerStoreOptions } from '../../server/tracker/peer-store.js';
import { compactPeers } from '../helpers/tracker-client.js';
import { peerFixtures } from './peer-fixtures.js';
import { peerKeyContract } from './peer-key.contract.js';

export type StoreFactory = (opts?: PeerStoreOptions) => Promise<PeerStore> | PeerStore;

/** Room for the many ports of one address the general tests use; the limit has its own tests. */
const ROOMY: PeerStoreOptions = { maxPeersPerAddress: 1000 };

/** Registers the contract suite for one PeerStore implementation. */
export function peerStoreContract(name: string, create: StoreFactory, skip: string | false = false): void {
  describe(`PeerStore contract: ${name}`, { skip }, () => {
    let store: PeerStore;
    let hash: string;
    beforeEach(async () => {
      store = await create(ROOMY);
      hash = randomBytes(20).toString('hex');
    });
    afterEach(async () => {
      await store.removeTorrent(hash);
      await store.close();
    });
    after(() => undefined);

    const { peer, announce, listed } = peerFixtures(() => store, () => hash);

    it('counts a new seeder and a new leecher, and marks the swarm changed', async () => {
      const s = await announce(peer(1000, 0));
      assert.deepEqual([s.complete, s.incomplete, s.changed], [1, 0, true]);
      const l = await announce(peer(1001, 500));
      assert.deepEqual([l.complete, l.incomplete, l.changed], [1, 1, true]);
    });

    it('never hands the announcing peer to itself', async () => {
      const r = await announce(peer(1000, 0));
      assert.deepEqual(listed(r), []);
      await announce(peer(1001, 10));
      const again = await announce(peer(1000, 0, { event: '' }));
      assert.deepEqual(listed(again), ['10.0.0.1:1001']);
    });

    it('gives a leecher seeders first, and a seeder only leechers', async () => {
      for (let i = 0; i < 3; i++) await announce(peer(2000 + i, 0));
      for (let i = 0; i < 3; i++) await announce(peer(3000 + i, 99));
      const l = await announce(peer(4000, 99, { numwant: 3 }));
      assert.deepEqual(listed(l), ['10.0.0.1:2000', '10.0.0.1:2001', '10.0.0.1:2002']);
      const s = await announce(peer(5000, 0, { numwant: 50 }));
      assert.deepEqual(listed(s), ['10.0.0.1:3000', '10.0.0.1:3001', '10.0.0.1:3002', '10.0.0.1:4000']);
    });

    it('returns at most numwant peers, and none for numwant 0', async () => {
      for (let i = 0; i < 10; i++) await announce(peer(2000 + i, 5));
      assert.equal(listed(await announce(peer(3000, 5, { numwant: 4 }))).length, 4);
      assert.equal(listed(await announce(peer(3001, 5, { numwant: 0 }))).length, 0);
      assert.equal(listed(await announce(peer(3002, 5, { numwant: 200 }))).length, 12);
    });

    it('puts IPv6 peers in peers6 (BEP 7) and IPv4 peers in peers', async () => {
      await announce(peer(6000, 0, { ip: '2001:db8::1' }));
      await announce(peer(6001, 0, { ip: '192.0.2.5' }));
      const r = await announce(peer(6002, 10));
      assert.deepEqual(compactPeers(r.peers4.subarray(0, r.peers4Len)), ['192.0.2.5:6001']);
      assert.deepEqual(compactPeers(r.peers6.subarray(0, r.peers6Len), true), ['2001:db8:0:0:0:0:0:1:6000']);
    });

    it('removes a peer on stopped and counts it no more', async () => {
      await announce(peer(1000, 0));
      await announce(peer(1001, 10));
      const r = await announce(peer(1001, 10, { event: 'stopped' }));
      assert.deepEqual([r.complete, r.incomplete, r.changed], [1, 0, true]);
      assert.deepEqual(listed(await announce(peer(1002, 10, { event: '' }))), ['10.0.0.1:1000']);
      const unknown = await announce(peer(1999, 10, { event: 'stopped' }));
      assert.equal(unknown.changed, false);
    });

    it('moves a leecher to the seeders when left reaches 0, counting completed once per peer', async () => {
      await announce(peer(1000, 10));
      const done = await announce(peer(1000, 0, { event: 'completed' }));
      assert.deepEqual([done.complete, done.incomplete, done.downloaded, done.completedNow], [1, 0, 1, true]);
      const twice = await announce(peer(1000, 0, { event: 'completed' }));
      assert.deepEqual([twice.downloaded, twice.completedNow], [1, false]);
      const quiet = await announce(peer(1000, 0, { event: '' }));
      assert.equal(quiet.changed, false);
    });

    it('hands out peer ids when asked for the dictionary model', async () => {
      await announce(peer(1000, 0));
      const r = await announce(peer(1001, 5, { wantPeerIds: true }));
      assert.deepEqual([r.peers4Len, r.ids4.toString('latin1', 0, 20)], [6, '-TT0001-000000001000']);
    });

    it('scrapes counts per torrent, zeros for a torrent without peers', async () => {
      await announce(peer(1000, 0));
      await announce(peer(1001, 5));
      await announce(peer(1001, 0, { event: 'completed' }));
      const other = randomBytes(20).toString('hex');
      assert.deepEqual(await store.scrape([hash, other]), [
        { complete: 2, incomplete: 0, downloaded: 1 },
        { complete: 0, incomplete: 0, downloaded: 0 },
      ]);
    });

    it('starts a torrent from its stored completed count, once', async () => {
      await store.seedCompleted(hash, 41);
      await store.seedCompleted(hash, 5);
      const r = await announce(peer(1000, 0, { event: 'completed' }));
      assert.equal(r.downloaded, 42);
    });

    it('lists live peers with their state', async () => {
      await announce(peer(1000, 0, { uploaded: 7 }));
      await announce(peer(1001, 30, { ip: '2001:db8::9' }));
      const peers = (await store.peers(hash)).sort((a, b) => a.port - b.port);
      assert.deepEqual(peers.map((p) => [p.ip, p.port, p.seeder, p.uploaded, p.left]), [['10.0.0.1', 1000, true, 7, 0], ['2001:db8::9', 1001, false, 0, 30]]);
      assert.ok(peers.every((p) => Math.abs(p.lastSeen - Date.now()) < 60_000));
    });

    it('keeps counters saturated at 2^53-1 exactly, and such a left (Transmission without metadata) is a leecher', async () => {
      const max = Number.MAX_SAFE_INTEGER;
      const r = await announce(peer(1000, max, { uploaded: max, downloaded: max - 1 }));
      assert.deepEqual([r.complete, r.incomplete], [0, 1]);
      const [p] = await store.peers(hash);
      assert.deepEqual([p.seeder, p.uploaded, p.downloaded, p.left], [false, max, max - 1, max]);
    });

    it('expires peers not seen since a cut-off, and keeps the others', async () => {
      await announce(peer(1000, 0));
      await new Promise((r) => setTimeout(r, 30));
      const cut = Date.now();
      await new Promise((r) => setTimeout(r, 30));
      await announce(peer(1001, 10));
      assert.equal(await store.expire(cut), 1);
      assert.deepEqual((await store.scrape([hash]))[0], { complete: 0, incomplete: 1, downloaded: 0 });
    });

    it('forgets a removed torrent', async () => {
      await announce(peer(1000, 0, { event: 'completed' }));
      await store.removeTorrent(hash);
      assert.deepEqual((await store.scrape([hash]))[0], { complete: 0, incomplete: 0, downloaded: 0 });
      assert.deepEqual(await store.peers(hash), []);
    });

    it('stays consistent with a simple model through random joins, role changes, stops and expiry', async () => {
      const model = new Map<string, { seeder: boolean; left: number }>();
      let seed = 7;
      const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
      for (let step = 0; step < 600; step++) {
        const port = 1000 + rnd(60);
        const ip = rnd(4) === 0 ? '2001:db8::5' : '10.0.0.1';
        const id = `${ip}:${port}`;
        const r = rnd(10);
        if (r === 0) {
          await announce(peer(port, 0, { ip, event: 'stopped' }));
          model.delete(id);
        } else {
          const left = rnd(3) === 0 ? 0 : 1 + rnd(1000);
          const out = await announce(peer(port, left, { ip, event: '', uploaded: step }));
          model.set(id, { seeder: left === 0, left });
          const got = listed(out);
          assert.ok(!got.includes(ip.includes(':') ? `2001:db8:0:0:0:0:0:5:${port}` : id), 'announcer received itself');
          assert.equal(new Set(got).size, got.length, 'a peer was listed twice');
        }
        const seeders = [...model.values()].filter((p) => p.seeder).length;
        const [c] = await store.scrape([hash]);
        assert.deepEqual([c.complete, c.incomplete], [seeders, model.size - seeders], `counts after step ${step}`);
      }
      const peers = await store.peers(hash);
      assert.deepEqual(peers.map((p) => `${p.ip}:${p.port}`).sort(), [...model.keys()].sort());
      for (const p of peers) assert.equal(p.left, model.get(`${p.ip}:${p.port}`)?.left);
      assert.equal(await store.expire(Date.now() + 1), model.size);
      assert.deepEqual(await store.peers(hash), []);
    });

    it('totals peers over all swarms', async () => {
      const before = await store.totals();
      await announce(peer(1000, 0));
      await announce(peer(1001, 3));
      const t = await store.totals();
      assert.deepEqual([t.peers - before.peers, t.seeders - before.seeders, t.leechers - before.leechers], [2, 1, 1]);
    });

    it('reads the swarm a page at a time, each peer once, in the same order as the whole list', async () => {
      for (let i = 0; i < 7; i++) await announce(peer(1000 + i, i % 3 === 0 ? 0 : 5));
      for (let i = 0; i < 4; i++) await announce(peer(2000 + i, i % 2, { ip: `2001:db8::${i + 1}` }));
      const pages: string[][] = [];
      for (let offset = 0; offset < 14; offset += 4) pages.push((await store.peerPage(hash, offset, 4)).map((p) => `${p.ip}:${p.port}`));
      assert.deepEqual(pages.map((p) => p.length), [4, 4, 3, 0]);
      const all = pages.flat();
      assert.equal(new Set(all).size, 11);
      assert.deepEqual(all.sort(), (await store.peers(hash)).map((p) => `${p.ip}:${p.port}`).sort());
      const seeders = (await store.peerPage(hash, 0, 11)).map((p) => p.seeder);
      assert.deepEqual(seeders, [...seeders].sort((a, b) => Number(b) - Number(a)), 'seeders come first');
      const [first] = await store.peerPage(hash, 0, 1);
      assert.ok(first.peerId.length === 20 && Math.abs(first.lastSeen - Date.now()) < 60_000);
      assert.deepEqual(await store.peerPage(hash, 0, 0), []);
      assert.deepEqual(await store.peerPage(randomBytes(20).toString('hex'), 0, 10), []);
    });

    peerKeyContract(create);

    describe('peers per address', () => {
      const LIMIT = 3;
      let limited: PeerStore;
      beforeEach(async () => {
        limited = await create({ maxPeersPerAddress: LIMIT });
      });
      afterEach(async () => {
        await limited.removeTorrent(hash);
        await limited.close();
      });
      const send = async (p: PeerAnnounce): Promise<AnnounceResult> => {
        const out = new AnnounceResult();
        await limited.announce(p, out);
        return out;
      };
      const ports = async (): Promise<number[]> => (await limited.peers(hash)).map((p) => p.port).sort((a, b) => a - b);
      const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 3));

      it('keeps an address at the limit, a new port replacing its least recently announced peer', async () => {
        for (let i = 0; i < LIMIT; i++) {
          await send(peer(1000 + i, 5));
          await pause();
        }
        await send(peer(1000, 5, { event: '' })); // 1000 announces again: 1001 is now the oldest
        await pause();
        const r = await send(peer(1100, 0));
        assert.deepEqual([r.complete, r.incomplete, r.changed], [1, LIMIT - 1, true]);
        assert.deepEqual(await ports(), [1000, 1002, 1100]);
        for (let i = 0; i < 20; i++) {
          await send(peer(1200 + i, 5));
          await pause();
        }
        assert.deepEqual(await ports(), [1217, 1218, 1219]);
        const [c] = await limited.scrape([hash]);
        assert.deepEqual([c.complete, c.incomplete], [0, LIMIT]);
      });

      it('counts other addresses apart', async () => {
        for (let i = 0; i < 10; i++) await send(peer(1000 + i, 5));
        for (let i = 0; i < 2; i++) await send(peer(3000 + i, 5, { ip: '10.0.0.2' }));
        await send(peer(4000, 0, { ip: '10.0.1.1' }));
        const byIp = new Map<string, number>();
        for (const p of await limited.peers(hash)) byIp.set(p.ip, (byIp.get(p.ip) ?? 0) + 1);
        assert.deepEqual([...byIp].sort(), [['10.0.0.1', LIMIT], ['10.0.0.2', 2], ['10.0.1.1', 1]]);
      });

      it('counts an IPv6 /64 as one address, and another /64 apart', async () => {
        for (let i = 1; i <= 6; i++) {
          await send(peer(5000 + i, 5, { ip: `2001:db8:1:2::${i.toString(16)}` }));
          await pause();
        }
        await send(peer(5100, 5, { ip: '2001:db8:1:2:ffff:ffff:ffff:ffff' }));
        await send(peer(5200, 5, { ip: '2001:db8:1:3::1' }));
        const got = (await limited.peers(hash)).map((p) => `[${p.ip}]:${p.port}`).sort();
        assert.deepEqual(got, ['[2001:db8:1:2::5]:5005', '[2001:db8:1:2::6]:5006', '[2001:db8:1:2:ffff:ffff:ffff:ffff]:5100', '[2001:db8:1:3::1]:5200']);
      });

      it('frees room when a peer stops or expires, and never hands out a replaced peer', async () => {
        for (let i = 0; i < LIMIT; i++) await send(peer(1000 + i, 0));
        await send(peer(1000, 0, { event: 'stopped' }));
        await send(peer(1010, 0));
        assert.deepEqual(await ports(), [1001, 1002, 1010]);
        await pause();
        const cut = Date.now();
        await pause();
        await send(peer(1001, 0, { event: '' }));
        assert.equal(await limited.expire(cut), 2);
        await pause();
        await send(peer(1020, 0));
        await send(peer(1021, 0));
        assert.deepEqual(await ports(), [1001, 1020, 1021]);
        const r = await send(peer(1030, 5));
        assert.deepEqual(listed(r).sort(), ['10.0.0.1:1020', '10.0.0.1:1021']);
      });

      it('keeps the limit through role changes and random joins, stops and expiry', async () => {
        let seed = 3;
        const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
        const ips = ['10.0.0.1', '10.0.0.2', '2001:db8::1', '2001:db8::2', '2001:db8:0:1::1'];
        const prefix = (ip: string): string => (ip.includes(':') ? ip.split(':').slice(0, 3).join(':') : ip);
        for (let step = 0; step < 300; step++) {
          const ip = ips[rnd(ips.length)];
          await send(peer(1000 + rnd(12), rnd(2) === 0 ? 0 : 9, { ip, event: rnd(10) === 0 ? 'stopped' : '' }));
          if (step === 150) await limited.expire(Date.now() - 2);
          const per = new Map<string, number>();
          const all = await limited.peers(hash);
          for (const p of all) per.set(prefix(p.ip), (per.get(prefix(p.ip)) ?? 0) + 1);
          assert.ok([...per.values()].every((n) => n <= LIMIT), `step ${step}: ${JSON.stringify([...per])}`);
          const [c] = await limited.scrape([hash]);
          assert.equal(c.complete + c.incomplete, all.length, `counts after step ${step}`);
        }
      });

      it('keeps the limit when a keyed peer moves to a full address, and frees its room at the old one', async () => {
        const id = Buffer.from('-qB4650-keyedclient2');
        for (let i = 0; i < LIMIT; i++) {
          await send(peer(1000 + i, 5, { ip: '10.0.0.2' }));
          await pause();
        }
        await send(peer(2000, 5, { ip: '10.0.0.3', peerId: id, key: 'K' }));
        for (let i = 1; i < LIMIT; i++) await send(peer(2000 + i, 5, { ip: '10.0.0.3' }));
        await pause();
        const r = await send(peer(2000, 5, { ip: '10.0.0.2', peerId: id, key: 'K' }));
        assert.deepEqual([r.complete, r.incomplete], [0, 2 * LIMIT - 1]);
        await send(peer(2100, 5, { ip: '10.0.0.3' }));
        const at = (await limited.peers(hash)).map((p) => `${p.ip}:${p.port}`).sort();
        assert.deepEqual(at, [
          ...Array.from({ length: LIMIT - 1 }, (_, i) => `10.0.0.2:${1001 + i}`), '10.0.0.2:2000',
          ...Array.from({ length: LIMIT - 1 }, (_, i) => `10.0.0.3:${2001 + i}`), '10.0.0.3:2100',
        ].sort());
      });

      it(`keeps a limit above ${EVICTION_SAMPLE} too, the oldest peers going first`, async () => {
        const wide = await create({ maxPeersPerAddress: EVICTION_SAMPLE + 4 });
        try {
          for (let i = 0; i < 30; i++) {
            await wide.announce(peer(1000 + i, i % 2), new AnnounceResult());
            await pause();
          }
          const kept = (await wide.peers(hash)).map((p) => p.port).sort((a, b) => a - b);
          assert.deepEqual(kept, Array.from({ length: EVICTION_SAMPLE + 4 }, (_, i) => 1030 - EVICTION_SAMPLE - 4 + i));
        } finally {
          await wide.removeTorrent(hash);
          await wide.close();
        }
      });

      it(`defaults to ${MAX_PEERS_PER_ADDRESS} peers per address`, async () => {
        const plain = await create();
        try {
          for (let i = 0; i < MAX_PEERS_PER_ADDRESS + 5; i++) await plain.announce(peer(1000 + i, 5), new AnnounceResult());
          assert.equal((await plain.peers(hash)).length, MAX_PEERS_PER_ADDRESS);
        } finally {
          await plain.removeTorrent(hash);
          await plain.close();
        }
      });
    });
  });
}
