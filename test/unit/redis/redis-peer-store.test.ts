import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { swarmKeys } from '../../../server/redis/keys.js';
import { RedisPeerStore } from '../../../server/redis/redis-peer-store.js';
import { AnnounceResult, MAX_PEERS_PER_ADDRESS_CEILING, type PeerAnnounce } from '../../../server/tracker/peer-store.js';
import { deletePrefix, redisSkip, TEST_REDIS_URL, testRedisStore } from '../../helpers/redis.js';

const newHash = (): string => randomBytes(20).toString('hex');
const peer = (infoHash: string, port: number, left: number, over: Partial<PeerAnnounce> = {}): PeerAnnounce => ({
  infoHash, peerId: Buffer.from(`-TT0001-${String(port).padStart(12, '0')}`), ip: '10.0.0.2', port,
  uploaded: 0, downloaded: 0, left, event: '', numwant: 50, wantPeerIds: false, ...over,
});

describe('RedisPeerStore beyond the contract', { skip: redisSkip() }, () => {
  let store: RedisPeerStore;
  const announce = async (p: PeerAnnounce): Promise<AnnounceResult> => {
    const out = new AnnounceResult();
    await store.announce(p, out);
    return out;
  };
  // many ports of one address: the per-address limit has its own tests (contract)
  beforeEach(() => { store = testRedisStore({ maxPeersPerAddress: MAX_PEERS_PER_ADDRESS_CEILING }); });
  afterEach(() => store.close());

  it('lists the torrents whose completed count rose, with absolute counts, until their write is confirmed', async () => {
    const [a, b, quiet] = [newHash(), newHash(), newHash()];
    await store.seedCompleted(a, 10);
    await announce(peer(a, 1, 0, { event: 'completed' }));
    await announce(peer(a, 2, 0, { event: 'completed' }));
    await announce(peer(b, 1, 0, { event: 'completed' }));
    await announce(peer(quiet, 1, 5));
    const pending = await store.pendingCompletedChanges();
    assert.deepEqual([...pending].sort(), [[a, 12], [b, 1]].sort());
    // read again before a confirmation (a tracker that died before its write): nothing lost
    assert.deepEqual([...(await store.pendingCompletedChanges())].sort(), [...pending].sort());
    await store.confirmCompletedChanges(pending);
    assert.equal((await store.pendingCompletedChanges()).size, 0);
  });

  it('keeps a torrent pending when its count rose between the read and the confirmation', async () => {
    const [h, other] = [newHash(), newHash()];
    await announce(peer(h, 1, 0, { event: 'completed' }));
    await announce(peer(other, 1, 0, { event: 'completed' }));
    const read = await store.pendingCompletedChanges();
    await announce(peer(h, 2, 0, { event: 'completed' }));
    await store.confirmCompletedChanges(read);
    await store.confirmCompletedChanges(new Map());
    assert.deepEqual([...(await store.pendingCompletedChanges())], [[h, 2]]);
  });

  it('raises a seeded completed count to the larger value, and does not mark it changed', async () => {
    const h = newHash();
    await store.seedCompleted(h, 5);
    await store.seedCompleted(h, 9);
    await store.seedCompleted(h, 3);
    assert.equal((await store.scrape([h]))[0].downloaded, 9);
    assert.equal((await store.pendingCompletedChanges()).size, 0);
  });

  it('drops the pending change of a removed torrent', async () => {
    const h = newHash();
    await announce(peer(h, 1, 0, { event: 'completed' }));
    await store.removeTorrent(h);
    assert.equal((await store.pendingCompletedChanges()).size, 0);
  });

  it('expires across swarms, past the per-call limit, and forgets emptied swarms', async () => {
    const hashes = Array.from({ length: 5 }, newHash);
    const big = newHash();
    // all at once: auto-pipelining sends them in a few writes
    await Promise.all(Array.from({ length: 2500 }, (_, i) => announce(peer(big, 1000 + i, 7, { ip: `10.1.${i >> 8}.${i & 255}` }))));
    for (const h of hashes) await announce(peer(h, 1, 0));
    await new Promise((r) => setTimeout(r, 20));
    const cut = Date.now();
    await new Promise((r) => setTimeout(r, 20));
    await announce(peer(hashes[0], 2, 3));
    assert.deepEqual(await store.totals(), { swarms: 6, peers: 2500 + 5 + 1, seeders: 5, leechers: 2501 });
    assert.equal(await store.expire(cut), 2500 + 5);
    assert.deepEqual(await store.totals(), { swarms: 1, peers: 1, seeders: 0, leechers: 1 });
    assert.deepEqual(await store.peers(big), []);
  });

  it('keeps every role packed slot by slot, in step with the peer data and the counts, through moves, stops and expiry', async () => {
    const h = newHash();
    let seed = 11;
    const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
    const check = async (): Promise<void> => {
      const raw = new Redis(TEST_REDIS_URL as string);
      try {
        const [s4, s6, l4, l6, peers, ...packed] = swarmKeys(store.prefix, h);
        const counts = await raw.hgetBuffer(peers, '#');
        const n = [0, 1, 2, 3].map((r) => counts?.readUInt32BE(r * 4) ?? 0);
        for (const [r, p] of packed.entries()) {
          const w = r % 2 === 0 ? 6 : 18;
          const bytes = (await raw.getBuffer(p)) ?? Buffer.alloc(0);
          assert.ok(bytes.length >= n[r] * w, 'packed string shorter than its count');
          for (let i = 0; i < n[r]; i++) {
            const v = await raw.hgetBuffer(peers, bytes.subarray(i * w, i * w + w));
            assert.ok(v !== null, `slot ${i} of role ${r} holds no peer`);
            assert.equal(v[0] - 48, r, 'peer data names another role');
            assert.equal(Number(v.subarray(21).toString().split(',')[0]), i, 'peer data names another slot');
            assert.match(v.subarray(-14).toString(), /^;\d{13}$/, 'peer data ends with its time');
          }
        }
        const members = (await raw.hkeysBuffer(peers)).filter((f) => f.length === 6 || f.length === 18);
        assert.equal(members.length, n[0] + n[1] + n[2] + n[3], 'every peer in a slot, once');
        for (const set of [s4, s6, l4, l6]) assert.equal(await raw.exists(set), 0, 'no sorted set is written');
      } finally {
        await raw.quit();
      }
    };
    for (let step = 0; step < 400; step++) {
      const port = 1000 + rnd(40), ip = rnd(3) === 0 ? '2001:db8::5' : '10.0.0.3';
      await announce(peer(h, port, rnd(3) === 0 ? 0 : 5, { ip, event: rnd(8) === 0 ? 'stopped' : '' }));
      if (step % 100 === 99) await check();
    }
    await new Promise((r) => setTimeout(r, 5));
    const cut = Date.now();
    for (let port = 1000; port < 1010; port++) await announce(peer(h, port, 5));
    await store.expire(cut);
    await check();
    assert.equal((await store.peers(h)).length, 10);
  });

  it('serves a swarm written by the version before (times in sorted sets, counts without a version) and moves it over', async () => {
    const h = newHash();
    for (let i = 0; i < 6; i++) await announce(peer(h, 1000 + i, i < 2 ? 0 : 5));
    // rewrite it as that version left it: each time as the peer's score in its role's sorted set
    const raw = new Redis(TEST_REDIS_URL as string);
    const keys = swarmKeys(store.prefix, h), peersKey = keys[4];
    const old = Date.now() - 60_000;
    try {
      for (const f of await raw.hkeysBuffer(peersKey)) {
        if (f.length !== 6) continue;
        const v = await raw.hgetBuffer(peersKey, f) as Buffer;
        await raw.hset(peersKey, f, v.subarray(0, v.length - 14));
        await raw.zadd(keys[v[0] - 48], f.readUInt16BE(4) === 1000 ? old : Date.now(), f);
      }
      await raw.hset(peersKey, '#', (await raw.hgetBuffer(peersKey, '#') as Buffer).subarray(0, 16));
      const [c] = await store.scrape([h]);
      assert.deepEqual([c.complete, c.incomplete], [2, 4]);
      const seen = new Map((await store.peers(h)).map((p) => [p.port, p.lastSeen]));
      assert.equal(seen.get(1000), old, "an old peer's time is its score");
      assert.equal(seen.size, 6);
      const r = await announce(peer(h, 1001, 0));
      assert.deepEqual([r.complete, r.incomplete, r.peers4Len], [2, 4, 24]);
      assert.equal(await raw.zscore(keys[0], Buffer.from([10, 0, 0, 2, 0x03, 0xe9])), null, 'a re-announced peer leaves the sorted set');
      assert.match((await raw.hgetBuffer(peersKey, Buffer.from([10, 0, 0, 2, 0x03, 0xe9])) as Buffer).subarray(-14).toString(), /^;\d{13}$/);
      assert.equal(await store.expire(old + 1), 1, 'the old peer expires by its score');
      assert.deepEqual((await store.peers(h)).map((p) => p.port).sort(), [1001, 1002, 1003, 1004, 1005]);
      await announce(peer(h, 1002, 5, { event: 'stopped' }));
      assert.equal(await raw.zcard(keys[2]), 3, 'a stopped peer leaves its sorted set');
      assert.equal(await store.expire(Date.now() + 1000), 4);
      assert.deepEqual(await store.totals(), { swarms: 0, peers: 0, seeders: 0, leechers: 0 });
    } finally {
      await raw.quit();
    }
  });

  it('reads every peer\'s time at most once per half timeout (the pass time shared in Redis)', async () => {
    const h = newHash();
    await announce(peer(h, 1, 0));
    const timeout = 60_000;
    const raw = new Redis(TEST_REDIS_URL as string);
    try {
      assert.equal(await store.expire(Date.now() - timeout), 0, 'a first pass, nothing old');
      // the peer's time set back past the timeout: the next pass drops it, but not before half a timeout
      const peersKey = swarmKeys(store.prefix, h)[4], m = Buffer.from([10, 0, 0, 2, 0, 1]);
      const v = await raw.hgetBuffer(peersKey, m) as Buffer;
      await raw.hset(peersKey, m, Buffer.concat([v.subarray(0, -13), Buffer.from(String(Date.now() - 2 * timeout))]));
      assert.equal(await store.expire(Date.now() - timeout), 0, 'within half a timeout of the last pass');
      await raw.set(`${store.prefix}sweep:pass`, String(Date.now() - timeout / 2 - 1000));
      assert.equal(await store.expire(Date.now() - timeout), 1);
      assert.deepEqual(await store.peers(h), []);
    } finally {
      await raw.quit();
    }
  });

  it('indexes each keyed peer once, and drops the index of peers gone (stopped, replaced, expired)', async () => {
    const h = newHash();
    const limited = testRedisStore({ maxPeersPerAddress: 2 });
    const raw = new Redis(TEST_REDIS_URL as string);
    const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 3));
    try {
      const send = (p: PeerAnnounce): Promise<void> => limited.announce(p, new AnnounceResult());
      const id = (c: number): Buffer => Buffer.from(`-XX0001-client${c}aaaaa`);
      const indexed = async (): Promise<number> => (await raw.hkeysBuffer(swarmKeys(limited.prefix, h)[4])).filter((f) => f[0] === 0x21).length;
      for (let c = 0; c < 4; c++) await send(peer(h, 2000 + c, 5, { ip: `10.0.1.${c}`, peerId: id(c), key: `K${c}` }));
      await send(peer(h, 2000, 5, { ip: '10.0.2.0', peerId: id(0), key: 'K0' }));
      assert.equal(await indexed(), 4);
      await send(peer(h, 2001, 5, { ip: '10.0.1.1', peerId: id(1), key: 'K1', event: 'stopped' }));
      assert.equal(await indexed(), 3);
      await pause();
      await send(peer(h, 3000, 5, { ip: '10.0.1.2' }));
      await pause();
      await send(peer(h, 3001, 5, { ip: '10.0.1.2' }));
      assert.equal(await indexed(), 2, 'client 2 was replaced by a newer port of its address');
      await pause();
      const cut = Date.now();
      await pause();
      await send(peer(h, 3000, 5, { ip: '10.0.1.2' }));
      await send(peer(h, 3001, 5, { ip: '10.0.1.2' }));
      assert.equal(await limited.expire(cut), 2);
      assert.equal(await indexed(), 0);
      assert.equal((await limited.peers(h)).length, 2);
    } finally {
      await limited.close();
      await raw.quit();
    }
  });

  it('keeps counts exact under many concurrent announces to one torrent', async () => {
    const h = newHash();
    await Promise.all(Array.from({ length: 300 }, (_, i) => announce(peer(h, 2000 + (i % 100), i % 3 === 0 ? 0 : 9))));
    const [c] = await store.scrape([h]);
    assert.equal(c.complete + c.incomplete, 100);
  });

  it('shares swarms between stores on the same Redis and prefix', async () => {
    const h = newHash();
    const other = new Redis(TEST_REDIS_URL as string);
    const second = new RedisPeerStore(other, { prefix: store.prefix });
    try {
      await announce(peer(h, 1, 0));
      const out = new AnnounceResult();
      await second.announce(peer(h, 2, 10, { ip: '2001:db8::7', wantPeerIds: true }), out);
      assert.deepEqual([out.complete, out.incomplete, out.peers4Len, out.ids4.toString('latin1', 0, 20)], [1, 1, 6, '-TT0001-000000000001']);
      await second.close();
      assert.equal(other.status, 'ready', 'close() must leave a client it did not open');
    } finally {
      await other.quit();
    }
  });

  it('quits the client it opened from a URL on close', async () => {
    const prefix = `seedhost-test:${randomBytes(6).toString('hex')}:`;
    const own = new RedisPeerStore(TEST_REDIS_URL as string, { prefix });
    await own.announce(peer(newHash(), 1, 0), new AnnounceResult());
    const cleanup = new Redis(TEST_REDIS_URL as string);
    await deletePrefix(cleanup, prefix);
    await cleanup.quit();
    await own.close();
    await assert.rejects(own.scrape([newHash()]));
  });
});
