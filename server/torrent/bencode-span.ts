// A strict bencode walker (BEP 3 grammar; key order and duplicate keys are not refused, as
// libtorrent refuses neither, except in the info dict when asked: see decodeValue): validates a whole buffer, finds the exact bytes of a top-level
// key's value and decodes a value as libtorrent reads it. The info_hash is the SHA-1 of the `info`
// value's original bytes, which a decode/re-encode round trip could change, so they are located
// rather than rebuilt.

export class BencodeError extends Error {}

/** Lists and dicts nested in one another, at most: libtorrent's bdecode refuses the 100th. */
export const MAX_DEPTH = 99;

/** Returns the offset just past the value starting at `i`; throws BencodeError if malformed. */
function skip(buf: Uint8Array, i: number, depth: number): number {
  if (i >= buf.length) throw new BencodeError('unexpected end of data');
  const c = buf[i];
  if (c === 0x69) { // i<digits>e
    let j = i + 1;
    if (buf[j] === 0x2d) j++;
    const first = j;
    while (j < buf.length && buf[j] >= 0x30 && buf[j] <= 0x39) j++;
    if (j === first || buf[j] !== 0x65) throw new BencodeError(`bad integer at byte ${i}`);
    if (buf[first] === 0x30 && (j - first > 1 || first !== i + 1)) throw new BencodeError(`bad integer at byte ${i}`);
    return j + 1;
  }
  if (c === 0x6c || c === 0x64) { // list or dict
    if (depth >= MAX_DEPTH) throw new BencodeError('nesting too deep');
    let j = i + 1;
    while (true) {
      if (j >= buf.length) throw new BencodeError('unexpected end of data');
      if (buf[j] === 0x65) return j + 1;
      if (c === 0x64) {
        if (buf[j] < 0x30 || buf[j] > 0x39) throw new BencodeError(`dictionary key is not a string at byte ${j}`);
        j = skip(buf, j, depth + 1);
      }
      j = skip(buf, j, depth + 1);
    }
  }
  if (c >= 0x30 && c <= 0x39) { // <len>:<bytes>
    let j = i, len = 0;
    while (j < buf.length && buf[j] >= 0x30 && buf[j] <= 0x39) {
      len = len * 10 + (buf[j] - 0x30);
      if (len > buf.length) throw new BencodeError(`string longer than the data at byte ${i}`);
      j++;
    }
    if (buf[j] !== 0x3a || (buf[i] === 0x30 && j - i > 1)) throw new BencodeError(`bad string length at byte ${i}`);
    if (j + 1 + len > buf.length) throw new BencodeError(`string longer than the data at byte ${i}`);
    return j + 1 + len;
  }
  throw new BencodeError(`unexpected byte 0x${c.toString(16)} at ${i}`);
}

/** Throws BencodeError unless `buf` is exactly one well-formed bencoded value. */
export function validateBencode(buf: Uint8Array): void {
  const end = skip(buf, 0, 0);
  if (end !== buf.length) throw new BencodeError(`trailing data after byte ${end}`);
}

/** [start, end) of the value under `key` in the top-level dict of a valid buffer, or null; `from` is a key's offset (default: the first). */
export function findTopLevelValue(buf: Uint8Array, key: string, from = 1): [number, number] | null {
  if (buf[0] !== 0x64) return null;
  const want = Buffer.from(key, 'latin1');
  let j = from;
  while (buf[j] !== 0x65) {
    const keyEnd = skip(buf, j, 1);
    const k = buf.subarray(buf.indexOf(0x3a, j) + 1, keyEnd);
    const valueEnd = skip(buf, keyEnd, 1);
    if (Buffer.compare(k, want) === 0) return [keyEnd, valueEnd];
    j = valueEnd;
  }
  return null;
}

/** A decoded dict: no prototype, so `__proto__` is a key like any other; keys are latin1, byte for byte. */
export interface BDict { [key: string]: BValue }
/** A decoded value: integer, byte string (a view into the buffer), list or dict. */
export type BValue = number | Uint8Array | BValue[] | BDict;

/**
 * Decodes the value at `start` of a buffer validateBencode accepted. Of duplicate keys the first
 * wins, as libtorrent's dict_find reads them; integers past 2^53 lose precision (check with
 * Number.isSafeInteger). With `canonical`, every dict inside must have its keys unique and in
 * ascending byte order (BEP 3), else BencodeError: clients that decode and re-encode the info dict
 * (Transmission, aria2) would otherwise hash other bytes than libtorrent and announce another info_hash.
 */
export function decodeValue(buf: Uint8Array, start: number, canonical = false): BValue {
  let i = start;
  const digitsTo = (stop: number): number => {
    let n = 0;
    for (; buf[i] !== stop; i++) n = n * 10 + (buf[i] - 0x30);
    return n;
  };
  const bytes = (): Uint8Array => {
    const len = digitsTo(0x3a);
    i += 1 + len;
    return buf.subarray(i - len, i);
  };
  const value = (): BValue => {
    const c = buf[i];
    if (c === 0x69) {
      const negative = buf[++i] === 0x2d;
      if (negative) i++;
      const end = buf.indexOf(0x65, i);
      // beyond 15 digits, let Number round (digit by digit would drift further)
      const n = end - i > 15 ? Number(Buffer.from(buf.buffer, buf.byteOffset + i, end - i).toString('latin1')) : digitsTo(0x65);
      i = end + 1;
      return negative ? -n : n;
    }
    if (c === 0x6c) {
      const list: BValue[] = [];
      for (i++; buf[i] !== 0x65;) list.push(value());
      i++;
      return list;
    }
    if (c === 0x64) {
      const dict: BDict = Object.create(null);
      let prev: Uint8Array | null = null;
      for (i++; buf[i] !== 0x65;) {
        const at = i;
        const k = bytes();
        if (canonical) {
          if (prev !== null && Buffer.compare(prev, k) >= 0) throw new BencodeError(`dictionary keys not unique and sorted at byte ${at}`);
          prev = k;
        }
        const key = Buffer.from(k.buffer, k.byteOffset, k.length).toString('latin1');
        const v = value();
        if (!(key in dict)) dict[key] = v;
      }
      i++;
      return dict;
    }
    return bytes();
  };
  return value();
}
