// A process-wide pool of worker threads that hash pieces in parallel, so piece hashing uses every
// core: slabs filled by the main thread, or byte ranges of open files read (and copied) by the
// workers themselves.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FileJob, FileSegment, SlabJob, V2Options } from './hash-worker.js';

/** A job's digests: v1 SHA-1 pieces (20 bytes each; none for v2) and, for v2/hybrid, each piece's merkle root (32 bytes each). */
export interface PieceDigests {
  pieces: Buffer;
  layer?: Buffer;
}

interface Pending {
  resolve(d: PieceDigests): void;
  reject(e: Error): void;
}

// Buffers for direct copies (hash-worker.ts: two runs per worker) stay within this across the pool:
// 8 MiB runs on 2 cores, smaller ones with more workers, never under 1 MiB (measured here: one
// stream of 1 MiB O_DIRECT writes reaches 2.1 GB/s, of 8 MiB writes 2.4 GB/s).
const DIRECT_BUFFERS_BUDGET = 32 * 1024 * 1024;

/** The size of one direct write run for a pool of `size` workers: a power of two from 1 to 8 MiB. */
export function directRunBytes(size: number): number {
  let run = 8 * 1024 * 1024;
  while (run > 1024 * 1024 && 2 * run * size > DIRECT_BUFFERS_BUDGET) run /= 2;
  return run;
}

type Reply = { id: number; hashed?: true; digests?: Uint8Array; layer?: Uint8Array; error?: { message: string; code?: string } };

class HashPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { job: object; p: Pending }[] = [];
  private readonly pending = new Map<number, Pending>();
  /** The job a worker is working on; it takes the next once that one is hashed. */
  private readonly current = new Map<Worker, number>();
  /** Every job a worker has not finished (a hashed one may still be writing its copy). */
  private readonly unfinished = new Map<Worker, Set<number>>();
  private nextId = 1;

  constructor(size: number) {
    const writeLock = new SharedArrayBuffer(4);
    const runBytes = directRunBytes(size);
    for (let i = 0; i < size; i++) {
      const w = new Worker(new URL('./hash-worker.js', import.meta.url), { workerData: { writeLock, runBytes } });
      const jobs = new Set<number>();
      this.unfinished.set(w, jobs);
      w.on('message', (m: Reply) => {
        if (m.hashed !== true) {
          const p = this.pending.get(m.id);
          this.pending.delete(m.id);
          jobs.delete(m.id);
          if (m.error !== undefined) p?.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
          else if (m.digests !== undefined) {
            const view = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
            p?.resolve(m.layer === undefined ? { pieces: view(m.digests) } : { pieces: view(m.digests), layer: view(m.layer) });
          }
        }
        if (this.current.get(w) === m.id) {
          this.current.delete(w);
          this.next(w);
        } else if (jobs.size === 0 && !this.current.has(w)) {
          w.unref();
        }
      });
      w.on('error', (e) => {
        for (const id of jobs) this.pending.get(id)?.reject(e);
      });
      w.unref(); // after the listeners (which ref it): idle workers never hold the process open
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  private next(w: Worker): void {
    const item = this.queue.shift();
    if (item === undefined) {
      // a worker still writing a hashed job's copy keeps the process alive until it is done
      if (this.unfinished.get(w)?.size === 0) w.unref();
      this.idle.push(w);
      return;
    }
    this.dispatch(w, item.job as { id: number }, item.p);
  }

  private dispatch(w: Worker, job: { id: number }, p: Pending): void {
    this.pending.set(job.id, p);
    this.current.set(w, job.id);
    this.unfinished.get(w)?.add(job.id);
    w.ref(); // a worker with a job keeps the process alive; an idle one does not
    w.postMessage(job);
  }

  /** Number of worker threads. */
  get size(): number {
    return this.workers.length;
  }

  /** SHA-1 digests (20 bytes each, in order) of the pieces in slab[0, length). */
  hash(slab: SharedArrayBuffer, length: number, pieceLength: number): Promise<Buffer> {
    return this.run({ id: this.nextId++, slab, length, pieceLength }).then((d) => d.pieces);
  }

  /** v2/hybrid: the digests of slab[0, length), bytes of one file from a piece boundary (see SlabJob). */
  hashV2(slab: SharedArrayBuffer, length: number, pieceLength: number, v2: V2Options & { fileSize: number }): Promise<PieceDigests> {
    return this.run({ id: this.nextId++, slab, length, pieceLength, v2 });
  }

  /**
   * SHA-1 digests of the pieces made of `segments` one after the other (whole pieces, the last may
   * be short), read with pread by a worker and written to each segment's `to` at the same
   * position. Rejects with the file system error (its `code` kept) of a failed read or write.
   */
  hashFileRange(segments: FileSegment[], pieceLength: number, v2?: V2Options): Promise<PieceDigests> {
    return this.run(v2 === undefined ? { id: this.nextId++, segments, pieceLength } : { id: this.nextId++, segments, pieceLength, v2 });
  }

  private run(job: SlabJob | FileJob): Promise<PieceDigests> {
    return new Promise((resolve, reject) => {
      const w = this.idle.pop();
      if (w !== undefined) this.dispatch(w, job, { resolve, reject });
      else this.queue.push({ job, p: { resolve, reject } });
    });
  }
}

let pool: HashPool | undefined;

/** The shared pool, started on first use with one worker per core. */
export function hashPool(): HashPool {
  pool ??= new HashPool(Math.max(1, availableParallelism()));
  return pool;
}
