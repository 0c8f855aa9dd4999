// Large torrents into SQLite off the main thread. better-sqlite3 runs every statement on the calling
// thread, and one transaction cannot interleave with other requests on the server's single
// connection (their queries would run inside it), so a 20,000-file torrent held the event loop, and
// every announce, 25-50 ms. A worker thread with its own connection to the same WAL database writes
// the whole transaction instead; the server's connection keeps reading meanwhile (a write of its own
// waits for the lock, as between two processes). Small torrents stay in place: a thread round trip
// costs more than their insert.
import { Worker } from 'node:worker_threads';
import { rowFields, type NewTorrent } from '../../services/torrent-rows.js';
import { packFiles } from '../../torrent/packed-files.js';
import type { InsertJob, InsertReply } from './insert-worker.js';

/** Torrents with at least this many files are inserted by the worker (1,000 files: about 2 ms in place). */
export const OFF_LOOP_MIN_FILES = 1000;

/** An error of the worker's driver, with its code (SQLITE_CONSTRAINT_UNIQUE...) as the driver gives it. */
export class InsertError extends Error {
  constructor(message: string, readonly code: string | undefined) {
    super(message);
  }
}

/** A worker idle this long is stopped (its connection closed); the next large insert starts another. */
export const IDLE_WORKER_MS = 10_000;

type Pending = { resolve(id: number): void; reject(e: Error): void };
type InsertThread = { w: Worker; pending: Map<number, Pending>; idle: NodeJS.Timeout | null };

const threads = new Map<string, InsertThread>();
let nextId = 1;

function start(file: string): InsertThread {
  const t: InsertThread = { w: new Worker(new URL('./insert-worker.js', import.meta.url), { workerData: { file } }), pending: new Map(), idle: null };
  t.w.on('message', (r: InsertReply) => {
    const p = t.pending.get(r.id);
    t.pending.delete(r.id);
    if (t.pending.size === 0) {
      t.w.unref(); // an idle worker does not keep the process alive
      t.idle = setTimeout(() => { if (threads.get(file) === t) threads.delete(file); void t.w.terminate(); }, IDLE_WORKER_MS).unref();
    }
    if (r.rowId !== undefined) p?.resolve(r.rowId);
    else p?.reject(new InsertError(r.error ?? 'insert failed', r.code));
  });
  const lost = (e: Error): void => {
    if (threads.get(file) === t) threads.delete(file);
    for (const p of t.pending.values()) p.reject(e);
    t.pending.clear();
  };
  t.w.on('error', lost);
  t.w.on('exit', (code) => lost(new Error(`SQLite insert thread exited (${code})`)));
  return t;
}

/** Inserts `row` (torrent, files, counter) in one transaction on a worker's connection to `file`; resolves the row id. */
export function insertOffLoop(file: string, row: NewTorrent): Promise<number> {
  let t = threads.get(file);
  if (t === undefined) threads.set(file, (t = start(file)));
  if (t.idle !== null) { clearTimeout(t.idle); t.idle = null; }
  t.w.ref();
  const id = nextId++;
  const thread = t;
  return new Promise<number>((resolve, reject) => {
    thread.pending.set(id, { resolve, reject });
    thread.w.postMessage({ id, torrent: rowFields(row), packed: row.packedFiles ?? packFiles(row.files) } satisfies InsertJob);
  });
}

/** Stops every insert worker (shutdown, tests); a later insert starts a new one. */
export async function stopInsertWorkers(): Promise<void> {
  const all = [...threads.values()];
  threads.clear();
  await Promise.all(all.map((t) => t.w.terminate()));
}
