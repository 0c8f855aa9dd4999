// The database matrix for e2e tests: SQLite always, MariaDB/MySQL when TEST_MYSQL_URL is set
// (required under CI). Each test database is created fresh and dropped afterwards.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createConnection } from 'mysql2/promise';
import { IN_CI } from './environment.js';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export interface DatabaseKind {
  name: 'sqlite' | 'mysql';
  create(): Promise<TestDatabase>;
}

const sqlite: DatabaseKind = {
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(path.join(tmpdir(), 'seedhost-db-'));
    return { url: `sqlite:${path.join(dir, 'test.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  },
};

function mysql(base: string): DatabaseKind {
  return {
    name: 'mysql',
    async create() {
      const u = new URL(base);
      const name = `seedhost_t_${randomBytes(5).toString('hex')}`;
      const admin = async (sql: string): Promise<void> => {
        const c = await createConnection({ host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) });
        try {
          await c.query(sql);
        } finally {
          await c.end();
        }
      };
      await admin(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      u.pathname = `/${name}`;
      return { url: u.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name}`) };
    },
  };
}

/** The kinds to run every e2e suite on. */
export function databaseKinds(): DatabaseKind[] {
  const url = process.env.TEST_MYSQL_URL;
  if (!url) {
    if (IN_CI) throw new Error('CI requires TEST_MYSQL_URL (e.g. mysql://root@127.0.0.1:3306/test)');
    process.stdout.write('# MariaDB/MySQL e2e runs skipped: set TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test to include them\n');
    return [sqlite];
  }
  return [sqlite, mysql(url)];
}
