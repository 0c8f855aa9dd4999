// A torrent row and its file rows in one transaction through TypeORM, the files in multi-row
// INSERTs: one statement per FILE_ROWS_PER_INSERT files instead of one per file (a 20,000-file
// torrent: 40 statements, not 20,000).
import type { DataSource, EntityManager } from 'typeorm';
import { TorrentFileEntity } from '../db/entities/torrent-file.entity.js';
import { TorrentEntity } from '../db/entities/torrent.entity.js';
import { insertOffLoop, OFF_LOOP_MIN_FILES } from '../db/direct/insert-off-loop.js';
import { searchText } from '../db/search-text.js';
import { bumpCounter, TORRENTS_COUNTER } from './change-counter.js';
import { lazyFiles } from '../torrent/packed-files.js';
import { fileCount, rowFields, type NewTorrent } from './torrent-rows.js';

/** File rows per INSERT statement (4 parameters each: within either driver's limits). */
export const FILE_ROWS_PER_INSERT = 500;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The entity of a new row; its `files` are made on first read (GraphQL reads them from the database). */
export function torrentEntity(t: NewTorrent): TorrentEntity {
  const e = Object.assign(new TorrentEntity(), rowFields(t), { format: t.format ?? 'v1', infoHashV2: t.infoHashV2 ?? null, completed: 0, displayName: null });
  return lazyFiles(e, () => t.files.map((f, position) => Object.assign(new TorrentFileEntity(), { position, path: f.path, length: f.length })));
}

/** What TypeORM's better-sqlite3 driver holds: the one synchronous connection. */
interface SqliteConnection {
  prepare(sql: string): { run(...params: unknown[]): unknown };
}

const insertFiles = (rows: number): string => `INSERT INTO torrent_files (torrent_id, position, path, length) VALUES ${Array(rows).fill('(?, ?, ?, ?)').join(', ')}`;
/** The parameters of files[from, from + rows) into `out` (reused between statements: no array per file). */
function fillParams(out: unknown[], id: number, files: NewTorrent['files'], from: number, rows: number): unknown[] {
  out.length = rows * 4;
  for (let j = 0, k = 0; j < rows; j++) {
    const f = files[from + j];
    out[k++] = id; out[k++] = from + j; out[k++] = f.path; out[k++] = f.length;
  }
  return out;
}

async function insertRows(ds: DataSource, m: EntityManager, t: NewTorrent): Promise<number> {
  const files = t.files;
  const { identifiers } = await m.insert(TorrentEntity, { ...rowFields(t), format: t.format ?? 'v1', infoHashV2: t.infoHashV2 ?? null, completed: 0, displayName: null, searchText: searchText(t.name, files.map((f) => f.path)) });
  const id = identifiers[0].id as number;
  if (ds.options.type === 'better-sqlite3') {
    // prepared once and run on the driver's connection (inside this transaction): a fifth of the
    // time TypeORM's query() takes to prepare and bind each statement
    const db = (ds.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
    const full = files.length >= FILE_ROWS_PER_INSERT ? db.prepare(insertFiles(FILE_ROWS_PER_INSERT)) : null;
    const values: unknown[] = [];
    for (let i = 0; i < files.length; i += FILE_ROWS_PER_INSERT) {
      const rows = Math.min(FILE_ROWS_PER_INSERT, files.length - i);
      (rows === FILE_ROWS_PER_INSERT ? full as NonNullable<typeof full> : db.prepare(insertFiles(rows))).run(fillParams(values, id, files, i, rows));
    }
  } else {
    for (let i = 0; i < files.length; i += FILE_ROWS_PER_INSERT) {
      if (i > 0) await yieldToLoop();
      const rows = Math.min(FILE_ROWS_PER_INSERT, files.length - i);
      await m.query(insertFiles(rows), fillParams([], id, files, i, rows));
    }
  }
  await bumpCounter(m, TORRENTS_COUNTER);
  return id;
}

/**
 * Inserts `t` with its files and bumps the torrents counter in one transaction; returns the new
 * entity (its files in memory). Throws what the database throws (a duplicate info_hash too).
 * On MySQL/MariaDB the transaction has its own connection, and the event loop runs between
 * statements (other requests, announces). On SQLite every query shares one connection, so work
 * interleaved with an open transaction would run inside it: a torrent of OFF_LOOP_MIN_FILES files
 * or more is inserted by a worker thread on a connection of its own (20,000 files held the loop
 * 25-50 ms in place, bench/register-stall.mjs); smaller ones back to back, in place.
 */
export async function insertTorrent(ds: DataSource, t: NewTorrent): Promise<TorrentEntity> {
  const file = ds.options.type === 'better-sqlite3' ? ds.options.database : null;
  const id = file !== null && file !== ':memory:' && fileCount(t) >= OFF_LOOP_MIN_FILES
    ? await insertOffLoop(file, t)
    : await ds.transaction((m) => insertRows(ds, m, t));
  return Object.assign(torrentEntity(t), { id });
}
