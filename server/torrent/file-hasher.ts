// BEP 3 v1 piece hashing of local files, pieces spanning file boundaries: the worker threads read
// the files themselves in blocks of whole pieces (pread), hash them and, when asked, write what they
// read to a copy at the same position (O_DIRECT where the copy has such a descriptor), so the
// pieces describe exactly the copied bytes and no byte passes through the main thread.
// v2 and hybrid (BEP 52): each file starts a piece, and the same read feeds the merkle trees.
import { hashPool, type PieceDigests } from './hash-pool.js';
import type { FileSegment, V2Options } from './hash-worker.js';

/** One file of the torrent, in torrent order. */
export interface HashSource {
  size: number;
  /**
   * Opens it: an fd to read from, one to copy into (-1: no copy) and, optionally, the copy opened
   * with O_DIRECT too (-1: none). Called once, before its first byte is needed; not for empty files.
   */
  open(): Promise<SourceFds>;
  /** Called once when its last block is done, or on failure if it was opened. */
  close(): Promise<void>;
}

export interface SourceFds {
  from: number;
  to: number;
  direct?: number;
}

const BLOCK_TARGET = 8 * 1024 * 1024;

/**
 * The `pieces` string (20-byte SHA-1s in order) of the files one after the other. Rejects with the
 * first read or write error (a file shorter than its `size` included), after every block in
 * flight has settled and every opened file is closed.
 */
export async function hashFiles(files: HashSource[], pieceLength: number): Promise<Buffer> {
  return (await hashAll(files, pieceLength, undefined)).pieces;
}

/**
 * v2/hybrid: the v1 `pieces` (hybrid, else empty) and every piece's merkle root in `layer` (files in
 * order, ceil(size / pieceLength) pieces each; merkle.ts fileHashes splits them per file). Errors
 * as hashFiles.
 */
export async function hashFilesV2(files: HashSource[], pieceLength: number, v2: V2Options): Promise<Required<PieceDigests>> {
  const d = await hashAll(files, pieceLength, v2);
  return { pieces: d.pieces, layer: d.layer ?? Buffer.alloc(0) };
}

async function hashAll(files: HashSource[], pieceLength: number, v2: V2Options | undefined): Promise<PieceDigests> {
  const pool = hashPool();
  const block = Math.max(1, Math.floor(BLOCK_TARGET / pieceLength)) * pieceLength;
  const window = 3 * pool.size; // a worker may be writing one block while it reads the next
  // v2: a file takes whole pieces (its last one short), so every segment starts at a piece boundary
  const span = (size: number): number => (v2 === undefined ? size : Math.ceil(size / pieceLength) * pieceLength);
  const total = files.reduce((s, f) => s + span(f.size), 0);
  const fds: (SourceFds | undefined)[] = [];
  const inFlight = files.map(() => 0);
  let walked = 0; // files before this one are fully dispatched
  let file = 0;
  let offset = 0; // within files[file]
  const results: Promise<PieceDigests>[] = [];
  const running = new Set<Promise<unknown>>();
  let failure: unknown = null;

  const closeIfDone = async (i: number): Promise<void> => {
    if (i < walked && inFlight[i] === 0 && fds[i] !== undefined) {
      fds[i] = undefined;
      await files[i].close();
    }
  };

  try {
    for (let start = 0; start < total && failure === null; start += block) {
      const segments: FileSegment[] = [];
      const touched: number[] = [];
      for (let need = Math.min(block, total - start); need > 0;) {
        const f = files[file];
        const taken = Math.min(need, span(f.size) - offset);
        const n = Math.min(taken, f.size - offset);
        if (n > 0) {
          fds[file] ??= await f.open();
          const { from, to, direct = -1 } = fds[file] as SourceFds;
          segments.push({ from, to, direct, position: offset, length: n, fileSize: f.size });
          touched.push(file);
          inFlight[file]++;
          offset += n;
          need -= taken;
        }
        if (offset === f.size) {
          file++;
          offset = 0;
          walked = file;
        }
      }
      const done = pool.hashFileRange(segments, pieceLength, v2);
      results.push(done);
      const settled: Promise<unknown> = done.then(
        () => undefined,
        (e: unknown) => { failure ??= e; },
      ).finally(async () => {
        running.delete(settled);
        for (const i of touched) inFlight[i]--;
        for (const i of touched) await closeIfDone(i);
      });
      running.add(settled);
      if (running.size >= window) await Promise.race(running);
    }
    while (running.size > 0) await Promise.race(running);
    if (failure !== null) throw failure;
    const all = await Promise.all(results);
    const pieces = Buffer.concat(all.map((d) => d.pieces));
    return v2 === undefined ? { pieces } : { pieces, layer: Buffer.concat(all.map((d) => d.layer as Buffer)) };
  } finally {
    // after a failure: wait for blocks in flight (their fds stay open until they settle), then close
    await Promise.allSettled([...running]);
    for (let i = 0; i < files.length; i++) {
      if (fds[i] !== undefined) {
        fds[i] = undefined;
        await files[i].close().catch(() => undefined);
      }
    }
  }
}
