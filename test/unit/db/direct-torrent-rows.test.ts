// The command line's plain-SQL TorrentRows must write exactly what TypeORM writes for the same
// torrent, on every database, and refuse to run on a schema it was not written for.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { migrations, openDatabase } from '../../../server/db/data-source.js';
import { openSqlClient, type SqlClient } from '../../../server/db/direct/sql-client.js';
import { directTorrentRows, MIGRATION_NAMES, schemaIsCurrent } from '../../../server/db/direct/torrent-rows.js';
import { TorrentEntity } from '../../../server/db/entities/torrent.entity.js';
import { readCounter, TORRENTS_COUNTER } from '../../../server/services/change-counter.js';
import { typeormTorrentRows } from '../../../server/services/publish-torrent.js';
import type { NewTorrent } from '../../../server/services/torrent-rows.js';
import { databaseKinds } from '../../helpers/databases.js';

const METAINFO = randomBytes(300);

/** A multi-file torrent row as a publish makes it (an empty file, a non-ASCII path). */
function sample(infoHash: string, description: string | null): NewTorrent {
  return {
    infoHash, name: 'dir', totalSize: 70005, pieceLength: 16384, pieceCount: 5, multiFile: true, hosted: true, description,
    ownerId: null, metainfo: METAINFO, createdAt: new Date('2026-11-27T07:31:02.345Z'),
    files: [{ path: 'a/b.bin', length: 70000 }, { path: 'a/ünï c.txt', length: 5 }, { path: 'empty', length: 0 }],
  };
}

/** Every column of a row except its id and info_hash, as the driver returns it. */
async function rawRow(ds: DataSource, infoHash: string): Promise<Record<string, unknown>> {
  const [row] = await ds.query('SELECT * FROM torrents WHERE info_hash = ?', [infoHash]);
  const { id: _id, info_hash: _h, ...rest } = row as Record<string, unknown>;
  return rest;
}

async function rawFiles(ds: DataSource, infoHash: string): Promise<unknown[]> {
  return ds.query(`SELECT f.position, f.path, f.length FROM torrent_files f JOIN torrents t ON t.id = f.torrent_id
    WHERE t.info_hash = ? ORDER BY f.position`, [infoHash]);
}

it('knows the name of every migration the data source runs, in order', () => {
  assert.deepEqual(MIGRATION_NAMES, migrations.map((M) => new M().name));
});

