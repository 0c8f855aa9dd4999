import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { PieceHasher } from '../../../server/torrent/piece-hasher.js';

const reference = (data: Buffer, pl: number): Buffer => {
  const out: Buffer[] = [];
  for (let o = 0; o < data.length; o += pl) out.push(createHash('sha1').update(data.subarray(o, o + pl)).digest());
  return Buffer.concat(out);
};

describe('PieceHasher', () => {
  for (const [size, pl] of [[1, 16384], [16384, 16384], [16385, 16384], [5 * 1024 * 1024 + 77, 32768], [9 * 1024 * 1024 + 3, 4 * 1024 * 1024]] as const) {
    it(`hashes ${size} bytes in pieces of ${pl} whatever the chunking`, async () => {
      const data = randomBytes(size);
      const h = new PieceHasher(pl);
      let o = 0;
      let k = 1;
      while (o < data.length) {
        const n = Math.min(data.length - o, (k * 7919) % 200_000 + 1);
        await h.update(data.subarray(o, o + n));
        o += n;
        k++;
      }
      assert.equal(h.total, size);
      assert.deepEqual(await h.digest(), reference(data, pl));
    });
  }

  it('gives no pieces for no bytes', async () => {
    assert.equal((await new PieceHasher(16384).digest()).length, 0);
  });
});
