import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRange } from '../../../server/http/range.js';

describe('parseRange', () => {
  const cases: [string | undefined, number, ReturnType<typeof parseRange>][] = [
    [undefined, 100, null],
    ['bytes=0-9', 100, { start: 0, end: 9 }],
    ['bytes=90-', 100, { start: 90, end: 99 }],
    ['bytes=-10', 100, { start: 90, end: 99 }],
    ['bytes=-500', 100, { start: 0, end: 99 }],
    ['bytes=50-1000', 100, { start: 50, end: 99 }],
    ['bytes=100-', 100, 'unsatisfiable'],
    ['bytes=-0', 100, 'unsatisfiable'],
    ['bytes=9-1', 100, null],
    ['bytes=0-1,5-6', 100, null],
    ['items=0-1', 100, null],
    ['bytes=abc', 100, null],
    // an empty file, as nginx answers it: the whole (empty) file unless the range starts past 0
    ['bytes=0-12', 0, null],
    ['bytes=0-', 0, null],
    ['bytes=0-0', 0, null],
    ['bytes=-5', 0, null],
    ['bytes=-0', 0, null],
    ['bytes=5-', 0, 'unsatisfiable'],
    ['bytes=1-3', 0, 'unsatisfiable'],
  ];
  for (const [h, size, want] of cases) {
    it(`reads ${JSON.stringify(h)} of ${size} bytes as ${JSON.stringify(want)}`, () => assert.deepEqual(parseRange(h, size), want));
  }
});
