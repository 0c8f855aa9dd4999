// TorrentRows in plain SQL on the raw drivers, for the command line: it writes exactly the column
// values TypeORM writes for TorrentEntity (checked by test/unit/db/direct-torrent-rows.test.ts),
// and is used only on a database whose migrations are all applied (schemaIsCurrent).
import type { NewTorrent, TorrentRows } from '../../services/torrent-rows.js';
import { searchText } from '../search-text.js';
import type { SqlClient } from './sql-client.js';

/** The `name` of every migration in db/data-source.ts, in order (a test keeps the two in step). */
export const MIGRATION_NAMES = ['Initial1764201600000', 'Accounts1764288000000', 'Settings1764374400000', 'SearchText1764460800000', 'TorrentFormat1764547200000'];

/** True when the database holds exactly the migrations this version knows: its schema is the one this SQL is written for. */
export async function schemaIsCurrent(db: SqlClient): Promise<boolean> {
  try {
    const applied = (await db.query<{ name: string }>('SELECT name FROM migrations ORDER BY id')).map((r) => r.name);
    return applied.length === MIGRATION_NAMES.length && applied.every((n, i) => n === MIGRATION_NAMES[i]);
  } catch {
    return false; // no migrations table yet
  }
}

/** A date as TypeORM stores a `datetime` column: UTC text with milliseconds in SQLite; mysql2 converts a Date itself (timezone Z). */
function datetime(db: SqlClient, d: Date): string | Date {
  return db.kind === 'sqlite' ? d.toISOString().replace('T', ' ').replace('Z', '') : d;
}

const bumpTorrents = 'UPDATE change_counters SET value = value + 1 WHERE name = ?';

/**
 * Inserts `t` with its files and bumps the torrents counter in one transaction; resolves the new
 * row's id. Throws what the database throws (a duplicate info_hash too).
 */
export async function insertTorrentRow(db: SqlClient, t: NewTorrent): Promise<number> {
  return db.transaction(async () => {
    const { insertId } = await db.run(
      `INSERT INTO torrents (info_hash, name, total_size, piece_length, piece_count, multi_file, hosted, description,
        completed, display_name, owner_id, metainfo, created_at, search_text, format, info_hash_v2) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, ?, ?, ?, ?, ?, ?)`,
      [t.infoHash, t.name, t.totalSize, t.pieceLength, t.pieceCount, t.multiFile ? 1 : 0, t.hosted ? 1 : 0, t.description,
        t.ownerId, t.metainfo, datetime(db, t.createdAt), searchText(t.name, t.files.map((f) => f.path)), t.format ?? 'v1', t.infoHashV2 ?? null],
    );
    // one statement for all files, in slices that stay below either driver's parameter limit
    for (let i = 0; i < t.files.length; i += 1000) {
      const slice = t.files.slice(i, i + 1000);
      await db.run(
        `INSERT INTO torrent_files (torrent_id, position, path, length) VALUES ${slice.map(() => '(?, ?, ?, ?)').join(', ')}`,
        slice.flatMap((f, j) => [insertId, i + j, f.path, f.length]),
      );
    }
    await db.run(bumpTorrents, ['torrents']);
    return insertId;
  });
}

export function directTorrentRows(db: SqlClient): TorrentRows {
  const exists = async (infoHash: string): Promise<boolean> =>
    (await db.query('SELECT 1 AS one FROM torrents WHERE info_hash = ?', [infoHash])).length > 0;
  return {
    async insert(t: NewTorrent) {
      if (await exists(t.infoHash)) return false;
      try {
        await insertTorrentRow(db, t);
      } catch (e) {
        if (await exists(t.infoHash)) return false; // a concurrent publish won
        throw e;
      }
      return true;
    },
    async remove(infoHash) {
      await db.transaction(async () => {
        await db.run('DELETE FROM torrents WHERE info_hash = ?', [infoHash]);
        await db.run(bumpTorrents, ['torrents']);
      });
    },
  };
}
