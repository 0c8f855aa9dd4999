// DATABASE_URL as connection settings, shared by the TypeORM data source and the direct SQL client
// (db/direct/), so both open the same database the same way.
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export type DatabaseTarget =
  | { kind: 'sqlite'; file: string }
  | { kind: 'mysql'; host: string; port: number; user: string; password: string; database: string };

/** The file of a `sqlite:<path>` URL (`sqlite:///abs` too), as given; undefined for another database. */
export function sqliteFileOf(url: string): string | undefined {
  return url.startsWith('sqlite:') ? url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '') : undefined;
}

/** `sqlite:<path>` (its folder created) or `mysql://` / `mariadb://user:pass@host:port/db`. */
export function databaseTarget(url: string): DatabaseTarget {
  const file = sqliteFileOf(url);
  if (file !== undefined) {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return { kind: 'sqlite', file };
  }
  const u = new URL(url.replace(/^mariadb:/, 'mysql:'));
  return {
    kind: 'mysql',
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
  };
}

/** Connection options both MySQL clients use: utf8mb4, dates in UTC, BIGINTs as numbers. */
export const MYSQL_SESSION = { charset: 'utf8mb4_unicode_ci', timezone: 'Z', supportBigNumbers: true, bigNumberStrings: false } as const;

/** How long an SQLite writer waits for another process's lock (ms). */
export const SQLITE_BUSY_TIMEOUT = 10_000;