for (const kind of databaseKinds()) {
  describe(`direct torrent rows (${kind.name})`, () => {
    let db: Awaited<ReturnType<typeof kind.create>>;
    let ds: DataSource;
    let sql: SqlClient;
    before(async () => {
      db = await kind.create();
      ds = await openDatabase(db.url);
      sql = await openSqlClient(db.url) as SqlClient;
    });
    after(async () => {
      await sql.close();
      await ds.destroy();
      await db.drop();
    });

    it('writes the same columns and files as TypeORM, read back the same through the entity', async () => {
      const viaOrm = sample('a'.repeat(40), 'same description');
      const direct = sample('f'.repeat(40), 'same description');
      assert.equal(await typeormTorrentRows(ds).insert(viaOrm), true);
      assert.equal(await directTorrentRows(sql).insert(direct), true);
      assert.deepEqual(await rawRow(ds, direct.infoHash), await rawRow(ds, viaOrm.infoHash));
      assert.deepEqual(await rawFiles(ds, direct.infoHash), await rawFiles(ds, viaOrm.infoHash));
      const repo = ds.getRepository(TorrentEntity);
      const load = (infoHash: string) => repo.findOne({ where: { infoHash }, relations: { files: true }, select: { files: { path: true, length: true, position: true, id: true } } });
      const [a, b] = [await load(viaOrm.infoHash), await load(direct.infoHash)];
      assert.ok(a !== null && b !== null);
      const strip = (e: TorrentEntity) => ({ ...e, id: 0, infoHash: '', files: e.files.map((f) => ({ path: f.path, length: f.length, position: f.position })).sort((x, y) => x.position - y.position) });
      assert.deepEqual(strip(b), strip(a));
      assert.equal(b.createdAt.getTime(), viaOrm.createdAt.getTime());
      assert.equal(b.multiFile, true);
      assert.equal(b.hosted, true);
      assert.equal(b.files.length, 3);
      const [{ metainfo }] = await ds.query('SELECT metainfo FROM torrents WHERE info_hash = ?', [direct.infoHash]);
      assert.ok(Buffer.from(metainfo).equals(direct.metainfo));
    });

    it('writes a hybrid\'s format and v2 hash as TypeORM does', async () => {
      const viaOrm = { ...sample('b'.repeat(40), null), format: 'hybrid' as const, infoHashV2: '1'.repeat(64) };
      const direct = { ...sample('c'.repeat(40), null), format: 'hybrid' as const, infoHashV2: '2'.repeat(64) };
      assert.equal(await typeormTorrentRows(ds).insert(viaOrm), true);
      assert.equal(await directTorrentRows(sql).insert(direct), true);
      const row = async (h: string) => {
        const { info_hash_v2: v2, ...rest } = await rawRow(ds, h);
        return { rest, v2 };
      };
      const [a, b] = [await row(viaOrm.infoHash), await row(direct.infoHash)];
      assert.deepEqual(b.rest, a.rest);
      assert.deepEqual([a.v2, b.v2, a.rest.format], [viaOrm.infoHashV2, direct.infoHashV2, 'hybrid']);
    });

    it('bumps the change counter, refuses a duplicate and removes a row with its files', async () => {
      const t = sample('e'.repeat(40), null);
      const rows = directTorrentRows(sql);
      const c0 = await readCounter(ds, TORRENTS_COUNTER);
      assert.equal(await rows.insert(t), true);
      assert.equal(await readCounter(ds, TORRENTS_COUNTER), c0 + 1);
      assert.equal(await rows.insert({ ...t, name: 'other' }), false);
      assert.equal(await readCounter(ds, TORRENTS_COUNTER), c0 + 1);
      assert.deepEqual((await ds.query('SELECT name FROM torrents WHERE info_hash = ?', [t.infoHash])).map((r: { name: string }) => r.name), [t.name]);
      await rows.remove(t.infoHash);
      assert.equal(await readCounter(ds, TORRENTS_COUNTER), c0 + 2);
      assert.equal((await ds.query('SELECT id FROM torrents WHERE info_hash = ?', [t.infoHash])).length, 0);
      const [{ n }] = await ds.query('SELECT COUNT(*) AS n FROM torrent_files f LEFT JOIN torrents t ON t.id = f.torrent_id WHERE t.id IS NULL');
      assert.equal(Number(n), 0, 'no orphaned files');
    });

    it('keeps nothing of an insert that fails half-way', async () => {
      const t = sample('d'.repeat(40), null);
      t.files = [...t.files, { path: 'x', length: Number.NaN }]; // NOT NULL length: the files insert fails
      const c0 = await readCounter(ds, TORRENTS_COUNTER);
      await assert.rejects(directTorrentRows(sql).insert(t));
      assert.equal((await ds.query('SELECT id FROM torrents WHERE info_hash = ?', [t.infoHash])).length, 0);
      assert.equal(await readCounter(ds, TORRENTS_COUNTER), c0);
    });

    it('reports the schema current only when exactly the known migrations are applied', async () => {
      assert.equal(await schemaIsCurrent(sql), true);
      await ds.query(`INSERT INTO migrations (timestamp, name) VALUES (1999999999999, 'Future1999999999999')`);
      try {
        assert.equal(await schemaIsCurrent(sql), false);
      } finally {
        await ds.query(`DELETE FROM migrations WHERE name = 'Future1999999999999'`);
      }
      const empty = await kind.create();
      try {
        if (kind.name === 'sqlite') assert.equal(await openSqlClient(empty.url), null); // no file yet: TypeORM's to create
        else {
          const c = await openSqlClient(empty.url) as SqlClient;
          try {
            assert.equal(await schemaIsCurrent(c), false);
          } finally {
            await c.close();
          }
        }
      } finally {
        await empty.drop();
      }
    });
  });
}
