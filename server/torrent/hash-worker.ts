// Worker thread: SHA-1 of consecutive pieces (see hash-pool.ts), either in a shared slab filled by
// the main thread, or read here from open files (pread), each chunk also written to a copy (pwrite).
import { createHash, type Hash } from 'node:crypto';
import { readSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

export interface SlabJob {
  id: number;
  slab: SharedArrayBuffer;
  length: number;
  pieceLength: number;
}

/** A byte range of one file: read from fd `from` at `position`, written at the same position to fd `to` (-1: not copied). */
export interface FileSegment {
  from: number;
  to: number;
  position: number;
  length: number;
}

/** Whole pieces (the last may be short) made of consecutive segments of one or more files. */
export interface FileJob {
  id: number;
  segments: FileSegment[];
  pieceLength: number;
}

// small enough to stay in the CPU cache between the read, the hash and the write
const CHUNK = 1024 * 1024;
let chunkBuf: Buffer | undefined;

declare const WebAssembly: { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } }; // not in lib ES2022

/**
 * A page-aligned buffer (WebAssembly memory is allocated in 64 KiB pages): the kernel copies to and
 * from it faster than from a malloc'ed Buffer, 16 bytes off a page (measured: 1 GiB read and
 * written in 1 MiB chunks, 0.30-0.33 s of system time instead of 0.40-0.46 s).
 */
function alignedBuffer(bytes: number): Buffer {
  return Buffer.from(new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) }).buffer, 0, bytes);
}

function hashSlab(job: SlabJob): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(job.slab, 0, job.length);
  const n = Math.ceil(job.length / job.pieceLength);
  const digests = new Uint8Array(n * 20);
  for (let i = 0; i < n; i++) {
    const start = i * job.pieceLength;
    const end = Math.min(start + job.pieceLength, job.length);
    digests.set(createHash('sha1').update(data.subarray(start, end)).digest(), i * 20);
  }
  return digests;
}

function readFully(fd: number, buf: Buffer, length: number, position: number): void {
  let off = 0;
  while (off < length) {
    const n = readSync(fd, buf, off, length - off, position + off);
    if (n === 0) throw Object.assign(new Error('the file became shorter while it was read'), { code: 'ESHRANK' });
    off += n;
  }
}

// One writer at a time across the pool: concurrent buffered writes to one file contend on its inode
// lock, and the waiter spins in the kernel (measured: sys time doubled); a waiter here sleeps.
const writeLock = new Int32Array((workerData as { writeLock: SharedArrayBuffer }).writeLock);

// Writes of 64 KiB, as cp's copy_file_range does: the page cache takes a write in folios as large as
// the write, and large folios come from memory the VM host may have reclaimed (measured on the
// development box: 1 GiB in 1 MiB writes cost 2.5-3.3 s of system time, in 64 KiB writes 0.43-0.5 s).
const WRITE_BYTES = 64 * 1024;

function writeFully(fd: number, buf: Buffer, length: number, position: number): void {
  while (Atomics.compareExchange(writeLock, 0, 0, 1) !== 0) Atomics.wait(writeLock, 0, 1);
  try {
    let off = 0;
    while (off < length) off += writeSync(fd, buf, off, Math.min(WRITE_BYTES, length - off), position + off);
  } finally {
    Atomics.store(writeLock, 0, 0);
    Atomics.notify(writeLock, 0, 1);
  }
}

function hashFiles(job: FileJob): Uint8Array<ArrayBuffer> {
  const buf = (chunkBuf ??= alignedBuffer(CHUNK));
  const total = job.segments.reduce((s, g) => s + g.length, 0);
  const digests = new Uint8Array(Math.ceil(total / job.pieceLength) * 20);
  let piece: Hash = createHash('sha1');
  let inPiece = 0;
  let pieces = 0;
  for (const s of job.segments) {
    for (let done = 0; done < s.length;) {
      const n = Math.min(CHUNK, s.length - done, job.pieceLength - inPiece);
      readFully(s.from, buf, n, s.position + done);
      piece.update(buf.subarray(0, n));
      if (s.to >= 0) writeFully(s.to, buf, n, s.position + done);
      done += n;
      inPiece += n;
      if (inPiece === job.pieceLength) {
        digests.set(piece.digest(), 20 * pieces++);
        piece = createHash('sha1');
        inPiece = 0;
      }
    }
  }
  if (inPiece > 0) digests.set(piece.digest(), 20 * pieces);
  return digests;
}

parentPort?.on('message', (job: SlabJob | FileJob) => {
  try {
    const digests = 'slab' in job ? hashSlab(job) : hashFiles(job);
    parentPort?.postMessage({ id: job.id, digests }, [digests.buffer]);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    parentPort?.postMessage({ id: job.id, error: { message: err.message, code: err.code } });
  }
});
