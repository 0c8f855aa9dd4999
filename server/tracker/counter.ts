// Announce counters: BEP 3's uploaded, downloaded and left (and port, numwant) as decimal text,
// BEP 15's 64-bit fields as two 32-bit words. Every unsigned 64-bit value is accepted, as chihaya
// does (Go's strconv.ParseUint(s, 10, 64)); a double holds integers exactly only up to 2^53-1, so
// larger values saturate there. Transmission announces left=2^63-1 until it has the metadata.
import { ClientError } from './errors.js';

/** Counters above this (2^53-1) are kept as this; a `left` that large is a leecher's. */
export const MAX_COUNTER = Number.MAX_SAFE_INTEGER;
/** The largest counter a client may send: 2^64-1. */
export const MAX_WIRE_COUNTER = '18446744073709551615';
/** Up to this many characters the value is below 10^15 < 2^53: the cheap loop is exact. */
const SHORT_DIGITS = 15;

function notInteger(name: string): ClientError {
  return new ClientError(`invalid ${name}: must be a non-negative integer`);
}

/**
 * Parses query[start, end) as an unsigned decimal integer: digits only (no sign, no space, leading
 * zeros allowed), at most 2^64-1, returned saturated at MAX_COUNTER. Throws ClientError naming the
 * parameter for anything else (empty, a sign, a fraction, more than 2^64-1).
 */
export function parseCount(query: string, start: number, end: number, name: string): number {
  const len = end - start;
  if (len === 0 || len > SHORT_DIGITS) return parseLongCount(query, start, end, name);
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = query.charCodeAt(i) - 48;
    if (d < 0 || d > 9) throw notInteger(name);
    v = v * 10 + d;
  }
  return v;
}

/** parseCount past SHORT_DIGITS characters: leading zeros, values near or beyond 2^53 and 2^64. */
function parseLongCount(query: string, start: number, end: number, name: string): number {
  if (end === start) throw notInteger(name);
  let first = end; // the first significant digit
  for (let i = start; i < end; i++) {
    const c = query.charCodeAt(i);
    if (c < 48 || c > 57) throw notInteger(name);
    if (first === end && c !== 48) first = i;
  }
  const digits = end - first;
  // same length: comparing the strings compares the numbers
  if (digits > MAX_WIRE_COUNTER.length || (digits === MAX_WIRE_COUNTER.length && query.slice(first, end) > MAX_WIRE_COUNTER)) {
    throw new ClientError(`invalid ${name}: must be at most 2^64-1 (${MAX_WIRE_COUNTER})`);
  }
  if (digits > 16) return MAX_COUNTER; // at least 10^16 > 2^53
  // Exact up to 15 digits; the 16th step rounds, and rounding keeps any value >= 2^53 at >= 2^53.
  let v = 0;
  for (let i = first; i < end; i++) v = v * 10 + (query.charCodeAt(i) - 48);
  return v > MAX_COUNTER ? MAX_COUNTER : v;
}

/** A BEP 15 unsigned 64-bit counter from its big-endian 32-bit words, saturated at MAX_COUNTER. */
export function counterFromWords(hi: number, lo: number): number {
  return hi < 0x200000 ? hi * 0x100000000 + lo : MAX_COUNTER; // hi < 2^21: at most 2^53-1
}
