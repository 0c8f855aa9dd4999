import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NumberIndex } from '../../../server/tracker/number-index.js';

describe('NumberIndex', () => {
  it('agrees with a Map over random sets and deletes of keys up to 2^53, through growth and shrinking', () => {
    const ix = new NumberIndex();
    const ref = new Map<number, number>();
    let seed = 7;
    const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    // a few hundred distinct keys, so sets hit present keys and deletes shift probe runs back
    const pool = Array.from({ length: 600 }, (_, i) => (i % 3 === 0 ? i : rnd() * 2097152 + (rnd() % 2097152)));
    pool.push(0, Number.MAX_SAFE_INTEGER);
    for (let step = 0; step < 60000; step++) {
      const k = pool[rnd() % pool.length];
      // grow to about the pool's size, then drain, then grow again: resizing both ways
      const phase = Math.floor(step / 15000) % 2;
      if (rnd() % 10 < (phase === 0 ? 7 : 2)) {
        ix.set(k, step);
        ref.set(k, step);
      } else {
        assert.equal(ix.delete(k), ref.delete(k), `delete ${k} at step ${step}`);
      }
      if (step % 997 === 0) for (const p of pool) assert.equal(ix.get(p), ref.get(p) ?? -1, `get ${p} at step ${step}`);
      assert.equal(ix.size, ref.size);
    }
    for (const p of pool) assert.equal(ix.get(p), ref.get(p) ?? -1);
  });

  it('answers -1 for a key never set, and keeps a value of 0', () => {
    const ix = new NumberIndex();
    assert.equal(ix.get(42), -1);
    ix.set(42, 0);
    assert.equal(ix.get(42), 0);
    assert.equal(ix.delete(42), true);
    assert.equal(ix.delete(42), false);
    assert.equal(ix.get(42), -1);
  });
});
