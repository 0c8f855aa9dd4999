// A minimal SQL client on the raw drivers (better-sqlite3, mysql2), without TypeORM: for the few
// statements a short-lived command needs, where loading TypeORM would cost more than the work
// (see torrent-rows.ts). Both drivers take `?` placeholders; identifiers are left unquoted.
import { existsSync } from 'node:fs';
import { databaseTarget, MYSQL_SESSION, SQLITE_BUSY_TIMEOUT } from '../database-url.js';

export interface SqlClient {
  readonly kind: 'sqlite' | 'mysql';
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** A statement without rows; `insertId` is the new row's id after an INSERT. */
  run(sql: string, params?: unknown[]): Promise<{ insertId: number; changes: number }>;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

async function sqliteClient(file: string): Promise<SqlClient> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file, { fileMustExist: true, timeout: SQLITE_BUSY_TIMEOUT });
  db.pragma('foreign_keys = ON');
  return {
    kind: 'sqlite',
    query: async <T>(sql: string, params: unknown[] = []) => db.prepare(sql).all(...params) as T[],
    run: async (sql, params = []) => {
      const r = db.prepare(sql).run(...params);
      return { insertId: Number(r.lastInsertRowid), changes: r.changes };
    },
    transaction: async (fn) => {
      db.exec('BEGIN IMMEDIATE'); // the write lock up front, as TypeORM's transactions take it
      try {
        const result = await fn();
        db.exec('COMMIT');
        return result;
      } catch (e) {
        db.exec('ROLLBACK');
        throw e;
      }
    },
    close: async () => { db.close(); },
  };
}

async function mysqlClient(t: Extract<ReturnType<typeof databaseTarget>, { kind: 'mysql' }>): Promise<SqlClient> {
  const { createConnection } = await import('mysql2/promise');
  const c = await createConnection({ host: t.host, port: t.port, user: t.user, password: t.password, database: t.database, ...MYSQL_SESSION });
  return {
    kind: 'mysql',
    query: async <T>(sql: string, params: unknown[] = []) => (await c.query(sql, params))[0] as T[],
    run: async (sql, params = []) => {
      const [r] = (await c.query(sql, params)) as unknown as [{ insertId: number; affectedRows: number }];
      return { insertId: r.insertId, changes: r.affectedRows };
    },
    transaction: async (fn) => {
      await c.beginTransaction();
      try {
        const result = await fn();
        await c.commit();
        return result;
      } catch (e) {
        await c.rollback().catch(() => undefined);
        throw e;
      }
    },
    close: () => c.end(),
  };
}

/** Opens DATABASE_URL; null for an SQLite file that does not exist yet (a new database is TypeORM's to create). */
export async function openSqlClient(url: string): Promise<SqlClient | null> {
  const t = databaseTarget(url);
  if (t.kind === 'mysql') return mysqlClient(t);
  return t.file === ':memory:' || !existsSync(t.file) ? null : sqliteClient(t.file);
}
