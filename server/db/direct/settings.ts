// Reads for the command line's checks, in plain SQL (see sql-client.ts): a deployment setting and
// the newest hosted torrent's metainfo. Both answer "none" on a database without those tables yet
// (a new MySQL database, or one made before migration Settings1764374400000).
import type { SqlClient } from './sql-client.js';

/** The setting a server writes at start: the PUBLIC_URL it writes into torrents. */
export const PUBLIC_URL_SETTING = 'public_url';

/** The table does not exist: SQLite's and MySQL's (ER_NO_SUCH_TABLE) words for it. */
function missingTable(e: unknown): boolean {
  return (e as { code?: string }).code === 'ER_NO_SUCH_TABLE' || /^no such table/.test((e as Error).message);
}

async function rows<T>(db: SqlClient, sql: string, params: unknown[]): Promise<T[]> {
  try {
    return await db.query<T>(sql, params);
  } catch (e) {
    if (missingTable(e)) return [];
    throw e;
  }
}

/** The value of setting `name`; undefined when unset, or when there is no settings table yet. */
export async function readSetting(db: SqlClient, name: string): Promise<string | undefined> {
  const [row] = await rows<{ value: string }>(db, 'SELECT value FROM settings WHERE name = ?', [name]);
  return row?.value;
}

/** The .torrent of the most recently added torrent whose content is hosted here (written with this deployment's PUBLIC_URL); undefined for none. */
export async function newestHostedMetainfo(db: SqlClient): Promise<Buffer | undefined> {
  const [row] = await rows<{ metainfo: Uint8Array }>(db, 'SELECT metainfo FROM torrents WHERE hosted = ? ORDER BY id DESC LIMIT 1', [1]);
  return row === undefined ? undefined : Buffer.from(row.metainfo);
}
