import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryHistoryLog } from '../../../server/services/memory-history-log.js';
import { bucketSamples, HISTORY_MINUTES, MAX_HISTORY_POINTS } from '../../../server/services/swarm-history.js';

const s = (minute: number, seeders: number, leechers = 0, completed = 0) => ({ minute, seeders, leechers, completed });

describe('swarm history', () => {
  it('keeps at most HISTORY_MINUTES samples per torrent, oldest dropped first', async () => {
    const log = new MemoryHistoryLog();
    for (let m = 0; m < HISTORY_MINUTES + 10; m++) await log.append(new Map([['a', s(m, m)]]));
    const kept = await log.read('a', 0);
    assert.equal(kept.length, HISTORY_MINUTES);
    assert.deepEqual([kept[0].minute, kept.at(-1)?.minute], [10, HISTORY_MINUTES + 9]);
    assert.deepEqual((await log.read('a', HISTORY_MINUTES + 8)).map((x) => x.minute), [HISTORY_MINUTES + 8, HISTORY_MINUTES + 9]);
  });

  it('keeps the most recently active torrents when over its bound', async () => {
    const log = new MemoryHistoryLog(2);
    await log.append(new Map([['a', s(1, 1)], ['b', s(1, 1)]]));
    await log.append(new Map([['a', s(2, 1)]]));
    await log.append(new Map([['c', s(3, 1)]]));
    assert.equal(log.size, 2);
    assert.deepEqual(await log.read('b', 0), []);
    assert.equal((await log.read('a', 0)).length, 2);
  });

  it('claims each minute once', async () => {
    const log = new MemoryHistoryLog();
    assert.deepEqual([await log.claim(5), await log.claim(5), await log.claim(4), await log.claim(6)], [true, false, false, true]);
  });

  it('fills minutes without a sample with zero peers and the last completed count', () => {
    assert.deepEqual(bucketSamples([s(10, 2, 1, 7), s(12, 1, 0, 8)], 5, 13), [s(10, 2, 1, 7), s(11, 0, 0, 7), s(12, 1, 0, 8), s(13, 0, 0, 8)]);
    assert.deepEqual(bucketSamples([], 0, 100), []);
  });

  it('merges long spans into buckets holding the most peers', () => {
    const samples = Array.from({ length: 3000 }, (_, i) => s(i, i % 7, i % 5, i));
    const out = bucketSamples(samples, 0, 2999);
    assert.ok(out.length <= MAX_HISTORY_POINTS);
    assert.deepEqual(out[0], s(0, 5, 4, 5)); // minutes 0-5
  });
});
