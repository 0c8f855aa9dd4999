// The TypeORM data source: embedded SQLite (better-sqlite3) by default, MySQL/MariaDB by URL.
// Migrations run on open; `synchronize` is never used.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { databaseTarget, MYSQL_SESSION, SQLITE_BUSY_TIMEOUT } from './database-url.js';
import { ChangeCounterEntity } from './entities/change-counter.entity.js';
import { TorrentFileEntity } from './entities/torrent-file.entity.js';
import { TorrentEntity } from './entities/torrent.entity.js';
import { UserEntity } from './entities/user.entity.js';
import { ApiTokenEntity } from './entities/api-token.entity.js';
import { SessionEntity } from './entities/session.entity.js';
import { SettingEntity } from './entities/setting.entity.js';
import { Initial1764201600000 } from './migrations/1764201600000-initial.js';
import { Accounts1764288000000 } from './migrations/1764288000000-accounts.js';
import { Settings1764374400000 } from './migrations/1764374400000-settings.js';
import { SearchText1764460800000 } from './migrations/1764460800000-search-text.js';
import { TorrentFormat1764547200000 } from './migrations/1764547200000-torrent-format.js';

export const entities = [TorrentEntity, TorrentFileEntity, UserEntity, ChangeCounterEntity, SessionEntity, ApiTokenEntity, SettingEntity];
export const migrations = [Initial1764201600000, Accounts1764288000000, Settings1764374400000, SearchText1764460800000, TorrentFormat1764547200000];

/** Creates (not yet initialised) a data source for `sqlite:<path>` or `mysql://...` / `mariadb://...`. */
export function createDataSource(url: string): DataSource {
  const t = databaseTarget(url);
  if (t.kind === 'sqlite') {
    return new DataSource({
      type: 'better-sqlite3',
      database: t.file,
      enableWAL: true,
      timeout: SQLITE_BUSY_TIMEOUT,
      entities, migrations,
      migrationsRun: false,
      prepareDatabase: (db: { pragma(s: string): unknown }) => { db.pragma('foreign_keys = ON'); },
    });
  }
  return new DataSource({
    type: 'mysql',
    host: t.host,
    port: t.port,
    username: t.user,
    password: t.password,
    database: t.database,
    ...MYSQL_SESSION,
    extra: { connectionLimit: 10 },
    entities, migrations,
    migrationsRun: false,
  });
}

/**
 * Opens the database and applies pending migrations. Instances starting together take turns: on
 * MySQL a named lock (GET_LOCK) serialises them; on SQLite, where two processes may both find a
 * migration pending, the loser's transaction rolls back whole and it looks again.
 */
export async function openDatabase(url: string): Promise<DataSource> {
  const ds = createDataSource(url);
  await ds.initialize();
  if (ds.options.type === 'better-sqlite3') {
    for (let attempt = 1; ; attempt++) {
      try {
        await ds.runMigrations({ transaction: 'all' });
        return ds;
      } catch (e) {
        const pending = await ds.showMigrations().catch(() => true);
        if (!pending) return ds; // another process applied them meanwhile
        if (attempt === 5) {
          await ds.destroy();
          throw e;
        }
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }
  const lock = ds.createQueryRunner();
  try {
    const [row] = (await lock.query("SELECT GET_LOCK('seedhost_migrations', 120) AS got")) as { got: number | null }[];
    if (Number(row?.got) !== 1) throw new Error('another instance held the migration lock for 120 s');
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await lock.query("SELECT RELEASE_LOCK('seedhost_migrations')").catch(() => undefined);
    await lock.release();
  }
  return ds;
}
