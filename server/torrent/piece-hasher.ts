// BEP 3 v1 piece hashing in one pass over a stream of bytes that may span several files: bytes
// are copied into shared slabs of whole pieces, which worker threads hash while more bytes arrive.
// Memory stays at a few slabs whatever the size; feed() waits when every slab is busy.
import { hashPool } from './hash-pool.js';

const SLAB_TARGET = 4 * 1024 * 1024;
const SLABS = 4;

export class PieceHasher {
  private readonly slabBytes: number;
  private readonly free: SharedArrayBuffer[] = [];
  private waiting: (() => void)[] = [];
  private current: { slab: SharedArrayBuffer; view: Uint8Array; used: number } | null = null;
  private readonly digests: Promise<Buffer>[] = [];
  private failed: Error | null = null;
  /** Bytes fed so far. */
  total = 0;

  constructor(readonly pieceLength: number) {
    this.slabBytes = Math.max(1, Math.floor(SLAB_TARGET / pieceLength)) * pieceLength;
    for (let i = 0; i < SLABS; i++) this.free.push(new SharedArrayBuffer(this.slabBytes));
  }

  private async takeSlab(): Promise<void> {
    while (this.free.length === 0) await new Promise<void>((r) => this.waiting.push(r));
    const slab = this.free.pop() as SharedArrayBuffer;
    this.current = { slab, view: new Uint8Array(slab), used: 0 };
  }

  private dispatch(): void {
    const c = this.current;
    if (c === null || c.used === 0) return;
    this.current = null;
    const done = hashPool().hash(c.slab, c.used, this.pieceLength);
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

  /** The `pieces` string: every piece's SHA-1 (the last piece may be short). */
  async digest(): Promise<Buffer> {
    this.dispatch();
    const parts = await Promise.all(this.digests);
    if (this.failed) throw this.failed;
    return Buffer.concat(parts);
  }
}
