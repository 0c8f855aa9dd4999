import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileTree } from '../src/lib/file-tree.js';
import { chartPoints, countsOf, countTicks, mergeUpdate, timeTicks, type SwarmCounts } from '../src/lib/live-swarm.js';

describe('live swarm merge', () => {
  const t = { infoHash: 'aa', seeders: 1, leechers: 2, completed: 3 };

  it('shows the query counts until a push arrives, then the newest push', () => {
    const live = new Map<string, SwarmCounts>();
    assert.deepEqual(countsOf(t, live), { seeders: 1, leechers: 2, completed: 3 });
    mergeUpdate(live, { infoHash: 'bb', seeders: 9, leechers: 9, completed: 9 });
    assert.deepEqual(countsOf(t, live), { seeders: 1, leechers: 2, completed: 3 });
    mergeUpdate(live, { infoHash: 'aa', seeders: 4, leechers: 0, completed: 5 });
    mergeUpdate(live, { infoHash: 'aa', seeders: 5, leechers: 1, completed: 5 });
    assert.deepEqual(countsOf(t, live), { seeders: 5, leechers: 1, completed: 5 });
  });

  it('labels the time axis at round local times and the count axis at round numbers', () => {
    const from = Date.UTC(2026, 11, 2, 10, 3), to = Date.UTC(2026, 11, 2, 11, 3);
    assert.deepEqual(timeTicks(from, to, 6, 0).map((t) => t.label), ['10:10', '10:20', '10:30', '10:40', '10:50', '11:00']);
    assert.deepEqual(timeTicks(from, to, 6, -60).map((t) => t.label), ['11:10', '11:20', '11:30', '11:40', '11:50', '12:00'], 'in local time (UTC+1)');
    const days = timeTicks(Date.UTC(2026, 10, 29, 11), Date.UTC(2026, 11, 2, 11), 6, 0);
    assert.ok(days.length <= 6 && days.every((t) => /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (00|12):00$/.test(t.label)), JSON.stringify(days));
    assert.deepEqual(countTicks(0).ticks.map((t) => t.value), [0, 1]);
    assert.deepEqual(countTicks(3).ticks.map((t) => t.value), [0, 5]);
    assert.deepEqual(countTicks(7).ticks.map((t) => t.value), [0, 5, 10]);
    assert.deepEqual([countTicks(17).top, countTicks(20).top, countTicks(21).top, countTicks(3000).top], [20, 20, 50, 5000]);
  });

  it('draws a step line scaled to the chart box', () => {
    const h = [{ at: 0, seeders: 0, leechers: 0, completed: 0 }, { at: 50, seeders: 2, leechers: 0, completed: 0 }];
    assert.equal(chartPoints(h, 'seeders', 0, 100, 2, 100, 10), '0.0,10.0 50.0,10.0 50.0,0.0 100.0,0.0');
    assert.equal(chartPoints([], 'seeders', 0, 100, 2, 100, 10), '');
  });
});

describe('file tree', () => {
  it('nests files under folders with folder sizes, folders first', () => {
    const rows = fileTree([{ path: 'z.txt', size: 1 }, { path: 'docs/b.txt', size: 2 }, { path: 'docs/a/c.txt', size: 4 }]);
    assert.deepEqual(rows.map((r) => [r.path, r.depth, r.folder, r.size]), [
      ['docs', 0, true, 6], ['docs/a', 1, true, 4], ['docs/a/c.txt', 2, false, 4], ['docs/b.txt', 1, false, 2], ['z.txt', 0, false, 1],
    ]);
  });
});

describe('local links', () => {
  it('turns the server\'s absolute URLs into same-origin paths', async () => {
    const { localPath } = await import('../src/lib/urls.js');
    assert.equal(localPath('http://localhost:0/torrents/ab.torrent'), '/torrents/ab.torrent');
    assert.equal(localPath('https://x.example/webseed/ab/?q=1'), '/webseed/ab/?q=1');
    assert.equal(localPath('https://x.example'), '/');
    assert.equal(localPath('/already/local'), '/already/local');
  });
});
