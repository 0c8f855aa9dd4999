// Worker thread: SHA-1 of consecutive pieces (see hash-pool.ts), either in a shared slab filled by
// the main thread, or read here from open files (pread) and written to a copy: aligned runs through
// an O_DIRECT descriptor, asynchronously, while the next run is read and hashed; the rest with
// buffered writes (pwrite). For v2 and hybrid torrents (BEP 52) the same read also feeds each
// piece's SHA-256 merkle subtree (merkle.ts); pieces then never span files.
import { createHash, type Hash } from 'node:crypto';
import { readSync, write, writeSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { hashSlab, hashZeros, type Digests } from './hash-slab.js';
import { PieceTree, pieceWidth } from './merkle.js';

// Hashing yields to the tracker: this thread alone (Linux sets the nice value per thread) runs at
// nice 10, so announces answered by the main thread keep their latency while a publish runs.
const HASH_NICE = 10;
try {
  setPriority(HASH_NICE);
} catch {
  // not allowed or not supported: hashing runs at the process's priority
}

/**
 * How a v2 or hybrid job hashes: every piece also gets its merkle subtree root (the `layer` of the
 * reply, 32 bytes a piece); `sha1`: the v1 pieces too (hybrid); `padV1`: a file's last v1 piece is
 * hashed as if followed by zeros up to the piece length (BEP 47 padding files after it).
 */
export interface V2Options {
  sha1: boolean;
  padV1: boolean;
}

export interface SlabJob {
  id: number;
  slab: SharedArrayBuffer;
  length: number;
  pieceLength: number;
  /** v2/hybrid: the slab holds bytes of one file from a piece boundary; `fileSize` known when the slab ends the file, else Infinity. */
  v2?: V2Options & { fileSize: number };
}

/**
 * A byte range of one file: read from fd `from` at `position`, written at the same position to fd
 * `to` (-1: not copied). `direct` (-1: none) is the same copy opened with O_DIRECT: the parts of
 * the range aligned to 4 KiB go through it, bypassing the page cache.
 */
export interface FileSegment {
  from: number;
  to: number;
  direct: number;
  position: number;
  length: number;
  /** The whole file's size (v2/hybrid jobs: a segment ending at it ends its last piece). */
  fileSize?: number;
}

/** Whole pieces (the last may be short) made of consecutive segments of one or more files. */
export interface FileJob {
  id: number;
  segments: FileSegment[];
  pieceLength: number;
  /** v2/hybrid: each segment starts at a piece boundary of its file. */
  v2?: V2Options;
}

// Read and hashed in chunks small enough to stay in the CPU cache between the read and the hash
// (and the buffered write that follows, when there is no direct write).
const CHUNK = 1024 * 1024;
// O_DIRECT: buffer, length and file position aligned to this (the logical block size of disks: 512
// or 4096). One direct write per run (`runBytes`, set by the pool); two run buffers per worker, so
// one is written while the next is read.
const ALIGN = 4096;
const RUNS = 2;
const { writeLock: lockBuffer, runBytes: RUN } = workerData as { writeLock: SharedArrayBuffer; runBytes: number };

declare const WebAssembly: { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } }; // not in lib ES2022

/**
 * A page-aligned buffer (WebAssembly memory is allocated in 64 KiB pages), as O_DIRECT needs; the
 * kernel also copies to and from it faster than from a malloc'ed Buffer, 16 bytes off a page
 * (measured: 1 GiB read and written in 1 MiB chunks, 0.30-0.33 s of system time instead of 0.40-0.46 s).
 */
function alignedBuffer(bytes: number): Buffer {
  return Buffer.from(new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) }).buffer, 0, bytes);
}

let chunkBuf: Buffer | undefined;
const runBufs: Buffer[] = [];

function readFully(fd: number, buf: Buffer, offset: number, length: number, position: number): void {
  let off = 0;
  while (off < length) {
    const n = readSync(fd, buf, offset + off, length - off, position + off);
    if (n === 0) throw Object.assign(new Error('the file became shorter while it was read'), { code: 'ESHRANK' });
    off += n;
  }
}

