// layerRoot against a reference written from BEP 52's text: the whole merkle tree over a file's
// 16 KiB blocks (leaves: SHA-256 of each block, the last one short; padded with zero leaves to a
// power of two), its root computed directly from the bytes, compared with the root layerRoot
// builds from the piece layer (the tree's level one piece high).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { layerRoot, MERKLE_BLOCK, zeroSubtreeRoot } from '../../../server/torrent/merkle-root.js';

const sha = (...b: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const x of b) h.update(x);
  return h.digest();
};

/** Every level of the tree over `data`, leaves first (BEP 52). */
function levels(data: Buffer): Buffer[][] {
  const leaves: Buffer[] = [];
  for (let o = 0; o < data.length; o += MERKLE_BLOCK) leaves.push(sha(data.subarray(o, o + MERKLE_BLOCK)));
  let n = 1;
  while (n < leaves.length) n *= 2;
  while (leaves.length < n) leaves.push(Buffer.alloc(32));
  const out = [leaves];
  while (out[out.length - 1].length > 1) {
    const prev = out[out.length - 1];
    const next: Buffer[] = [];
    for (let i = 0; i < prev.length; i += 2) next.push(sha(prev[i], prev[i + 1]));
    out.push(next);
  }
  return out;
}

/** The piece layer of `data`: the level `pieceLength / 16 KiB` leaves high, cut to the file's pieces. */
function pieceLayer(data: Buffer, pieceLength: number): { layer: Buffer; root: Buffer } {
  const all = levels(data);
  const height = Math.log2(pieceLength / MERKLE_BLOCK);
  const pieces = Math.ceil(data.length / pieceLength);
  return { layer: Buffer.concat(all[height].slice(0, pieces)), root: all[all.length - 1][0] };
}

describe('layerRoot', () => {
  const cases: [string, number, number][] = [
    ['two pieces, the second short', 16384 + 5, 16384],
    ['exactly four pieces', 4 * 32768, 32768],
    ['five pieces (padded to eight)', 4 * 65536 + 1, 65536],
    ['many pieces, odd count', 37 * 16384 + 999, 16384],
    ['a piece of four blocks, three pieces', 2 * 65536 + 20000, 65536],
  ];
  for (const [what, size, pieceLength] of cases) {
    it(`equals the root of the whole tree: ${what}`, () => {
      const data = randomBytes(size);
      const { layer, root } = pieceLayer(data, pieceLength);
      assert.deepEqual(layerRoot(layer, pieceLength), root);
    });
  }

  it('takes the padding of a piece of zero leaves, not a hash of zeros', () => {
    assert.deepEqual(zeroSubtreeRoot(1), Buffer.alloc(32));
    assert.deepEqual(zeroSubtreeRoot(4), sha(sha(Buffer.alloc(32), Buffer.alloc(32)), sha(Buffer.alloc(32), Buffer.alloc(32))));
  });
});
