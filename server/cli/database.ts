// The database a command works on: which one it is (said on stderr, since a command run from
// another folder finds another DATA_DIR), opened through TypeORM or in plain SQL, and the running
// servers told afterwards. A missing SQLite file is created only by commands that add something.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { loadConfig, redisTarget, type Config } from '../config.js';
import { sqliteFileOf } from '../db/database-url.js';
import type { SqlClient } from '../db/direct/sql-client.js';
import type { TorrentRows } from '../services/torrent-rows.js';
import { CliError } from './errors.js';

/** DATABASE_URL as shown to the operator: the SQLite file's absolute path, or the MySQL URL without its password. */
export function databaseLabel(url: string): string {
  const file = sqliteFileOf(url);
  if (file !== undefined) return file === ':memory:' ? 'SQLite in memory' : `SQLite ${path.resolve(file)}`;
  const u = new URL(url);
  u.password = '';
  return u.href;
}

/** True for a SQLite database whose file does not exist yet (opening it would create an empty one). */
function missingSqlite(url: string): boolean {
  const file = sqliteFileOf(url);
  return file !== undefined && file !== ':memory:' && !existsSync(file);
}

/** How a command uses the database. */
export interface DatabaseUse {
  /** The command's name, for messages. */
  command: string;
  /** Refuse a SQLite database that does not exist yet (commands that only read or change what is there). */
  mustExist?: boolean;
  /** Afterwards, tell running servers that the registry changed. */
  changesRegistry?: boolean;
}

/** Refuses a missing SQLite database when `use.mustExist`; otherwise says on stderr that a new one is created. */
function checkDatabase(config: Config, use: DatabaseUse): void {
  if (!missingSqlite(config.databaseUrl)) return;
  const where = `${databaseLabel(config.databaseUrl)} (DATA_DIR ${config.dataDir}, working folder ${process.cwd()})`;
  if (use.mustExist) {
    throw new CliError(`${use.command}: no database at ${where}; run seedhost in the server's folder (where its .env is), or set DATA_DIR or DATABASE_URL as the server has them`);
  }
  process.stderr.write(`seedhost: creating a new, empty database at ${where}; if the server uses another, run seedhost in its folder or set DATA_DIR or DATABASE_URL\n`);
}

/** Tells running servers at once through Redis (when set) that the registry changed; without it they notice within SYNC_INTERVAL. */
async function notifyServers(config: Config): Promise<void> {
  const target = redisTarget(config);
  if (target === undefined) return;
  const { publishEvent } = await import('../redis/event-bus.js');
  await publishEvent(target, config.redisPrefix, { kind: 'registry' })
    .catch((e: Error) => process.stderr.write(`seedhost: warning: could not notify servers through Redis (${e.message}); they will notice within SYNC_INTERVAL\n`));
}

/** Runs `fn` on the database (TypeORM, migrations applied) as `use` says. */
export async function withDatabase<T>(use: DatabaseUse, fn: (ds: DataSource, config: Config) => Promise<T>, config = loadConfig()): Promise<T> {
  checkDatabase(config, use);
  const { openDatabase } = await import('../db/data-source.js');
  const ds = await openDatabase(config.databaseUrl);
  let result: T;
  try {
    result = await fn(ds, config);
  } finally {
    await ds.destroy();
  }
  if (use.changesRegistry) await notifyServers(config);
  return result;
}

/**
 * Runs `fn` with the torrent rows of the database: in plain SQL on `direct` (closed here) when its
 * schema is current, so TypeORM (about 0.2 s of CPU to load) is not loaded at all; otherwise
 * (`direct` null: no SQLite file yet) through TypeORM, which creates or migrates the database
 * first. Notifies running servers afterwards.
 */
export async function withTorrentRows<T>(config: Config, direct: SqlClient | null, fn: (rows: TorrentRows) => Promise<T>): Promise<T> {
  if (direct !== null) {
    const { directTorrentRows, schemaIsCurrent } = await import('../db/direct/torrent-rows.js');
    if (await schemaIsCurrent(direct)) {
      let value: T;
      try {
        value = await fn(directTorrentRows(direct));
      } finally {
        await direct.close();
      }
      await notifyServers(config);
      return value;
    }
    await direct.close();
  }
  return withDatabase({ command: 'add', changesRegistry: true }, async (ds) => {
    const { typeormTorrentRows } = await import('../services/publish-torrent.js');
    return fn(typeormTorrentRows(ds));
  }, config);
}
