import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SwarmUpdates, SwarmWatchers } from '../../../server/graphql/pubsub.js';
import type { SwarmUpdate } from '../../../server/graphql/types/swarm.type.js';
import { MemoryPeerStore } from '../../../server/tracker/memory-peer-store.js';
import { AnnounceResult } from '../../../server/tracker/peer-store.js';

const H = 'ab'.repeat(20);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A subscription source that never yields and can be closed while waiting, as a pubsub's is. */
const never = (): AsyncIterable<number> => ({
  [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<number>>(() => undefined), return: async () => ({ done: true as const, value: undefined }) }),
});

function join(store: MemoryPeerStore, port: number, left: number): void {
  store.announce({ infoHash: H, peerId: Buffer.alloc(20, port & 255), ip: `10.0.0.${port}`, port, uploaded: 0, downloaded: 0, left, event: '', numwant: 0, wantPeerIds: false }, new AnnounceResult());
}

describe('swarm updates for subscriptions', () => {
  it('publish nothing while nobody watches the torrent', async () => {
    const store = new MemoryPeerStore();
    const sent: SwarmUpdate[] = [];
    const updates = new SwarmUpdates(store, (u) => sent.push(u), new SwarmWatchers(), 50);
    join(store, 1, 0);
    updates.changed(H);
    await sleep(80);
    assert.deepEqual(sent, []);
  });

  it('send the first change at once and coalesce a burst into one update with the final counts', async () => {
    const store = new MemoryPeerStore();
    const watchers = new SwarmWatchers();
    const sent: [number, SwarmUpdate][] = [];
    const t0 = Date.now();
    const updates = new SwarmUpdates(store, (u) => sent.push([Date.now() - t0, u]), watchers, 200);
    const it = watchers.watch(H, never())[Symbol.asyncIterator]();
    void it.next();
    join(store, 1, 0);
    updates.changed(H);
    await sleep(20);
    for (let p = 2; p < 30; p++) {
      join(store, p, 5);
      updates.changed(H);
    }
    await sleep(300);
    assert.equal(sent.length, 2);
    assert.ok(sent[0][0] < 50, `first update after ${sent[0][0]} ms`);
    assert.ok(sent[1][0] >= 190, `second update after ${sent[1][0]} ms`);
    assert.deepEqual(sent[1][1], { infoHash: H, seeders: 1, leechers: 28, completed: 0 });
    await it.return?.();
    assert.equal(watchers.wanted(H), false);
    updates.close();
  });

  it('skip an update whose counts cannot be read (Redis away), without an unhandled rejection, and send the next', async () => {
    const store = new MemoryPeerStore();
    let failing = true;
    const flaky = Object.assign(Object.create(store) as MemoryPeerStore, {
      scrape: async (hashes: readonly string[]) => {
        if (failing) throw new Error('Connection is closed.');
        return store.scrape(hashes);
      },
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const watchers = new SwarmWatchers();
      const sent: SwarmUpdate[] = [];
      const updates = new SwarmUpdates(flaky, (u) => sent.push(u), watchers, 20);
      const it = watchers.watch(H, never())[Symbol.asyncIterator]();
      void it.next();
      join(store, 1, 0);
      updates.changed(H);
      await sleep(50);
      assert.deepEqual([sent, unhandled], [[], []]);
      failing = false;
      updates.changed(H);
      await sleep(50);
      assert.deepEqual(sent, [{ infoHash: H, seeders: 1, leechers: 0, completed: 0 }]);
      await it.return?.();
      updates.close();
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('count watchers of every torrent too', async () => {
    const watchers = new SwarmWatchers();
    const it = watchers.watch('', never())[Symbol.asyncIterator]();
    assert.equal(watchers.wanted(H), true);
    assert.equal(watchers.size, 1);
    await it.return?.();
    assert.equal(watchers.wanted(H), false);
  });
});
