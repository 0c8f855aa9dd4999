// Large torrents go into SQLite from a worker thread (db/direct/insert-off-loop.ts): the same rows
// as an insert in place, one transaction (the server's connection never sees half a torrent, and
// keeps answering meanwhile), the counter bumped once, duplicates and failures reported.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../../server/db/data-source.js';
import { InsertError, OFF_LOOP_MIN_FILES, stopInsertWorkers } from '../../../server/db/direct/insert-off-loop.js';
import { readCounter, TORRENTS_COUNTER } from '../../../server/services/change-counter.js';
import { insertTorrent } from '../../../server/services/insert-torrent.js';
import { newTorrent, type NewTorrent } from '../../../server/services/torrent-rows.js';
import { packFiles, unpackFiles } from '../../../server/torrent/packed-files.js';
import { databaseKinds } from '../../helpers/databases.js';

const [sqlite] = databaseKinds();

function torrent(infoHash: string, files: number): NewTorrent {
  return {
    infoHash, name: `many ${files}`, totalSize: files * 3, pieceLength: 16384, pieceCount: 1, multiFile: true, hosted: false,
    description: 'd', ownerId: null, metainfo: randomBytes(1000), createdAt: new Date('2026-12-02T10:00:00.123Z'),
    files: Array.from({ length: files }, (_, i) => ({ path: `dir ${i % 7}/ünï ${i}.bin`, length: i % 5 === 0 ? 0 : i })),
  };
}

const filesOf = (ds: DataSource, infoHash: string): Promise<{ position: number; path: string; length: number }[]> =>
  ds.query(`SELECT f.position, f.path, f.length FROM torrent_files f JOIN torrents t ON t.id = f.torrent_id WHERE t.info_hash = ? ORDER BY f.position`, [infoHash]);

const rowOf = async (ds: DataSource, infoHash: string): Promise<Record<string, unknown>> => {
  const [r] = await ds.query('SELECT * FROM torrents WHERE info_hash = ?', [infoHash]);
  const { id: _id, info_hash: _h, name: _n, metainfo: _m, search_text: _s, total_size: _t, ...rest } = r as Record<string, unknown>;
  return rest;
};

describe('large torrents inserted off the event loop (sqlite)', () => {
  let db: Awaited<ReturnType<typeof sqlite.create>>;
  let ds: DataSource;
  before(async () => {
    db = await sqlite.create();
    ds = await openDatabase(db.url);
  });
  after(async () => {
    await stopInsertWorkers();
    await ds.destroy();
    await db.drop();
  });

  it('writes the rows an insert in place writes, and bumps the counter once', async () => {
    const big = torrent('b'.repeat(40), OFF_LOOP_MIN_FILES + 500), small = torrent('c'.repeat(40), 3);
    const c0 = await readCounter(ds, TORRENTS_COUNTER);
    const saved = await insertTorrent(ds, big);
    await insertTorrent(ds, small);
    assert.equal(await readCounter(ds, TORRENTS_COUNTER), c0 + 2);
    const [{ id }] = await ds.query('SELECT id FROM torrents WHERE info_hash = ?', [big.infoHash]);
    assert.equal(saved.id, id, 'the entity carries the new row id');
    assert.equal(saved.files.length, big.files.length);
    assert.deepEqual(await filesOf(ds, big.infoHash), big.files.map((f, position) => ({ position, path: f.path, length: f.length })));
    assert.deepEqual(await rowOf(ds, big.infoHash), await rowOf(ds, small.infoHash), 'the same column values as TypeORM writes');
    const [{ metainfo, name }] = await ds.query('SELECT metainfo, name FROM torrents WHERE info_hash = ?', [big.infoHash]);
    assert.ok(Buffer.from(metainfo).equals(big.metainfo));
    assert.equal(name, big.name);
  });

  it('inserts a packed file list (a large .torrent parsed off the loop) without unpacking it on this thread', async () => {
    const plain = torrent('f'.repeat(40), 3000);
    const packed = packFiles(plain.files);
    const meta = { infoHash: plain.infoHash, name: plain.name, pieceLength: plain.pieceLength, pieceCount: plain.pieceCount, totalSize: plain.totalSize, multiFile: true, private: false, files: [], packedFiles: packed };
    let unpacked = 0;
    const row = newTorrent(Object.defineProperty(meta, 'files', { enumerable: true, get: () => { unpacked++; return unpackFiles(packed); } }), plain.metainfo, false, 'd');
    assert.equal(row.packedFiles, packed);
    const saved = await insertTorrent(ds, row);
    assert.equal(unpacked, 0, "the metainfo's list was never unpacked");
    assert.equal(typeof Object.getOwnPropertyDescriptor(row, 'files')?.get, 'function', 'the list went to the insert thread packed');
    assert.equal(typeof Object.getOwnPropertyDescriptor(saved, 'files')?.get, 'function', "the entity's files are not made until read");
    assert.deepEqual(await filesOf(ds, plain.infoHash), plain.files.map((f, position) => ({ position, path: f.path, length: f.length })));
    assert.deepEqual(saved.files.map((f) => [f.position, f.path, f.length]), plain.files.map((f, i) => [i, f.path, f.length]));
    assert.equal(Object.getOwnPropertyDescriptor(row, 'files')?.get, undefined, 'unpacked once read');
  });

  it('answers on the server connection meanwhile, never showing half a torrent', async () => {
    const big = torrent('d'.repeat(40), 20_000);
    const pending = insertTorrent(ds, big);
    let done = false;
    void pending.finally(() => { done = true; });
    const seen: number[] = [];
    while (!done) {
      const [{ n }] = await ds.query('SELECT COUNT(*) AS n FROM torrent_files f JOIN torrents t ON t.id = f.torrent_id WHERE t.info_hash = ?', [big.infoHash]);
      seen.push(Number(n));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await pending;
    assert.ok(seen.length >= 2, `the server's connection answered while the insert ran (${seen.length} reads)`);
    assert.ok(seen.every((n) => n === 0 || n === 20_000), `each read saw no files or all of them: ${[...new Set(seen)].join(', ')}`);
    assert.equal((await filesOf(ds, big.infoHash)).length, 20_000);
  });

  it('refuses a duplicate info_hash with the driver code, and keeps nothing of a failed insert', async () => {
    const c0 = await readCounter(ds, TORRENTS_COUNTER);
    const dup = torrent('b'.repeat(40), OFF_LOOP_MIN_FILES);
    await assert.rejects(insertTorrent(ds, dup), (e: unknown) => e instanceof InsertError && e.code === 'SQLITE_CONSTRAINT_UNIQUE');
    const broken = torrent('e'.repeat(40), OFF_LOOP_MIN_FILES);
    broken.files[OFF_LOOP_MIN_FILES - 1] = { path: 'x', length: Number.NaN }; // NOT NULL length: the last files insert fails
    await assert.rejects(insertTorrent(ds, broken), InsertError);
    assert.equal((await ds.query('SELECT id FROM torrents WHERE info_hash = ?', [broken.infoHash])).length, 0);
    assert.equal(await readCounter(ds, TORRENTS_COUNTER), c0);
    assert.equal((await filesOf(ds, 'b'.repeat(40))).length, OFF_LOOP_MIN_FILES + 500, 'the first torrent is untouched');
  });
});
