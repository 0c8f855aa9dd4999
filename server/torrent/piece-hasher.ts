// BEP 3 v1 piece hashing in one pass over a stream of bytes that may span several files: bytes
// are copied into shared slabs of whole pieces, which worker threads hash while more bytes arrive.
// Memory stays at a few slabs whatever the size; feed() waits when every slab is busy.
// v2 and hybrid (BEP 52): endFile() after each file; a slab then holds one file's bytes, and the
// workers also hash each piece's merkle subtree.
import { hashPool, type PieceDigests } from './hash-pool.js';
import type { V2Options } from './hash-worker.js';

const SLAB_TARGET = 4 * 1024 * 1024;
const SLABS = 4;

export class PieceHasher {
  private readonly slabBytes: number;
  private readonly free: SharedArrayBuffer[] = [];
  private waiting: (() => void)[] = [];
  private current: { slab: SharedArrayBuffer; view: Uint8Array; used: number } | null = null;
  private readonly digests: Promise<PieceDigests>[] = [];
  /** v2: bytes of the current file in slabs already dispatched. */
  private fileOffset = 0;
  private failed: Error | null = null;
  /** Bytes fed so far. */
  total = 0;

  /** `v2`: hash as a v2 or hybrid torrent (call endFile() after each file). */
  constructor(readonly pieceLength: number, private readonly v2?: V2Options) {
    this.slabBytes = Math.max(1, Math.floor(SLAB_TARGET / pieceLength)) * pieceLength;
    for (let i = 0; i < SLABS; i++) this.free.push(new SharedArrayBuffer(this.slabBytes));
  }

  private async takeSlab(): Promise<void> {
    while (this.free.length === 0) await new Promise<void>((r) => this.waiting.push(r));
    const slab = this.free.pop() as SharedArrayBuffer;
    this.current = { slab, view: new Uint8Array(slab), used: 0 };
  }

  private dispatch(fileEnd = false): void {
    const c = this.current;
    if (c === null || c.used === 0) return;
    this.current = null;
    const pool = hashPool();
    let done: Promise<PieceDigests>;
    if (this.v2 === undefined) done = pool.hash(c.slab, c.used, this.pieceLength).then((pieces) => ({ pieces }));
    else {
      const fileSize = fileEnd ? this.fileOffset + c.used : Number.POSITIVE_INFINITY;
      done = pool.hashV2(c.slab, c.used, this.pieceLength, { ...this.v2, fileSize });
      this.fileOffset += c.used;
    }
    done.catch((e: Error) => { this.failed = e; }).finally(() => {
      this.free.push(c.slab);
      this.waiting.shift()?.();
    });
    this.digests.push(done);
  }

  /** Adds bytes; resolves when they are copied (so the caller may reuse `chunk`). */
  async update(chunk: Uint8Array): Promise<void> {
    if (this.failed) throw this.failed;
    let off = 0;
    while (off < chunk.length) {
      if (this.current === null) await this.takeSlab();
      const c = this.current as { view: Uint8Array; used: number };
      const take = Math.min(this.slabBytes - c.used, chunk.length - off);
      c.view.set(take === chunk.length ? chunk : chunk.subarray(off, off + take), c.used);
      c.used += take;
      off += take;
      if (c.used === this.slabBytes) this.dispatch();
    }
    this.total += chunk.length;
  }

  /** v2/hybrid: the current file is complete; its last piece (maybe short) is hashed on its own. */
  endFile(): void {
    if (this.v2 === undefined) return;
    this.dispatch(true);
    this.fileOffset = 0;
  }

  /** The `pieces` string: every piece's SHA-1 (the last piece may be short). */
  async digest(): Promise<Buffer> {
    return (await this.digestAll()).pieces;
  }

  /** v2/hybrid, after the last endFile(): the v1 pieces (hybrid) and each piece's merkle root, files in order. */
  async digestV2(): Promise<Required<PieceDigests>> {
    const d = await this.digestAll();
    return { pieces: d.pieces, layer: d.layer ?? Buffer.alloc(0) };
  }

  private async digestAll(): Promise<PieceDigests> {
    this.dispatch(true);
    const parts = await Promise.all(this.digests);
    if (this.failed) throw this.failed;
    const pieces = Buffer.concat(parts.map((d) => d.pieces));
    return this.v2 === undefined ? { pieces } : { pieces, layer: Buffer.concat(parts.map((d) => d.layer as Buffer)) };
  }
}
