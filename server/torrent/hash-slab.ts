// The hashing threads' slab jobs (hash-pool.ts): SHA-1 of consecutive pieces of a shared slab
// filled by the main thread; for v2 and hybrid torrents (BEP 52) one file's pieces, each also
// hashed as its merkle subtree, a hybrid's short last piece as if followed by its padding zeros.
import { createHash, type Hash } from 'node:crypto';
import type { SlabJob, V2Options } from './hash-worker.js';
import { PieceTree, pieceWidth } from './merkle.js';

const ZEROS = Buffer.alloc(1024 * 1024);

/** Feeds `n` zero bytes to a SHA-1 (a BEP 47 padding file). */
export function hashZeros(h: Hash, n: number): void {
  for (let left = n; left > 0; left -= ZEROS.length) h.update(left >= ZEROS.length ? ZEROS : ZEROS.subarray(0, left));
}

export interface Digests {
  digests: Uint8Array<ArrayBuffer>;
  layer?: Uint8Array<ArrayBuffer>;
}

/** v2/hybrid slab: pieces of one file, each hashed by SHA-1 (hybrid) and by its merkle subtree. */
function hashSlabV2(job: SlabJob, v2: V2Options & { fileSize: number }): Digests {
  const data = new Uint8Array(job.slab, 0, job.length);
  const n = Math.ceil(job.length / job.pieceLength);
  const digests = new Uint8Array(v2.sha1 ? n * 20 : 0);
  const layer = new Uint8Array(n * 32);
  const tree = new PieceTree(job.pieceLength);
  const width = pieceWidth(v2.fileSize, job.pieceLength);
  for (let i = 0; i < n; i++) {
    const piece = data.subarray(i * job.pieceLength, Math.min((i + 1) * job.pieceLength, job.length));
    if (v2.sha1) {
      const h = createHash('sha1').update(piece);
      if (v2.padV1) hashZeros(h, job.pieceLength - piece.length);
      digests.set(h.digest(), i * 20);
    }
    tree.update(piece);
    layer.set(tree.digest(width), i * 32);
  }
  return { digests, layer };
}

/** The digests of a slab job: v1 SHA-1 pieces, or (job.v2) the v2/hybrid ones with each piece's merkle root in `layer`. */
export function hashSlab(job: SlabJob): Digests {
  if (job.v2 !== undefined) return hashSlabV2(job, job.v2);
  const data = new Uint8Array(job.slab, 0, job.length);
  const n = Math.ceil(job.length / job.pieceLength);
  const digests = new Uint8Array(n * 20);
  for (let i = 0; i < n; i++) {
    const start = i * job.pieceLength;
    const end = Math.min(start + job.pieceLength, job.length);
    digests.set(createHash('sha1').update(data.subarray(start, end)).digest(), i * 20);
  }
  return { digests };
}

