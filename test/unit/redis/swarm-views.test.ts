// Small swarms' peers kept by the store with their version (redis/swarm-views.ts): replies picked
// from a view are the bytes the script would pick, a view is never used once the swarm changed
// (on this store or another), and swarms too large for a view, or written by an older version
// (a '#' field without a version), are picked by the script.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { Redis } from 'ioredis';
import { VIEW_MAX_BYTES } from '../../../server/redis/announce.lua.js';
import { swarmKeys } from '../../../server/redis/keys.js';
import { RedisPeerStore } from '../../../server/redis/redis-peer-store.js';
import { swarmView, SwarmViews, UNUSED_VIEW_REST, type SwarmView } from '../../../server/redis/swarm-views.js';
import { AnnounceResult, MAX_PEERS_PER_ADDRESS_CEILING, type PeerAnnounce } from '../../../server/tracker/peer-store.js';
import { deletePrefix, redisSkip, TEST_REDIS_URL } from '../../helpers/redis.js';

const newHash = (): string => randomBytes(20).toString('hex');
const peer = (infoHash: string, port: number, left: number, over: Partial<PeerAnnounce> = {}): PeerAnnounce => ({
  infoHash, peerId: Buffer.from(`-TT0001-${String(port).padStart(12, '0')}`), ip: '10.0.0.2', port,
  uploaded: 0, downloaded: 0, left, event: '', numwant: 50, wantPeerIds: false, ...over,
});
const peersOf = (r: AnnounceResult): string[] => [r.peers4.subarray(0, r.peers4Len).toString('hex'), r.peers6.subarray(0, r.peers6Len).toString('hex')];

describe('SwarmViews', () => {
  const view = (version: number, bytes: number) => swarmView(version, Buffer.alloc(bytes), bytes, 0, 0);
  it('keeps at most its number of views and its bytes, the least recently used going first', () => {
    const v = new SwarmViews(3, 10_000);
    for (const h of ['a', 'b', 'c']) v.set(h, view(1, 100));
    v.get('a');
    v.set('d', view(1, 100));
    assert.deepEqual(['a', 'b', 'c', 'd'].map((h) => v.get(h) !== undefined), [true, false, true, true]);
    const small = new SwarmViews(100, 1000);
    for (let i = 0; i < 20; i++) small.set(String(i), view(i, 300));
    assert.ok(small.size <= 3, `${small.size} views of 364 bytes in 1000`);
    assert.equal(small.get('19')?.version, 19);
    small.drop('19');
    assert.equal(small.get('19'), undefined);
  });

  it('rests a swarm from views for its next announces once a view of it was replaced unused', () => {
    const v = new SwarmViews(100, 100_000, 3);
    v.set('a', view(1, 12));
    v.set('a', view(2, 12)); // view 1 was never used: the swarm changes faster than it is asked
    assert.equal(v.size, 0, 'a resting swarm holds no view');
    v.set('a', view(3, 12)); // one that comes while it rests (a reply in flight) is not kept
    assert.deepEqual([v.get('a'), v.get('a'), v.get('a')], [null, null, null]);
    assert.equal(v.get('a'), undefined, 'after the rest an announce asks for a view again');
    v.set('a', view(4, 12));
    assert.equal(v.get('a')?.version, 4);
    (v.get('a') as SwarmView).used = true; // a reply was picked from it
    v.set('a', view(5, 12));
    assert.equal(v.get('a')?.version, 5, 'a view replaced after it was used is replaced, no rest');
    v.drop('a');
    assert.equal(v.get('a'), undefined);
    const never = new SwarmViews(100, 100_000, 0); // no rest
    never.set('b', view(1, 12));
    never.set('b', view(2, 12));
    assert.equal(never.get('b')?.version, 2);
  });
});

