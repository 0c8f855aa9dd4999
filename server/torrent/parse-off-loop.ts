// parseTorrent off the main thread for large files: a decode of a 1 MiB, 20,000-file .torrent
// takes about 0.1 s of CPU, which on the main thread would hold every announce that long. Small
// files (most) are parsed in place: a worker round trip costs more than their parse.
import { Worker } from 'node:worker_threads';
import type { Metainfo } from './metainfo.js';
import { lazyFiles, unpackFiles } from './packed-files.js';
import type { ParseJob, ParseReply } from './parse-worker.js';
import { parseTorrent, TorrentError, type ParseOptions } from './parse-torrent.js';

/** .torrent files up to this size are parsed on the calling thread (about 1,000 files: a few ms). */
export const PARSE_IN_PLACE_BYTES = 64 * 1024;

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, { resolve(m: Metainfo): void; reject(e: Error): void }>();

function start(): Worker {
  const w = new Worker(new URL('./parse-worker.js', import.meta.url));
  w.on('message', (r: ParseReply) => {
    const p = pending.get(r.id);
    pending.delete(r.id);
    if (pending.size === 0) w.unref(); // an idle worker does not keep the process alive
    const packed = r.packed;
    if (r.meta !== undefined && packed !== undefined) p?.resolve(lazyFiles(Object.assign(r.meta, { packedFiles: packed }), () => unpackFiles(packed)));
    else p?.reject(r.torrentError === true ? new TorrentError(r.error) : new Error(r.error));
  });
  const lost = (e: Error): void => {
    if (worker === w) worker = null;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  w.on('error', lost);
  w.on('exit', (code) => lost(new Error(`torrent parser thread exited (${code})`)));
  return w;
}

/**
 * parseTorrent, on a worker thread when `buf` is larger than PARSE_IN_PLACE_BYTES (then the result
 * carries `packedFiles`, and its `files` are unpacked on first read). Same errors.
 */
export async function parseTorrentOffLoop(buf: Uint8Array, opts: ParseOptions = {}): Promise<Metainfo> {
  if (buf.length <= PARSE_IN_PLACE_BYTES) return parseTorrent(buf, opts);
  worker ??= start();
  worker.ref();
  const id = nextId++;
  return new Promise<Metainfo>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    // copied (not transferred): the caller keeps its buffer for the row
    (worker as Worker).postMessage({ id, buf, opts } satisfies ParseJob);
  });
}
