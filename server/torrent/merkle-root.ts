// The merkle root of a v2 file from its piece layer (BEP 52): the tree is built over 16 KiB
// blocks, padded to a power of two with zero leaves; a piece layer holds the tree's nodes one
// piece high, so its root is the tree over those hashes padded with the hash of a piece of zero
// leaves. Used to check a registered torrent's `piece layers`, never on the announce path.
import { createHash } from 'node:crypto';

/** Bytes per merkle leaf (BEP 52). */
export const MERKLE_BLOCK = 16 * 1024;

const pair = (a: Uint8Array, b: Uint8Array): Buffer => createHash('sha256').update(a).update(b).digest();

/** The root of a subtree of `leaves` zero leaves (32 zero bytes each); `leaves` a power of two. */
export function zeroSubtreeRoot(leaves: number): Buffer {
  let h: Buffer = Buffer.alloc(32);
  for (let n = leaves; n > 1; n /= 2) h = pair(h, h);
  return h;
}

/** The merkle root over a piece layer (32-byte hashes, one per piece of `pieceLength`, a power of two of at least MERKLE_BLOCK). */
export function layerRoot(layer: Uint8Array, pieceLength: number): Buffer {
  let pad: Buffer = zeroSubtreeRoot(pieceLength / MERKLE_BLOCK);
  let level: Uint8Array[] = [];
  for (let o = 0; o < layer.length; o += 32) level.push(layer.subarray(o, o + 32));
  if (level.length === 1) return Buffer.from(level[0]);
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(pair(level[i], i + 1 < level.length ? level[i + 1] : pad));
    pad = pair(pad, pad);
    level = next;
  }
  return level[0] as Buffer;
}