describe('RedisPeerStore swarm views', { skip: redisSkip() }, () => {
  let redis: Redis, other: Redis, prefix: string, viewing: RedisPeerStore, picking: RedisPeerStore, second: RedisPeerStore;
  const on = async (s: RedisPeerStore, p: PeerAnnounce): Promise<AnnounceResult> => {
    const out = new AnnounceResult();
    await s.announce(p, out);
    return out;
  };
  beforeEach(() => {
    prefix = `seedhost-test:${randomBytes(6).toString('hex')}:`;
    redis = new Redis(TEST_REDIS_URL as string);
    other = new Redis(TEST_REDIS_URL as string);
    const opts = { prefix, maxPeersPerAddress: MAX_PEERS_PER_ADDRESS_CEILING };
    viewing = new RedisPeerStore(redis, opts);
    second = new RedisPeerStore(other, opts);
    picking = new RedisPeerStore(other, { ...opts, views: false });
  });
  afterEach(async () => {
    mock.restoreAll();
    await deletePrefix(redis, prefix);
    await redis.quit();
    await other.quit();
  });

  it('picks from a view the peers the script picks (runs that wrap, both families, seeders and leechers)', async () => {
    const h = newHash();
    for (let i = 0; i < 40; i++) {
      await on(picking, peer(h, 1000 + i, i % 3 === 0 ? 0 : 5, i % 4 === 0 ? { ip: `2001:db8::${i + 1}` } : {}));
    }
    const asked = [peer(h, 1001, 5, { numwant: 7 }), peer(h, 1003, 0, { numwant: 9 }), peer(h, 1004, 5, { ip: '2001:db8::5', numwant: 11 }), peer(h, 1010, 5)];
    for (const x of [0.01, 0.37, 0.5, 0.93]) {
      mock.method(Math, 'random', () => x);
      for (const a of asked) {
        const first = await on(viewing, a); // a view made (or used) here
        const fromView = await on(viewing, a);
        const fromScript = await on(picking, a);
        assert.deepEqual(peersOf(fromView), peersOf(fromScript), `random ${x}, port ${a.port}`);
        assert.deepEqual(peersOf(first), peersOf(fromScript));
        assert.deepEqual([fromView.complete, fromView.incomplete], [fromScript.complete, fromScript.incomplete]);
      }
      mock.restoreAll();
    }
    assert.equal(viewing.heldViews, 1);
  });

  it('never answers from a view of a swarm that changed since, on this store or another', async () => {
    const h = newHash();
    await on(viewing, peer(h, 1, 5));
    await on(viewing, peer(h, 2, 0));
    assert.equal((await on(viewing, peer(h, 1, 5))).peers4Len, 6);
    await on(second, peer(h, 3, 0)); // joins through another instance
    const after = await on(viewing, peer(h, 1, 5));
    assert.deepEqual([after.complete, after.peers4Len], [2, 12]);
    await on(second, peer(h, 2, 0, { event: 'stopped' }));
    const gone = await on(viewing, peer(h, 1, 5));
    assert.deepEqual([gone.complete, peersOf(gone)[0]], [1, Buffer.from([10, 0, 0, 2, 0, 3]).toString('hex')]);
    await second.expire(Date.now() + 1000); // everyone expired elsewhere
    const alone = await on(viewing, peer(h, 1, 5));
    assert.deepEqual([alone.complete, alone.incomplete, alone.peers4Len], [0, 1, 0]);
  });

  it('asks no view for a swarm that changed between each of its announces here, and picks the same peers', async () => {
    const h = newHash();
    for (let i = 0; i < 6; i++) await on(picking, peer(h, 100 + i, i % 2 === 0 ? 0 : 5));
    // another instance adds a peer before each announce of this one: every view comes back new
    for (let i = 0; i < UNUSED_VIEW_REST; i++) {
      await on(second, peer(h, 200 + i, 5));
      const mine = await on(viewing, peer(h, 101, 5));
      const script = await on(picking, peer(h, 101, 5, { numwant: 50 }));
      assert.deepEqual([mine.complete, mine.incomplete, mine.peers4Len], [script.complete, script.incomplete, script.peers4Len], `announce ${i}`);
      if (i >= 1) assert.equal(viewing.heldViews, 0, `announce ${i}: the swarm rests from views`);
    }
    // the swarm settles: after the rest a view is asked for again, and kept
    for (let i = 0; i < 3; i++) await on(viewing, peer(h, 101, 5));
    assert.equal(viewing.heldViews, 1);
  });

  it('shares one view between announces of one batch, and keeps replies right across a change inside it', async () => {
    const h = newHash();
    await on(viewing, peer(h, 1, 0));
    const outs = Array.from({ length: 4 }, () => new AnnounceResult());
    await Promise.all([
      viewing.announce(peer(h, 2, 5), outs[0]), viewing.announce(peer(h, 3, 5), outs[1]),
      viewing.announce(peer(h, 1, 0, { event: 'stopped' }), outs[2]), viewing.announce(peer(h, 4, 5), outs[3]),
    ]);
    // 2 sees the seeder; 3 the seeder and 2; after the seeder's stop, 4 sees leechers 2 and 3
    assert.deepEqual(outs.map((o) => o.peers4Len / 6), [1, 2, 0, 2]);
    assert.equal(outs[3].complete, 0);
  });

  it('leaves swarms over VIEW_MAX_BYTES, and replies with peer ids, to the script', async () => {
    const h = newHash();
    const many = VIEW_MAX_BYTES / 6 + 10;
    await Promise.all(Array.from({ length: many }, (_, i) => on(viewing, peer(h, 1000 + i, 5))));
    const r = await on(viewing, peer(h, 1000, 5));
    assert.equal(r.peers4Len, 50 * 6);
    assert.equal(viewing.heldViews, 0);
    const small = newHash();
    await on(viewing, peer(small, 1, 0, { wantPeerIds: true }));
    const ids = await on(viewing, peer(small, 2, 5, { wantPeerIds: true }));
    assert.equal(ids.ids4.toString('latin1', 0, 20), '-TT0001-000000000001');
    assert.equal(viewing.heldViews, 0, 'an announce with peer ids makes no view');
  });

  it("answers a swarm written by an older version (counts without a version) from the script, then gives it one", async () => {
    const h = newHash();
    await on(picking, peer(h, 1, 0));
    await on(picking, peer(h, 2, 5));
    const [, , , , peersKey] = swarmKeys(prefix, h);
    const counts = await redis.hgetBuffer(peersKey, '#');
    assert.equal(counts?.length, 20, 'counts and version');
    await redis.hset(peersKey, '#', (counts as Buffer).subarray(0, 16)); // as a version before views wrote it
    const r = await on(viewing, peer(h, 2, 5));
    assert.deepEqual([r.complete, r.incomplete, r.peers4Len], [1, 1, 6]);
    assert.equal(viewing.heldViews, 0);
    await on(picking, peer(h, 3, 5)); // a join writes the counts with a new version
    assert.equal((await redis.hgetBuffer(peersKey, '#'))?.length, 20);
    assert.equal((await on(viewing, peer(h, 2, 5))).peers4Len, 12);
    assert.equal(viewing.heldViews, 1);
  });
});
