// scrypt on worker threads at nice 10 (kdf-worker.ts) instead of libuv's pool at the process's
// priority: a burst of sign-ins (300 at once, of which the limiter lets a few reach the hash)
// then yields the CPU to the event loop that answers announces. Workers start on first use, one
// per core up to 4 (libuv's pool has 4 threads), and never hold the process open while idle.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { KdfJob, KdfReply } from './kdf-worker.js';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
  maxmem: number;
}

interface Pending {
  resolve: (key: Buffer) => void;
  reject: (e: Error) => void;
}

const POOL_SIZE = Math.max(1, Math.min(4, availableParallelism()));

class KdfPool {
  private readonly idle: Worker[] = [];
  private readonly queue: KdfJob[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly jobOf = new Map<Worker, number>();
  private readonly live = new Set<Worker>();
  private nextId = 1;

  run(password: string, salt: Buffer, keylen: number, params: ScryptParams): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const job: KdfJob = { id: this.nextId++, password, salt, keylen, ...params };
      this.pending.set(job.id, { resolve, reject });
      const w = this.idle.pop() ?? (this.live.size < POOL_SIZE ? this.start() : undefined);
      if (w === undefined) this.queue.push(job);
      else this.dispatch(w, job);
    });
  }

  private start(): Worker {
    const w = new Worker(new URL('./kdf-worker.js', import.meta.url));
    this.live.add(w);
    w.on('message', (m: KdfReply) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      this.jobOf.delete(w);
      if ('key' in m) p?.resolve(Buffer.from(m.key.buffer, m.key.byteOffset, m.key.byteLength));
      else p?.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
      const next = this.queue.shift();
      if (next !== undefined) this.dispatch(w, next);
      else {
        w.unref();
        this.idle.push(w);
      }
    });
    w.on('error', (e) => this.lost(w, e));
    w.on('exit', (code) => this.lost(w, new Error(`password hashing thread exited (${code})`)));
    return w;
  }

  /** A worker that failed or exited: its job fails, it is replaced on the next use. */
  private lost(w: Worker, e: Error): void {
    if (!this.live.delete(w)) return; // 'exit' after 'error'
    const id = this.jobOf.get(w);
    if (id !== undefined) {
      this.pending.get(id)?.reject(e);
      this.pending.delete(id);
      this.jobOf.delete(w);
    }
    const i = this.idle.indexOf(w);
    if (i !== -1) this.idle.splice(i, 1);
    const next = this.queue.shift();
    if (next !== undefined) this.dispatch(this.start(), next);
  }

  private dispatch(w: Worker, job: KdfJob): void {
    this.jobOf.set(w, job.id);
    w.ref(); // a worker with a job keeps the process alive; an idle one does not
    w.postMessage(job);
  }
}

let pool: KdfPool | undefined;

/** scrypt of `password` on a hashing thread; rejects as crypto.scrypt would (bad parameters, maxmem). */
export function scryptOnWorker(password: string, salt: Buffer, keylen: number, params: ScryptParams): Promise<Buffer> {
  pool ??= new KdfPool();
  return pool.run(password, salt, keylen, params);
}
