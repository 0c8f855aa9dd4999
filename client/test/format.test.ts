import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBytes, formatDate, formatDuration, formatRate, formatTimestamp } from '../src/lib/format.js';

describe('client formatting', () => {
  it('shows sizes in binary units with three significant digits', () => {
    assert.equal(formatBytes(0), '0\u00a0B');
    assert.equal(formatBytes(1023), '1023\u00a0B');
    assert.equal(formatBytes(1024), '1.00\u00a0KiB');
    assert.equal(formatBytes(1536), '1.50\u00a0KiB');
    assert.equal(formatBytes(10 * 1024 * 1024 + 1), '10.0\u00a0MiB');
    assert.equal(formatBytes(700 * 1024 ** 3), '700\u00a0GiB');
    assert.equal(formatBytes(-1), '—');
    assert.equal(formatBytes(NaN), '—');
  });

  it('shows rates per second and an unknown rate as a dash', () => {
    assert.equal(formatRate(2.5 * 1024 * 1024), '2.50\u00a0MiB/s');
    assert.equal(formatRate(NaN), '—');
  });

  it('shows durations in seconds, minutes or hours', () => {
    assert.equal(formatDuration(0), '0 s');
    assert.equal(formatDuration(44.2), '45 s');
    assert.equal(formatDuration(185), '3 min 05 s');
    assert.equal(formatDuration(2 * 3600 + 7 * 60), '2 h 07 min');
    assert.equal(formatDuration(Infinity), '—');
  });

  it('shows dates relative to now, and old ones as a day', () => {
    const now = Date.parse('2024-03-12T12:00:00Z');
    assert.equal(formatDate('2024-03-12T11:59:40Z', now), 'just now');
    assert.equal(formatDate('2024-03-12T11:59:00Z', now), '1 minute ago');
    assert.equal(formatDate('2024-03-12T11:55:00Z', now), '5 minutes ago');
    assert.equal(formatDate('2024-03-12T09:00:00Z', now), '3 hours ago');
    assert.equal(formatDate('2024-03-09T12:00:00Z', now), '3 days ago');
    assert.equal(formatDate('2023-12-25T08:00:00Z', now), '25 Dec 2023');
    assert.equal(formatDate('not a date', now), '—');
    assert.equal(formatTimestamp('2024-03-12T14:05:09.123Z'), '2024-03-12 14:05 UTC');
  });
});
