import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { RedisPeerStore } from '../../../server/redis/redis-peer-store.js';
import { ClientError } from '../../../server/tracker/errors.js';
import { FULL_SCRAPE_CHUNK, FULL_SCRAPES_PER_ADDRESS, FullScrape, MAX_FULL_SCRAPE_ADDRESSES } from '../../../server/tracker/full-scrape.js';
import { MemoryPeerStore } from '../../../server/tracker/memory-peer-store.js';
import { AnnounceResult, type PeerStore, type SwarmCounts } from '../../../server/tracker/peer-store.js';
import { bdecode } from '../../helpers/bdecode.js';
import { redisSkip, TEST_REDIS_URL, testRedisStore } from '../../helpers/redis.js';

const INTERVAL = 60;

/** A store that counts its scrape calls, and can be made to fail. */
class CountingStore extends MemoryPeerStore {
  scrapes = 0;
  failing = false;
  override scrape(hashes: readonly string[]): SwarmCounts[] {
    this.scrapes++;
    if (this.failing) throw new Error('store down');
    return super.scrape(hashes);
  }
}

const join = (store: PeerStore, infoHash: string, port: number, left: number): unknown =>
  store.announce({ infoHash, peerId: randomBytes(20), ip: '10.0.0.1', port, uploaded: 0, downloaded: 0, left, event: '', numwant: 0, wantPeerIds: false }, new AnnounceResult());

/** files of a full-scrape reply, keyed by hex info_hash in reply order, and its flags. */
function decode(reply: Buffer): { files: [string, unknown][]; flags: unknown } {
  const d = bdecode(reply) as { files: Record<string, unknown>; flags: unknown };
  return { files: Object.entries(d.files).map(([k, v]) => [Buffer.from(k, 'latin1').toString('hex'), v]), flags: d.flags };
}

/** A FullScrape over `n` registered torrents, with a clock the test moves. */
function setup(n: number, store = new CountingStore()): { fs: FullScrape; store: CountingStore; hashes: string[]; clock: { now: number } } {
  const hashes = Array.from({ length: n }, () => randomBytes(20).toString('hex'));
  const clock = { now: 1_000_000 };
  const fs = new FullScrape(store, new Set(hashes), { intervalSeconds: INTERVAL, clock: () => clock.now });
  return { fs, store, hashes, clock };
}

