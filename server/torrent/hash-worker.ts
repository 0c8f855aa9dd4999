// Worker thread: SHA-1 of consecutive pieces in a shared slab (see hash-pool.ts).
import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

export interface HashJob {
  id: number;
  slab: SharedArrayBuffer;
  length: number;
  pieceLength: number;
}

parentPort?.on('message', (job: HashJob) => {
  const data = new Uint8Array(job.slab, 0, job.length);
  const n = Math.ceil(job.length / job.pieceLength);
  const digests = new Uint8Array(n * 20);
  for (let i = 0; i < n; i++) {
    const start = i * job.pieceLength;
    const end = Math.min(start + job.pieceLength, job.length);
    digests.set(createHash('sha1').update(data.subarray(start, end)).digest(), i * 20);
  }
  parentPort?.postMessage({ id: job.id, digests }, [digests.buffer]);
});
