// The PeerStore contract for BEP 7's key (server/tracker/peer-identity.ts), part of
// peer-store.contract.ts: a peer that sends the same peer_id and key from a new address of its
// family keeps one slot; another key never takes it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { type PeerAnnounce, type PeerStore } from '../../server/tracker/peer-store.js';
import { compactPeers } from '../helpers/tracker-client.js';
import { peerFixtures } from './peer-fixtures.js';
import type { StoreFactory } from './peer-store.contract.js';

/** Registers the key tests for one PeerStore implementation (inside its contract suite). */
export function peerKeyContract(create: StoreFactory): void {
  describe('BEP 7 key', () => {
    let store: PeerStore;
    let hash: string;
    beforeEach(async () => {
      store = await create({ maxPeersPerAddress: 1000 });
      hash = randomBytes(20).toString('hex');
    });
    afterEach(async () => {
      await store.removeTorrent(hash);
      await store.close();
    });
    const { peer, announce, listed } = peerFixtures(() => store, () => hash);
    const ID = Buffer.from('-qB4650-keyedclient1');
    const client = (ip: string, port: number, key: string | null, over: Partial<PeerAnnounce> = {}): PeerAnnounce =>
      peer(port, 5, { ip, peerId: ID, key, event: '', ...over });
    const where = async (): Promise<string[]> => (await store.peers(hash)).map((p) => `${p.ip}:${p.port}`).sort();

    it('keeps one slot for a peer that comes back from a new address with the same peer_id and key', async () => {
      await announce(peer(1000, 0));
      await announce(client('10.0.0.7', 6881, 'K1', { event: 'started' }));
      const r = await announce(client('10.9.9.9', 6882, 'K1'));
      assert.deepEqual([r.complete, r.incomplete, r.changed], [1, 1, false]);
      assert.deepEqual(await where(), ['10.0.0.1:1000', '10.9.9.9:6882']);
      assert.deepEqual(listed(await announce(peer(1001, 0, { numwant: 50 }))), ['10.9.9.9:6882']);
      const [c] = await store.scrape([hash]);
      assert.deepEqual([c.complete, c.incomplete], [2, 1]);
    });

    it('carries the role across the move, and counts a completion once', async () => {
      await announce(client('10.0.0.7', 6881, 'K1'));
      const done = await announce(client('10.0.0.8', 6881, 'K1', { left: 0, event: 'completed' }));
      assert.deepEqual([done.complete, done.incomplete, done.downloaded, done.completedNow, done.changed], [1, 0, 1, true, true]);
      const again = await announce(client('10.0.0.9', 6881, 'K1', { left: 0, event: 'completed' }));
      assert.deepEqual([again.complete, again.incomplete, again.downloaded, again.completedNow, again.changed], [1, 0, 1, false, false]);
      const back = await announce(client('10.0.0.7', 6881, 'K1', { left: 3 }));
      assert.deepEqual([back.complete, back.incomplete, back.changed], [0, 1, true]);
      assert.deepEqual(await where(), ['10.0.0.7:6881']);
    });

    it('does not let a different key, or no key, take a keyed peer\'s slot', async () => {
      await announce(client('10.0.0.7', 6881, 'K1'));
      await announce(client('10.6.6.6', 6881, 'guess'));
      await announce(client('10.6.6.7', 6881, null));
      assert.deepEqual(await where(), ['10.0.0.7:6881', '10.6.6.6:6881', '10.6.6.7:6881']);
      const stop = await announce(client('10.6.6.8', 6881, 'K2', { event: 'stopped' }));
      assert.equal(stop.changed, false);
      assert.equal((await where()).length, 3);
    });

    it('keeps one slot per address family for a dual-stack client, each followed on its own', async () => {
      await announce(client('10.0.0.7', 6881, 'K1'));
      await announce(client('2001:db8::7', 6881, 'K1'));
      await announce(client('10.0.0.8', 6881, 'K1'));
      await announce(client('2001:db8:1::7', 6881, 'K1'));
      assert.deepEqual(await where(), ['10.0.0.8:6881', '2001:db8:1::7:6881']);
      const r = await announce(peer(1000, 0));
      assert.deepEqual([compactPeers(r.peers4.subarray(0, r.peers4Len)), compactPeers(r.peers6.subarray(0, r.peers6Len), true)],
        [['10.0.0.8:6881'], ['2001:db8:1:0:0:0:0:7:6881']]);
    });

    it('drops the moved peer on a stopped sent from its new address', async () => {
      await announce(peer(1000, 0));
      await announce(client('10.0.0.7', 6881, 'K1'));
      const r = await announce(client('10.0.0.8', 6881, 'K1', { event: 'stopped' }));
      assert.deepEqual([r.complete, r.incomplete, r.changed], [1, 0, true]);
      assert.deepEqual(await where(), ['10.0.0.1:1000']);
      const last = await announce(peer(1000, 0, { event: 'stopped' }));
      assert.deepEqual([last.complete, last.incomplete], [0, 0]);
    });

    it('follows the key a client restarted with, not its old one, and forgets the keys of peers gone', async () => {
      await announce(client('10.0.0.7', 6881, 'K1'));
      await announce(client('10.0.0.7', 6881, 'K2', { event: 'started' }));
      await announce(client('10.0.0.8', 6881, 'K1'));
      assert.deepEqual(await where(), ['10.0.0.7:6881', '10.0.0.8:6881']);
      await announce(client('10.0.0.9', 6881, 'K2'));
      assert.deepEqual(await where(), ['10.0.0.8:6881', '10.0.0.9:6881']);
      await announce(client('10.0.0.9', 6881, 'K2', { event: 'stopped' }));
      await announce(client('10.0.0.10', 6881, 'K2'));
      assert.deepEqual(await where(), ['10.0.0.10:6881', '10.0.0.8:6881']);
      assert.equal(await store.expire(Date.now() + 1), 2);
      await announce(client('10.0.0.11', 6881, 'K1'));
      assert.deepEqual(await where(), ['10.0.0.11:6881']);
    });

    it('moves a keyed peer to an address that already had a slot, keeping one', async () => {
      await announce(client('10.0.0.7', 6881, 'K1'));
      await announce(peer(6881, 0, { ip: '10.0.0.8', peerId: Buffer.from('-TR4050-staleoldpeer') }));
      const r = await announce(client('10.0.0.8', 6881, 'K1'));
      assert.deepEqual([r.complete, r.incomplete, r.changed], [0, 1, true]);
      assert.deepEqual(await where(), ['10.0.0.8:6881']);
      assert.equal((await store.peers(hash))[0].peerId.toString(), ID.toString());
    });

    it('stays consistent with a model of clients that move, restart and stop', async () => {
      // four clients, each on its own two ports, from a few addresses of both families
      const ips = ['10.1.0.1', '10.1.0.2', '10.1.0.3', '2001:db8::a', '2001:db8::b'];
      const model = new Map<string, { identity: string; seeder: boolean }>(); // ip:port -> peer
      const keys = ['A', 'B', 'C', 'D'];
      let seed = 11;
      const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
      for (let step = 0; step < 400; step++) {
        const c = rnd(4), ip = ips[rnd(ips.length)];
        if (rnd(15) === 0) keys[c] += 'x'; // restarted: a new key; its old slot lingers until expiry
        const port = 7000 + c * 10 + rnd(2), at = `${ip}:${port}`, left = rnd(3) === 0 ? 0 : 9, stop = rnd(12) === 0;
        const identity = `${c}|${ip.includes(':') ? 6 : 4}|${keys[c]}`;
        await announce(peer(port, left, {
          ip, peerId: Buffer.from(`-XX0001-client${c}aaaaa`), key: keys[c], event: stop ? 'stopped' : '',
        }));
        for (const [k2, v] of model) if (v.identity === identity) model.delete(k2);
        if (stop) model.delete(at);
        else model.set(at, { identity, seeder: left === 0 });
        const got = (await store.peers(hash)).map((p) => `${p.ip}:${p.port}`).sort();
        assert.deepEqual(got, [...model.keys()].sort(), `peers after step ${step}`);
        const [counts] = await store.scrape([hash]);
        const seeders = [...model.values()].filter((v) => v.seeder).length;
        assert.deepEqual([counts.complete, counts.incomplete], [seeders, model.size - seeders], `counts after step ${step}`);
      }
    });
  });
}
