// One transaction for account changes that check other rows first (the last-admin rule, a name
// already taken), with the rows locked before they are read, on both databases:
// - MariaDB/MySQL: SELECT ... FOR UPDATE on the admin rows and the rows concerned; a concurrent
//   change waits for the commit and then reads the new state.
// - SQLite: the database write lock is taken by the transaction's first statement (a no-op
//   UPDATE, as BEGIN IMMEDIATE would), so another process waits; within this process TypeORM shares
//   one connection (a second transaction would nest as a savepoint), so changes here take turns.
import type { DataSource, EntityManager } from 'typeorm';
import type { UserRole } from '../db/entities/user.entity.js';

/** Times a transaction that lost a MySQL deadlock is run again. */
export const DEADLOCK_RETRIES = 3;

/** A locked row: id and role. */
export interface LockedUser {
  id: number;
  role: UserRole;
}

const turns = new WeakMap<DataSource, Promise<unknown>>();

const isMysql = (ds: DataSource): boolean => ds.options.type === 'mysql' || ds.options.type === 'mariadb';

/**
 * Runs `fn` in one transaction after locking every admin row and the rows of `ids`; `fn` gets
 * those rows as they are now (committed by anyone before us) and the transaction's manager.
 */
export async function withUsersLocked<T>(ds: DataSource, ids: number[], fn: (locked: LockedUser[], m: EntityManager) => Promise<T>): Promise<T> {
  const wanted = ids.length > 0 ? ids : [-1];
  const marks = wanted.map(() => '?').join(', ');
  const once = (): Promise<T> => ds.transaction(async (m) => {
    if (isMysql(ds)) {
      const rows = (await m.query(`SELECT id, role FROM users WHERE role = 'admin' OR id IN (${marks}) ORDER BY id FOR UPDATE`, wanted)) as LockedUser[];
      return fn(rows.map((r) => ({ id: Number(r.id), role: r.role })), m);
    }
    await m.query('UPDATE users SET role = role WHERE id = ?', [wanted[0]]);
    const rows = (await m.query(`SELECT id, role FROM users WHERE role = 'admin' OR id IN (${marks}) ORDER BY id`, wanted)) as LockedUser[];
    return fn(rows.map((r) => ({ id: Number(r.id), role: r.role })), m);
  });
  if (isMysql(ds)) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await once();
      } catch (e) {
        const errno = (e as { driverError?: { errno?: number } }).driverError?.errno;
        if (errno !== 1213 || attempt >= DEADLOCK_RETRIES) throw e; // 1213: ER_LOCK_DEADLOCK
      }
    }
  }
  const prev = turns.get(ds) ?? Promise.resolve();
  const run = prev.then(once, once);
  turns.set(ds, run.catch(() => undefined));
  return run;
}

/** true for a unique-index violation on either database. */
export function isDuplicateKey(e: unknown): boolean {
  const d = (e as { driverError?: { code?: string; errno?: number } }).driverError ?? (e as { code?: string; errno?: number });
  return d?.code === 'SQLITE_CONSTRAINT_UNIQUE' || d?.code === 'ER_DUP_ENTRY' || d?.errno === 1062;
}