// One buffered writer at a time across the pool: concurrent buffered writes to one file contend on
// its inode lock, and the waiter spins in the kernel (measured: sys time doubled); a waiter here sleeps.
const writeLock = new Int32Array(lockBuffer);

// Buffered writes of 64 KiB, as cp's copy_file_range does: the page cache takes a write in folios as
// large as the write, and large folios come from memory the VM host may have reclaimed (measured on
// the development box: 1 GiB in 1 MiB writes cost 2.5-3.3 s of system time, in 64 KiB writes 0.43-0.5 s).
const WRITE_BYTES = 64 * 1024;

function writeFully(fd: number, buf: Buffer, offset: number, length: number, position: number): void {
  while (Atomics.compareExchange(writeLock, 0, 0, 1) !== 0) Atomics.wait(writeLock, 0, 1);
  try {
    let off = 0;
    while (off < length) off += writeSync(fd, buf, offset + off, Math.min(WRITE_BYTES, length - off), position + off);
  } finally {
    Atomics.store(writeLock, 0, 0);
    Atomics.notify(writeLock, 0, 1);
  }
}

function writeAsync(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => write(fd, buf, offset, length, position, (e, n) => (e ? reject(e) : resolve(n))));
}

/** Writes an aligned range through the O_DIRECT fd, off this thread (libuv's pool); the buffered fd takes what a direct write refuses. */
async function writeDirect(s: FileSegment, buf: Buffer, offset: number, length: number, position: number): Promise<void> {
  let off = 0;
  try {
    while (off < length) off += await writeAsync(s.direct, buf, offset + off, length - off, position + off);
  } catch (e) {
    // EINVAL: this file system wants a coarser alignment after all; the rest goes through the page cache
    if ((e as NodeJS.ErrnoException).code !== 'EINVAL') throw e;
    writeFully(s.to, buf, offset + off, length - off, position + off);
  }
}

/**
 * Stores buf[offset, offset + length) at `position` of the copy, where buf[offset] sits at
 * `position` modulo ALIGN: the unaligned head and tail (under 4 KiB each) with buffered writes, now;
 * the aligned middle with a direct write, returned to be awaited before the buffer is reused.
 */
function writeRun(s: FileSegment, buf: Buffer, offset: number, length: number, position: number): Promise<void> | undefined {
  const end = position + length;
  const a = Math.ceil(position / ALIGN) * ALIGN;
  const b = Math.floor(end / ALIGN) * ALIGN;
  if (b <= a) {
    writeFully(s.to, buf, offset, length, position);
    return undefined;
  }
  if (a > position) writeFully(s.to, buf, offset, a - position, position);
  if (end > b) writeFully(s.to, buf, offset + (b - position), end - b, b);
  return writeDirect(s, buf, offset + (a - position), b - a, a);
}

// What was last written from each run buffer (settled, never rejecting: a job's own errors are its
// own); a buffer is reused once its write is done, whichever job it belonged to.
const bufferFree: Promise<unknown>[] = [];
let nextRun = 0;

/**
 * Reads, hashes and copies a job's segments; calls `hashed` once every byte is read and hashed (the
 * worker can then start on the next job while this one's last writes finish), and resolves when its
 * writes are done too.
 */
