import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientError, UnregisteredTorrent } from '../../../server/tracker/errors.js';
import { INTERNAL, LATENCY_BOUNDS, LatencyHistogram, MALFORMED, OK, outcomeOf, TrackerStats, UNREGISTERED } from '../../../server/tracker/tracker-stats.js';

describe('tracker stats', () => {
  it('puts a duration in the first bucket whose bound is not below it, and above the last bound in the overflow bucket', () => {
    const h = new LatencyHistogram();
    h.observe(0);
    h.observe(LATENCY_BOUNDS[0]);
    h.observe(LATENCY_BOUNDS[0] * 1.5);
    h.observe(60);
    assert.deepEqual([h.counts[0], h.counts[1], h.counts[LATENCY_BOUNDS.length]], [2, 1, 1]);
    assert.equal(h.count, 4);
    assert.ok(Math.abs(h.sum - (LATENCY_BOUNDS[0] * 2.5 + 60)) < 1e-9);
  });

  it('classifies failures: unregistered, malformed (any other ClientError), internal', () => {
    assert.equal(outcomeOf(new UnregisteredTorrent()), UNREGISTERED);
    assert.equal(new UnregisteredTorrent().message, 'unregistered torrent');
    assert.equal(outcomeOf(new ClientError('missing port')), MALFORMED);
    assert.equal(outcomeOf(new TypeError('boom')), INTERNAL);
  });

  it('counts announces and scrapes by outcome with their latency', () => {
    const s = new TrackerStats();
    s.announced(OK, performance.now());
    s.announced(OK, performance.now() - 2);
    s.announced(MALFORMED, performance.now());
    s.scraped(INTERNAL, performance.now());
    assert.deepEqual([...s.announces], [2, 1, 0, 0]);
    assert.deepEqual([...s.scrapes], [0, 0, 0, 1]);
    assert.equal(s.announceSeconds.count, 3);
    assert.ok(s.announceSeconds.sum >= 0.002);
  });
});
