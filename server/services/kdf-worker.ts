// Worker thread: scrypt for kdf-pool.ts, at nice 10 (Linux sets the nice value per thread). On
// libuv's pool, scrypt (about 32 MiB and tens of ms of CPU each) ran at the process's priority, so
// a burst of sign-ins took the CPU from the thread that answers announces; here it yields to it.
import { scryptSync } from 'node:crypto';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';

export interface KdfJob {
  id: number;
  password: string;
  salt: Uint8Array;
  keylen: number;
  N: number;
  r: number;
  p: number;
  maxmem: number;
}

export type KdfReply = { id: number; key: Uint8Array } | { id: number; error: { message: string; code?: string } };

const KDF_NICE = 10;
try {
  setPriority(KDF_NICE);
} catch {
  // not allowed or not supported: the hash runs at the process's priority
}

parentPort?.on('message', (job: KdfJob) => {
  let reply: KdfReply;
  try {
    const key = scryptSync(job.password, job.salt, job.keylen, { N: job.N, r: job.r, p: job.p, maxmem: job.maxmem });
    reply = { id: job.id, key };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    reply = { id: job.id, error: { message: err.message, code: err.code } };
  }
  parentPort?.postMessage(reply);
});
