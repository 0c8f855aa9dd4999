import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { swarmKeys } from '../../../server/redis/keys.js';
import { MAX_BATCH } from '../../../server/redis/announce-batch.js';
import { RedisPeerStore } from '../../../server/redis/redis-peer-store.js';
import { AnnounceResult, type PeerAnnounce } from '../../../server/tracker/peer-store.js';
import { deletePrefix, redisSkip, TEST_REDIS_URL } from '../../helpers/redis.js';

const newHash = (): string => randomBytes(20).toString('hex');
const peer = (infoHash: string, port: number, left: number, over: Partial<PeerAnnounce> = {}): PeerAnnounce => ({
  infoHash, peerId: Buffer.from(`-TT0001-${String(port).padStart(12, '0')}`), ip: '10.0.0.2', port,
  uploaded: 0, downloaded: 0, left, event: '', numwant: 50, wantPeerIds: false, ...over,
});

describe('RedisPeerStore announce batches', { skip: redisSkip() }, () => {
  let redis: Redis, store: RedisPeerStore, prefix: string, sent: Set<unknown>;
  // announces issued in one tick: no await between them, so they share one script call
  const together = (list: PeerAnnounce[]): Promise<AnnounceResult[]> => Promise.all(list.map(async (p) => {
    const out = new AnnounceResult();
    await store.announce(p, out);
    return out;
  }));
  beforeEach(() => {
    prefix = `seedhost-test:${randomBytes(6).toString('hex')}:`;
    redis = new Redis(TEST_REDIS_URL as string);
    sent = new Set();
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = (cmd, stream) => {
      // a Set: commands queued before the connection is up pass here twice; an EVAL follows an
      // EVALSHA only while the script is not loaded yet
      if (cmd.name === 'evalsha') sent.add(cmd);
      return send(cmd, stream);
    };
    store = new RedisPeerStore(redis, { prefix });
  });
  afterEach(async () => {
    await deletePrefix(redis, prefix);
    await redis.quit();
  });

  it('sends the announces of one tick as one script call, applied in the order issued', async () => {
    const h = newHash();
    const r = await together(Array.from({ length: 5 }, (_, i) => peer(h, 1000 + i, i % 2)));
    assert.equal(sent.size, 1);
    assert.deepEqual(r.map((x) => [x.complete, x.incomplete]), [[1, 0], [1, 1], [2, 1], [2, 2], [3, 2]]);
    assert.deepEqual(r.map((x) => x.peers4Len / 6), [0, 1, 1, 3, 2]);
  });

  it('applies the same peer twice in one batch as if sent one after the other', async () => {
    const h = newHash();
    const [first, second, third] = await together([
      peer(h, 1, 10, { event: 'started' }), peer(h, 1, 0, { event: 'completed' }), peer(h, 1, 0, { event: 'completed' }),
    ]);
    assert.deepEqual([first.complete, first.incomplete, first.changed, first.completedNow], [0, 1, true, false]);
    assert.deepEqual([second.complete, second.incomplete, second.changed, second.completedNow, second.downloaded], [1, 0, true, true, 1]);
    assert.deepEqual([third.changed, third.completedNow, third.downloaded], [false, false, 1]);
  });

  it('applies a stop and a re-announce of one peer in one batch in order', async () => {
    const h = newHash();
    await together([peer(h, 1, 0), peer(h, 2, 5)]);
    const [stop, again, other] = await together([peer(h, 1, 0, { event: 'stopped' }), peer(h, 1, 0), peer(h, 2, 5)]);
    assert.deepEqual([stop.complete, stop.incomplete, stop.changed, stop.peers4Len], [0, 1, true, 0]);
    assert.deepEqual([again.complete, again.incomplete, again.changed, again.peers4Len], [1, 1, true, 6]);
    assert.deepEqual([other.complete, other.incomplete, other.changed, other.peers4Len], [1, 1, false, 6]);
    const [done] = await together([peer(h, 1, 0, { event: 'stopped' }), peer(h, 2, 5, { event: 'stopped' })]);
    assert.equal(done.incomplete, 1);
    assert.deepEqual(await store.totals(), { swarms: 0, peers: 0, seeders: 0, leechers: 0 });
    assert.equal(await redis.exists(swarmKeys(prefix, h)[4]), 0, 'an emptied swarm keeps no counts field');
  });

  it('spreads more than one batch of announces over many torrents, with peer ids', async () => {
    const hashes = Array.from({ length: MAX_BATCH + 44 }, newHash);
    await together(hashes.map((h) => peer(h, 1, 0, { ip: '2001:db8::1' })));
    const r = await together(hashes.map((h) => peer(h, 2, 7, { wantPeerIds: true })));
    assert.equal(sent.size, 4);
    for (const x of r) {
      assert.deepEqual([x.complete, x.incomplete, x.peers4Len, x.peers6Len], [1, 1, 0, 18]);
      assert.equal(x.ids6.toString('latin1', 0, 20), '-TT0001-000000000001');
    }
    const counts = await store.scrape(hashes);
    assert.ok(counts.every((c) => c.complete === 1 && c.incomplete === 1));
  });

  it('rejects every announce of a batch whose script fails, and recovers after', async () => {
    const [good, bad] = [newHash(), newHash()];
    await redis.set(swarmKeys(prefix, bad)[4], 'not a hash');
    const r = await Promise.allSettled([peer(good, 1, 0), peer(bad, 1, 0), peer(good, 2, 0)].map((p) => store.announce(p, new AnnounceResult())));
    assert.equal(sent.size, 1);
    assert.deepEqual(r.map((x) => x.status), ['rejected', 'rejected', 'rejected']);
    await redis.del(swarmKeys(prefix, bad)[4]);
    const [ok] = await together([peer(bad, 1, 0)]);
    assert.equal(ok.complete, 1);
  });

  it('applies the per-address limit inside one batch, the first to join going first', async () => {
    const h = newHash();
    const limited = new RedisPeerStore(redis, { prefix, maxPeersPerAddress: 3 });
    const r = await Promise.all(Array.from({ length: 10 }, (_, i) => {
      const out = new AnnounceResult();
      return limited.announce(peer(h, 1000 + i, 5), out).then(() => out);
    }));
    assert.deepEqual(r.map((x) => x.incomplete), [1, 2, 3, 3, 3, 3, 3, 3, 3, 3]);
    assert.deepEqual((await limited.peers(h)).map((p) => p.port).sort(), [1007, 1008, 1009]);
  });
});
