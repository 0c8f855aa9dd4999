// Raw query-string scanning for the tracker's hot path. BEP 3 sends info_hash and peer_id as
// percent-encoded raw bytes, which URLSearchParams would corrupt (it decodes as UTF-8), so the
// parsers walk the string themselves and decode bytes into Buffers.
import { ClientError } from './errors.js';

/** Longest query string the tracker reads; longer ones are refused, not truncated. */
export const MAX_QUERY_LENGTH = 8192;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Percent-decodes query[start, end) into out (from offset 0) and returns the decoded length,
 * or -1 when it would exceed out.length. `+` is a space (form encoding). Throws ClientError
 * on a broken escape.
 */
export function decodeBytes(query: string, start: number, end: number, out: Buffer, name: string): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    let c = query.charCodeAt(i);
    if (c === 37) { // '%'
      const hi = i + 2 < end ? hexValue(query.charCodeAt(i + 1)) : -1;
      const lo = hi >= 0 ? hexValue(query.charCodeAt(i + 2)) : -1;
      if (lo < 0) throw new ClientError(`invalid percent-encoding in ${name}`);
      c = (hi << 4) | lo;
      i += 2;
    } else if (c === 43) { // '+'
      c = 32;
    } else if (c > 255) {
      throw new ClientError(`invalid character in ${name}`);
    }
    if (n === out.length) return -1;
    out[n++] = c;
  }
  return n;
}

/** Decodes query[start, end) as a short text value (latin1), or throws on a broken escape. */
export function decodeText(query: string, start: number, end: number, name: string, maxBytes = 256): string {
  if (query.indexOf('%', start) === -1 || query.indexOf('%', start) >= end) {
    if (query.indexOf('+', start) === -1 || query.indexOf('+', start) >= end) {
      if (end - start > maxBytes) throw new ClientError(`${name} is too long`);
      return query.slice(start, end);
    }
  }
  const buf = Buffer.allocUnsafe(maxBytes);
  const n = decodeBytes(query, start, end, buf, name);
  if (n < 0) throw new ClientError(`${name} is too long`);
  return buf.toString('latin1', 0, n);
}
