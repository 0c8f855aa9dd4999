import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { counterFromWords, MAX_COUNTER, MAX_WIRE_COUNTER, parseCount } from '../../../server/tracker/counter.js';
import { ClientError } from '../../../server/tracker/errors.js';

const TWO_53 = 2n ** 53n;
const TWO_64 = 2n ** 64n;

/** parseCount over a whole string, with a prefix and suffix around it so offsets matter. */
const count = (s: string): number => parseCount(`x=${s}&y`, 2, 2 + s.length, 'left');

const refuses = (s: string, reason: RegExp): void => {
  assert.throws(() => count(s), (e: unknown) => e instanceof ClientError && reason.test(e.message), `accepted ${JSON.stringify(s)}`);
};

describe('announce counters', () => {
  it('reads 0 and small values exactly', () => {
    assert.equal(count('0'), 0);
    assert.equal(count('7'), 7);
    assert.equal(count('123456789012345'), 123456789012345);
  });

  it('reads 2^53-1 exactly and saturates 2^53 at 2^53-1', () => {
    assert.equal(count(String(TWO_53 - 1n)), Number.MAX_SAFE_INTEGER);
    assert.equal(count(String(TWO_53 - 2n)), Number.MAX_SAFE_INTEGER - 1);
    assert.equal(count(String(TWO_53)), MAX_COUNTER);
    assert.equal(count(String(TWO_53 + 1n)), MAX_COUNTER);
    assert.equal(count('9999999999999999'), MAX_COUNTER);
    assert.equal(count('10000000000000000'), MAX_COUNTER);
  });

  it('accepts 2^63-1 (Transmission without metadata) and 2^64-1, saturated', () => {
    assert.equal(count('9223372036854775807'), MAX_COUNTER);
    assert.equal(count(String(TWO_64 - 1n)), MAX_COUNTER);
    assert.equal(MAX_WIRE_COUNTER, String(TWO_64 - 1n));
    assert.equal(count('18446744073709551614'), MAX_COUNTER);
    assert.equal(count('09999999999999999999'), MAX_COUNTER);
  });

  it('refuses 2^64 and beyond, saying where the limit is', () => {
    refuses(String(TWO_64), /^invalid left: must be at most 2\^64-1 \(18446744073709551615\)$/);
    refuses('18446744073709551620', /at most 2\^64-1/);
    refuses('99999999999999999999', /at most 2\^64-1/);
    refuses('100000000000000000000', /at most 2\^64-1/);
    refuses('1'.repeat(400), /at most 2\^64-1/);
  });

  it('reads leading zeros as decimal, however many', () => {
    assert.equal(count('007'), 7);
    assert.equal(count('0000000000000000000000000000042'), 42);
    assert.equal(count('0'.repeat(30)), 0);
    assert.equal(count(`0000${TWO_64 - 1n}`), MAX_COUNTER);
    assert.equal(count(`000${TWO_53 - 1n}`), Number.MAX_SAFE_INTEGER);
  });

  const notIntegers = ['', '-1', '-0', '+1', '+0', '1.5', '1.0', '1e3', '0x10', ' 1', '1 ', '12abc', 'abc',
    '%31', '1_000', '١', `${TWO_64 - 1n}.0`, `-${TWO_64}`, '9'.repeat(15) + 'x', 'x' + '9'.repeat(20)];
  for (const s of notIntegers) {
    it(`refuses ${JSON.stringify(s)} as not a non-negative integer`, () => {
      refuses(s, /^invalid left: must be a non-negative integer$/);
    });
  }

  it('matches BigInt on pseudo-random values of every length up to 20 digits', () => {
    let seed = 12345;
    const digit = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % 10; };
    for (let len = 1; len <= 20; len++) {
      for (let k = 0; k < 200; k++) {
        let s = String(1 + (digit() % 9));
        while (s.length < len) s += String(digit());
        const big = BigInt(s);
        if (big >= TWO_64) refuses(s, /at most 2\^64-1/);
        else assert.equal(count(s), big > TWO_53 - 1n ? MAX_COUNTER : Number(big), s);
      }
    }
  });

  it('reads BEP 15 64-bit words exactly up to 2^53-1 and saturates above', () => {
    assert.equal(counterFromWords(0, 0), 0);
    assert.equal(counterFromWords(0, 0xffffffff), 0xffffffff);
    assert.equal(counterFromWords(1, 0), 2 ** 32);
    assert.equal(counterFromWords(0x1fffff, 0xffffffff), Number.MAX_SAFE_INTEGER);
    assert.equal(counterFromWords(0x200000, 0), MAX_COUNTER); // 2^53
    assert.equal(counterFromWords(0x7fffffff, 0xffffffff), MAX_COUNTER); // 2^63-1
    assert.equal(counterFromWords(0xffffffff, 0xffffffff), MAX_COUNTER); // 2^64-1
  });
});
