// A process-wide pool of worker threads that hash slabs of pieces in parallel, so piece hashing
// uses every core while the main thread moves bytes.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

interface Pending {
  resolve(d: Buffer): void;
  reject(e: Error): void;
}

class HashPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { job: object; p: Pending }[] = [];
  private readonly pending = new Map<number, Pending>();
  private busy = new Map<Worker, number>();
  private nextId = 1;

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(new URL('./hash-worker.js', import.meta.url));
      w.on('message', (m: { id: number; digests: Uint8Array }) => {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        this.busy.delete(w);
        p?.resolve(Buffer.from(m.digests.buffer, m.digests.byteOffset, m.digests.byteLength));
        this.next(w);
      });
      w.on('error', (e) => {
        const id = this.busy.get(w);
        if (id !== undefined) this.pending.get(id)?.reject(e);
      });
      w.unref(); // after the listeners (which ref it): idle workers never hold the process open
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  private next(w: Worker): void {
    const item = this.queue.shift();
    if (item === undefined) {
      w.unref();
      this.idle.push(w);
      return;
    }
    this.dispatch(w, item.job as { id: number }, item.p);
  }

  private dispatch(w: Worker, job: { id: number }, p: Pending): void {
    this.pending.set(job.id, p);
    this.busy.set(w, job.id);
    w.ref(); // a worker with a job keeps the process alive; an idle one does not
    w.postMessage(job);
  }

  /** SHA-1 digests (20 bytes each, in order) of the pieces in slab[0, length). */
  hash(slab: SharedArrayBuffer, length: number, pieceLength: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const job = { id: this.nextId++, slab, length, pieceLength };
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
