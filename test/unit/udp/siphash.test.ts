import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sipHash24 } from '../../../server/udp/siphash.js';

// The reference implementation's vectors: key 00..0f, message 00..(n-1); outputs as bytes (OpenSSL's SIPHASH, size 8, agrees).
const VECTORS: [number, string][] = [[0, '310e0edd47db6f72'], [8, '6224939a79f5f593'], [15, 'e545be4961ca29a1'], [63, '724506eb4c328a95']];

describe('sipHash24', () => {
  it('gives the reference vectors', () => {
    const key = Uint8Array.from({ length: 16 }, (_, i) => i);
    for (const [n, hex] of VECTORS) {
      const out = Buffer.alloc(8);
      sipHash24(key, Uint8Array.from({ length: n }, (_, i) => i), n, out, 0);
      assert.equal(out.toString('hex'), hex, `message of ${n} bytes`);
    }
  });
});
