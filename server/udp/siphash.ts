// SipHash-2-4 (Aumasson and Bernstein, 2012), the keyed 64-bit PRF made for short inputs: it signs
// connection ids here at a fraction of an HMAC's cost (node:crypto has no SipHash, and an HMAC
// object per datagram costs about 4 µs). 64-bit words are kept as 32-bit halves in locals (module
// variables cost a context load and store each, which made the hash several times slower).

/** Little-endian 32-bit word of `b` at `o`, reading zeros at and past `end`. */
function word(b: Uint8Array, o: number, end: number): number {
  if (o + 4 <= end) return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
  let w = 0;
  for (let i = 3; i >= 0; i--) w = (w * 256) + (o + i < end ? b[o + i] : 0);
  return w >>> 0;
}

/**
 * SipHash-2-4 of `data[0..len)` under the 16-byte `key`; writes the 8-byte result (little-endian,
 * as the reference implementation does) into out[at..at+8). Allocates nothing.
 */
export function sipHash24(key: Uint8Array, data: Uint8Array, len: number, out: Uint8Array, at: number): void {
  const k0l = word(key, 0, 16), k0h = word(key, 4, 16), k1l = word(key, 8, 16), k1h = word(key, 12, 16);
  let v0h = (k0h ^ 0x736f6d65) >>> 0, v0l = (k0l ^ 0x70736575) >>> 0;
  let v1h = (k1h ^ 0x646f7261) >>> 0, v1l = (k1l ^ 0x6e646f6d) >>> 0;
  let v2h = (k0h ^ 0x6c796765) >>> 0, v2l = (k0l ^ 0x6e657261) >>> 0;
  let v3h = (k1h ^ 0x74656462) >>> 0, v3l = (k1l ^ 0x79746573) >>> 0;
  let h = 0, l = 0;
  const whole = len - (len % 8);
  // blocks: each message word absorbed with 2 rounds; the last carries the remaining bytes and
  // the length's low byte in its top byte; then 0xff into v2 and 4 rounds (`o === len + 8` ends it)
  for (let o = 0; ; o += 8) {
    let mh: number, ml: number, rounds = 2;
    if (o < whole) {
      ml = word(data, o, len); mh = word(data, o + 4, len);
    } else if (o === whole) {
      ml = word(data, o, len); mh = (word(data, o + 4, len) | ((len & 0xff) << 24)) >>> 0;
    } else {
      mh = 0; ml = 0; rounds = 4;
      v2l = (v2l ^ 0xff) >>> 0;
    }
    v3h = (v3h ^ mh) >>> 0; v3l = (v3l ^ ml) >>> 0;
    for (let r = 0; r < rounds; r++) {
      // v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32)
      l = (v0l + v1l) >>> 0;
      v0h = (v0h + v1h + (l < v0l ? 1 : 0)) >>> 0; v0l = l;
      h = ((v1h << 13) | (v1l >>> 19)) >>> 0; l = ((v1l << 13) | (v1h >>> 19)) >>> 0;
      v1h = (h ^ v0h) >>> 0; v1l = (l ^ v0l) >>> 0;
      h = v0h; v0h = v0l; v0l = h;
      // v2 += v3; v3 = rotl(v3, 16); v3 ^= v2
      l = (v2l + v3l) >>> 0;
      v2h = (v2h + v3h + (l < v2l ? 1 : 0)) >>> 0; v2l = l;
      h = ((v3h << 16) | (v3l >>> 16)) >>> 0; l = ((v3l << 16) | (v3h >>> 16)) >>> 0;
      v3h = (h ^ v2h) >>> 0; v3l = (l ^ v2l) >>> 0;
      // v0 += v3; v3 = rotl(v3, 21); v3 ^= v0
      l = (v0l + v3l) >>> 0;
      v0h = (v0h + v3h + (l < v0l ? 1 : 0)) >>> 0; v0l = l;
      h = ((v3h << 21) | (v3l >>> 11)) >>> 0; l = ((v3l << 21) | (v3h >>> 11)) >>> 0;
      v3h = (h ^ v0h) >>> 0; v3l = (l ^ v0l) >>> 0;
      // v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32)
      l = (v2l + v1l) >>> 0;
      v2h = (v2h + v1h + (l < v2l ? 1 : 0)) >>> 0; v2l = l;
      h = ((v1h << 17) | (v1l >>> 15)) >>> 0; l = ((v1l << 17) | (v1h >>> 15)) >>> 0;
      v1h = (h ^ v2h) >>> 0; v1l = (l ^ v2l) >>> 0;
      h = v2h; v2h = v2l; v2l = h;
    }
    if (rounds === 4) break;
    v0h = (v0h ^ mh) >>> 0; v0l = (v0l ^ ml) >>> 0;
  }
  const rh = (v0h ^ v1h ^ v2h ^ v3h) >>> 0, rl = (v0l ^ v1l ^ v2l ^ v3l) >>> 0;
  out[at] = rl & 255; out[at + 1] = (rl >>> 8) & 255; out[at + 2] = (rl >>> 16) & 255; out[at + 3] = rl >>> 24;
  out[at + 4] = rh & 255; out[at + 5] = (rh >>> 8) & 255; out[at + 6] = (rh >>> 16) & 255; out[at + 7] = rh >>> 24;
}
