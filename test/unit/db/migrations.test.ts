import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { openDatabase } from '../../../server/db/data-source.js';
import { Initial1764201600000 } from '../../../server/db/migrations/1764201600000-initial.js';

describe('migrations', () => {
  it('upgrade an existing SQLite database without losing torrents or their files', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'seedhost-mig-'));
    const file = path.join(dir, 'old.db');
    try {
      const old = new DataSource({ type: 'better-sqlite3', database: file, migrations: [Initial1764201600000], prepareDatabase: (db: { pragma(s: string): unknown }) => { db.pragma('foreign_keys = ON'); } });
      await old.initialize();
      await old.runMigrations();
      await old.query(`INSERT INTO torrents (info_hash, name, total_size, piece_length, piece_count, multi_file, hosted, completed, metainfo, created_at)
        VALUES ('${'a'.repeat(40)}', 'Kept ФОТО', 2, 16384, 1, 1, 0, 7, x'00', '2026-01-01 00:00:00.000')`);
      await old.query(`INSERT INTO torrent_files (torrent_id, position, path, length) VALUES (1, 0, 'Docs/X', 1), (1, 1, 'y', 1)`);
      await old.destroy();
      const ds = await openDatabase(`sqlite:${file}`);
      const [t] = await ds.query('SELECT name, completed, owner_id, display_name, search_text, format, info_hash_v2 FROM torrents');
      const [{ n }] = await ds.query('SELECT COUNT(*) AS n FROM torrent_files');
      const applied = await ds.query('SELECT name FROM migrations ORDER BY id');
      await ds.destroy();
      assert.deepEqual([t.name, Number(t.completed), t.owner_id, t.display_name], ['Kept ФОТО', 7, null, null]);
      assert.equal(t.search_text, 'kept фото\ndocs/x\ny', 'the search text of a torrent stored before it existed');
      assert.deepEqual([t.format, t.info_hash_v2], ['v1', null], 'a torrent stored before formats existed is v1');
      assert.equal(Number(n), 2);
      assert.ok(applied.length >= 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