describe('full scrape', () => {
  it('lists every registered torrent in byte order, in steps of FULL_SCRAPE_CHUNK, with min_request_interval', async () => {
    const { fs, store, hashes } = setup(2 * FULL_SCRAPE_CHUNK + 500);
    await join(store, hashes[7], 1, 0);
    await join(store, hashes[7], 2, 9);
    const { files, flags } = decode(await fs.answer('10.0.0.1'));
    assert.deepEqual(files.map(([h]) => h), [...hashes].sort());
    assert.deepEqual(Object.fromEntries(files)[hashes[7]], { complete: 1, downloaded: 0, incomplete: 1 });
    assert.deepEqual(Object.fromEntries(files)[hashes[8]], { complete: 0, downloaded: 0, incomplete: 0 });
    assert.deepEqual(flags, { min_request_interval: INTERVAL });
    assert.equal(store.scrapes, 3);
  });

  it('lets other work run between the steps of a rebuild', async () => {
    const { fs } = setup(5 * FULL_SCRAPE_CHUNK);
    let done = false, ranDuring = false;
    const built = Promise.resolve(fs.answer('10.0.0.1')).then(() => { done = true; });
    setImmediate(() => { ranDuring = !done; });
    await built;
    assert.ok(ranDuring, 'the whole rebuild ran in one event-loop turn');
  });

  it('serves the same reply until the interval passes, then one rebuild with the new counts', async () => {
    const { fs, store, hashes, clock } = setup(3);
    const first = await fs.answer('10.0.0.1');
    await join(store, hashes[0], 1, 0);
    clock.now += INTERVAL * 1000 - 1;
    const cached = fs.answer('10.0.0.2');
    assert.equal(cached, first, 'rebuilt within the interval');
    assert.equal(store.scrapes, 1);
    clock.now += 1;
    // the interval passed: the old reply still goes out while the new one is built
    assert.equal(fs.answer('10.0.0.3'), first);
    const rebuilt = await fs.pending;
    assert.equal(store.scrapes, 2);
    assert.deepEqual(Object.fromEntries(decode(rebuilt as Buffer).files)[hashes[0]], { complete: 1, downloaded: 0, incomplete: 0 });
    assert.equal(fs.answer('10.0.0.4'), rebuilt);
  });

  it('builds once for any number of clients, also while the first build runs', async () => {
    const { fs, store } = setup(FULL_SCRAPE_CHUNK + 1);
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => fs.answer(`10.0.${i >> 8}.${i & 255}`)));
    assert.ok(replies.every((r) => r === replies[0]));
    assert.equal(store.scrapes, 2, 'one build of two steps');
  });

  it(`refuses a client after ${FULL_SCRAPES_PER_ADDRESS} full scrapes in an interval, an IPv6 /64 counting as one, until the next interval`, async () => {
    const { fs, clock } = setup(2);
    const refused = (ip: string): boolean => {
      try {
        void fs.answer(ip);
        return false;
      } catch (e) {
        assert.ok(e instanceof ClientError && /too many full scrapes: at most 2 per 60 s/.test(e.message), String(e));
        return true;
      }
    };
    await fs.answer('2001:db8:1:2::1');
    assert.equal(refused('2001:db8:1:2::ffff'), false);
    assert.equal(refused('2001:db8:1:2:aaaa::1'), true);
    assert.equal(refused('2001:db8:1:3::1'), false, 'another /64 is another address');
    assert.equal(refused('10.0.0.1'), false);
    assert.equal(refused('10.0.0.1'), false);
    assert.equal(refused('10.0.0.1'), true);
    clock.now += INTERVAL * 1000;
    assert.equal(refused('10.0.0.1'), false);
  });

  it(`counts at most ${MAX_FULL_SCRAPE_ADDRESSES} addresses per interval, refusing new ones beyond`, async () => {
    const { fs, clock } = setup(1);
    await fs.answer('10.255.255.255');
    for (let i = 1; i < MAX_FULL_SCRAPE_ADDRESSES; i++) void fs.answer(`10.0.${i >> 8}.${i & 255}`);
    assert.throws(() => fs.answer('192.0.2.1'), (e: unknown) => e instanceof ClientError && /try again later/.test(e.message));
    assert.doesNotThrow(() => fs.answer('10.0.0.1'), 'an address already counted keeps its share');
    clock.now += INTERVAL * 1000;
    assert.doesNotThrow(() => fs.answer('192.0.2.1'));
  });

  it('keeps serving the previous reply when a rebuild fails, and reports the failure', async () => {
    const errors: unknown[] = [];
    const store = new CountingStore();
    const clock = { now: 0 };
    const fs = new FullScrape(store, new Set(['ab'.repeat(20)]), { intervalSeconds: INTERVAL, clock: () => clock.now, onError: (e) => errors.push(e) });
    const first = await fs.answer('10.0.0.1');
    store.failing = true;
    clock.now += INTERVAL * 1000;
    assert.equal(fs.answer('10.0.0.1'), first);
    await assert.rejects(fs.pending as Promise<Buffer>, /store down/);
    assert.equal(errors.length, 1);
    store.failing = false;
    assert.equal(fs.answer('10.0.0.2'), first);
    assert.notEqual(await fs.pending, null);
  });

  it('answers from a Redis store with the counts another instance wrote', { skip: redisSkip() }, async () => {
    const writer = testRedisStore();
    const client = new Redis(TEST_REDIS_URL as string);
    const reader = new RedisPeerStore(client, { prefix: writer.prefix });
    try {
      const h = randomBytes(20).toString('hex');
      await join(writer, h, 1, 0);
      await join(writer, h, 2, 5);
      const fs = new FullScrape(reader, new Set(['ff'.repeat(20), h]), { intervalSeconds: INTERVAL });
      const reply = fs.answer('10.0.0.1');
      assert.ok(reply instanceof Promise);
      assert.deepEqual(decode(await reply).files, [[h, { complete: 1, downloaded: 0, incomplete: 1 }], ['ff'.repeat(20), { complete: 0, downloaded: 0, incomplete: 0 }]]);
    } finally {
      await writer.close();
      await client.quit();
    }
  });
});