async function hashFiles(job: FileJob, hashed: () => void): Promise<Digests> {
  const { v2, pieceLength } = job;
  const total = job.segments.reduce((sum, g) => sum + g.length, 0);
  const count = v2 === undefined ? Math.ceil(total / pieceLength) : job.segments.reduce((sum, g) => sum + Math.ceil(g.length / pieceLength), 0);
  const sha1 = v2 === undefined || v2.sha1;
  const digests = new Uint8Array(sha1 ? count * 20 : 0);
  const layer = v2 === undefined ? undefined : new Uint8Array(count * 32);
  const tree = v2 === undefined ? null : new PieceTree(pieceLength);
  let piece: Hash | null = sha1 ? createHash('sha1') : null;
  let inPiece = 0;
  let pieces = 0;
  let width = 0; // v2: the current file's piece subtree width
  /** Ends the current piece (v2: it may be a file's short last piece). */
  const endPiece = (): void => {
    if (piece !== null) {
      if (v2?.padV1 === true) hashZeros(piece, pieceLength - inPiece);
      digests.set(piece.digest(), 20 * pieces);
      piece = createHash('sha1');
    }
    if (tree !== null) layer?.set(tree.digest(width), 32 * pieces);
    pieces++;
    inPiece = 0;
  };
  /** Hashes buf[offset, offset + n), n not past the end of the current piece. */
  const hash = (buf: Buffer, offset: number, n: number): void => {
    const bytes = buf.subarray(offset, offset + n);
    piece?.update(bytes);
    tree?.update(bytes);
    inPiece += n;
    if (inPiece === pieceLength) endPiece();
  };
  /** v2: after segment `s`, a file that ended mid-piece ends that piece. */
  const endSegment = (s: FileSegment): void => {
    if (tree !== null && inPiece > 0 && s.position + s.length === s.fileSize) endPiece();
  };
  const writes: Promise<void>[] = [];
  try {
    for (const s of job.segments) {
      if (tree !== null) width = pieceWidth(s.fileSize ?? Number.POSITIVE_INFINITY, pieceLength);
      for (let done = 0; done < s.length;) {
        const position = s.position + done;
        if (s.to < 0 || s.direct < 0) {
          // no direct copy: chunk by chunk, each written (if copied) while it is still in the CPU cache
          const buf = (chunkBuf ??= alignedBuffer(CHUNK));
          const n = Math.min(CHUNK, s.length - done, job.pieceLength - inPiece);
          readFully(s.from, buf, 0, n, position);
          hash(buf, 0, n);
          if (s.to >= 0) writeFully(s.to, buf, 0, n, position);
          done += n;
          continue;
        }
        const slot = nextRun++ % RUNS;
        await bufferFree[slot]; // what was read into this buffer before is written
        const buf = (runBufs[slot] ??= alignedBuffer(RUN + ALIGN));
        const offset = position % ALIGN;
        const length = Math.min(RUN, s.length - done);
        for (let k = 0; k < length;) {
          const n = Math.min(CHUNK, length - k, job.pieceLength - inPiece);
          readFully(s.from, buf, offset + k, n, position + k);
          hash(buf, offset + k, n);
          k += n;
        }
        const w = writeRun(s, buf, offset, length, position);
        if (w !== undefined) {
          writes.push(w);
          bufferFree[slot] = w.catch(() => undefined);
        }
        done += length;
      }
      endSegment(s);
    }
    if (inPiece > 0) {
      if (tree !== null) throw new Error('a v2 job ended inside a piece of a file that goes on');
      digests.set((piece as Hash).digest(), 20 * pieces);
    }
    hashed();
    await Promise.all(writes);
    return layer === undefined ? { digests } : { digests, layer };
  } finally {
    await Promise.allSettled(writes); // no write may outlive the job: its fds are closed after it
  }
}

// Replies: { id, hashed: true } when a file job has read and hashed everything (the pool may send
// the next job), then { id, digests } or { id, error } when it is done, its writes included.
parentPort?.on('message', (job: SlabJob | FileJob) => {
  const hashed = (): void => parentPort?.postMessage({ id: job.id, hashed: true });
  const work = 'slab' in job ? Promise.resolve().then(() => hashSlab(job)) : hashFiles(job, hashed);
  work.then(
    (d) => parentPort?.postMessage({ id: job.id, ...d }, d.layer === undefined ? [d.digests.buffer] : [d.digests.buffer, d.layer.buffer]),
    (e: unknown) => {
      const err = e as NodeJS.ErrnoException;
      parentPort?.postMessage({ id: job.id, error: { message: err.message, code: err.code } });
    },
  );
});
