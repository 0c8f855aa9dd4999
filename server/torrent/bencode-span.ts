// A strict bencode walker (BEP 3 grammar; key order is not enforced, as clients do not): validates a whole buffer and finds the exact bytes of
// a top-level key's value. The info_hash is the SHA-1 of the `info` value's original bytes, which
// a decode/re-encode round trip could change, so they are located rather than rebuilt.

export class BencodeError extends Error {}

const MAX_DEPTH = 64;

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

/** [start, end) of the value under `key` in the top-level dict of a valid buffer, or null. */
export function findTopLevelValue(buf: Uint8Array, key: string): [number, number] | null {
  if (buf[0] !== 0x64) return null;
  const want = Buffer.from(key, 'latin1');
  let j = 1;
  while (buf[j] !== 0x65) {
    const keyEnd = skip(buf, j, 1);
    const k = buf.subarray(buf.indexOf(0x3a, j) + 1, keyEnd);
    const valueEnd = skip(buf, keyEnd, 1);
    if (Buffer.compare(k, want) === 0) return [keyEnd, valueEnd];
    j = valueEnd;
  }
  return null;
}
