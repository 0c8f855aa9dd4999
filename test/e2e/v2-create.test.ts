// Publishing v2 and hybrid torrents (BEP 52): the info dict and the piece layers seedhost writes
// equal, byte for byte, what libtorrent 2.0's create_torrent writes for the same folder and piece
// length, through `seedhost add` (local files, read by the hashing threads) and through the
// streamed path that uploads take (in and out of torrent order).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openSqlClient } from '../../server/db/direct/sql-client.js';
import { finishPublish } from '../../server/services/finish-publish.js';
import { stageContent, type PublishFile } from '../../server/services/stage-content.js';
import type { NewTorrent } from '../../server/services/torrent-rows.js';
import { LocalFileStore } from '../../server/storage/local-file-store.js';
import { findTopLevelValue } from '../../server/torrent/bencode-span.js';
import type { TorrentFormat } from '../../server/torrent/format.js';
import { runCli } from '../helpers/cli.js';
import { libtorrentPython, needs } from '../helpers/environment.js';
import { libtorrentTorrent } from '../helpers/libtorrent-create.js';
import { writeTree } from '../helpers/publish.js';

const PL = 32768;
const bytes = (n: number, seed: string): Buffer => {
  const out = Buffer.alloc(n);
  for (let at = 0, k = 0; at < n; k++) at += createHash('sha256').update(`${seed}:${k}`).digest().copy(out, at);
  return out;
};
/** Nested folders, an empty file, odd sizes, exactly one piece, under 16 KiB, and names whose v1 and v2 orders differ (`a-c`, `a.x`, `a/b`). */
const FOLDER: Record<string, Buffer> = {
  'a/b': bytes(5000, 'ab'),
  'a-c': bytes(70_000, 'ac'),
  'a.x': bytes(PL, 'ax'),
  'B.txt': bytes(16384, 'B'),
  'empty': Buffer.alloc(0),
  'sub/deep/odd.bin': bytes(3 * PL + 12_345, 'odd'),
  'sub/deep/again.bin': bytes(3 * PL + 12_345, 'odd'), // the same bytes: one piece layers entry
  'sub/tiny': bytes(1000, 'tiny'),
  'sub/zz/empty2': Buffer.alloc(0),
  'z-last.bin': bytes(100_001, 'z'),
};
const SINGLE = bytes(5 * PL + 7, 'single');

const span = (torrent: Buffer, key: string): Buffer => {
  const s = findTopLevelValue(torrent, key);
  if (s === null) throw new Error(`no ${key}`);
  return torrent.subarray(s[0], s[1]);
};

const python = libtorrentPython();
const skip = needs(python !== null, 'python3-libtorrent (apt-get install python3-libtorrent)');

describe('v2 and hybrid torrents equal libtorrent 2.0\'s create_torrent', { skip }, () => {
  let dir: string;
  let env: Record<string, string>;
  const reference = (target: string, format: TorrentFormat): Buffer => libtorrentTorrent(python as string, target, PL, format);
  /** The .torrent `seedhost add --format` stored for `target`. */
  const published = async (target: string, format: TorrentFormat): Promise<Buffer> => {
    const r = await runCli(env, dir, ['add', target, '--format', format, '--piece-length', String(PL)]);
    assert.equal(r.code, 0, r.stderr);
    const infoHash = r.stdout.trim().split('\n').pop() as string;
    const db = await openSqlClient(env.DATABASE_URL);
    try {
      const [row] = await (db as NonNullable<typeof db>).query<{ metainfo: Uint8Array }>('SELECT metainfo FROM torrents WHERE info_hash = ?', [infoHash]);
      const torrent = Buffer.from(row.metainfo);
      const info = span(torrent, 'info');
      const want = format === 'hybrid' ? createHash('sha1').update(info).digest('hex') : createHash('sha256').update(info).digest('hex').slice(0, 40);
      assert.equal(infoHash, want, 'the printed info_hash');
      return torrent;
    } finally {
      await db?.close();
    }
  };
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'seedhost-v2-'));
    writeTree(path.join(dir, 'folder'), FOLDER);
    writeTree(dir, { 'single.bin': SINGLE });
    // libtorrent writes attr "x" for executable files; seedhost writes no attributes but padding's
    for (const f of Object.keys(FOLDER)) chmodSync(path.join(dir, 'folder', f), 0o644);
    env = { DATA_DIR: path.join(dir, 'data'), DATABASE_URL: `sqlite:${path.join(dir, 'data', 'seedhost.db')}`, LOG_LEVEL: 'warn', PUBLIC_URL: 'http://127.0.0.1:1', REDIS_URL: '' };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const format of ['v2', 'hybrid'] as const) {
    it(`writes libtorrent's info dict and piece layers for a folder as ${format} (seedhost add)`, async () => {
      const want = reference(path.join(dir, 'folder'), format);
      const got = await published(path.join(dir, 'folder'), format);
      assert.ok(span(got, 'info').equals(span(want, 'info')), 'info dict');
      assert.ok(span(got, 'piece layers').equals(span(want, 'piece layers')), 'piece layers');
    });

    it(`writes libtorrent's info dict and piece layers for folders of one file and of one file and an empty one as ${format}`, async () => {
      for (const [label, tree] of [['lone', { 'f.bin': bytes(50_000, 'lone') }], ['pair', { 'f.bin': bytes(50_000, 'pair'), 'g': Buffer.alloc(0) }]] as const) {
        const target = writeTree(path.join(dir, `${label}-${format}`), tree);
        const want = reference(target, format);
        const got = await published(target, format);
        assert.ok(span(got, 'info').equals(span(want, 'info')), `${label}: info dict`);
        assert.ok(span(got, 'piece layers').equals(span(want, 'piece layers')), `${label}: piece layers`);
      }
    });

    it(`writes libtorrent's info dict and piece layers for one file as ${format} (seedhost add)`, async () => {
      const want = reference(path.join(dir, 'single.bin'), format);
      const got = await published(path.join(dir, 'single.bin'), format);
      assert.ok(span(got, 'info').equals(span(want, 'info')), 'info dict');
      assert.ok(span(got, 'piece layers').equals(span(want, 'piece layers')), 'piece layers');
    });

    for (const order of ['in torrent order', 'in reverse order'] as const) {
      it(`makes the same bytes from streamed files (uploads) as ${format}, ${order}`, async () => {
        const store = new LocalFileStore(path.join(dir, `stream-${format}-${order.replaceAll(" ", "-")}`));
        let names = Object.keys(FOLDER).sort();
        if (order === 'in reverse order') names = names.reverse();
        const files: PublishFile[] = names.map((p) => ({
          path: p, size: FOLDER[p].length,
          stream: (async function* () { for (let o = 0; o < FOLDER[p].length; o += 7000) yield FOLDER[p].subarray(o, o + 7000); })(),
        }));
        const req = { name: 'folder', pieceLength: PL, multiFile: true, files, format };
        const staged = await stageContent(store, req, { maxUploadBytes: 0 });
        let row: NewTorrent | undefined;
        await finishPublish({ insert: async (t) => { row = t; return true; }, remove: async () => undefined }, 'http://127.0.0.1:1', req, staged);
        const got = (row as NewTorrent).metainfo;
        const want = reference(path.join(dir, 'folder'), format);
        assert.ok(span(got, 'info').equals(span(want, 'info')), 'info dict');
        assert.ok(span(got, 'piece layers').equals(span(want, 'piece layers')), 'piece layers');
        assert.equal(row?.format, format);
        assert.equal(row?.infoHashV2, createHash('sha256').update(span(got, 'info')).digest('hex'));
      });
    }
  }

  // files larger than one hashing job of local files (8 MiB) and than one slab of streamed bytes (4 MiB)
  for (const pl of [16384, 1048576]) {
    it(`matches libtorrent for files that span several hashing jobs and slabs, pieces of ${pl}`, async () => {
      const big = path.join(dir, `big-${pl}`);
      writeTree(big, { 'a.bin': bytes(9 * 1048576 + 5, 'a9'), 'b/four': bytes(4 * 1048576, 'b4'), 'b/c': bytes(5 * 1048576 + 16385, 'c5'), 'd': bytes(3, 'd') });
      for (const format of ['v2', 'hybrid'] as const) {
        const want = libtorrentTorrent(python as string, big, pl, format);
        const r = await runCli(env, dir, ['add', big, '--format', format, '--piece-length', String(pl)]);
        assert.equal(r.code, 0, r.stderr);
        const infoHash = r.stdout.trim().split('\n').pop() as string;
        const db = await openSqlClient(env.DATABASE_URL);
        const [row] = await (db as NonNullable<typeof db>).query<{ metainfo: Uint8Array }>('SELECT metainfo FROM torrents WHERE info_hash = ?', [infoHash]);
        await db?.close();
        const local = Buffer.from(row.metainfo);
        assert.ok(span(local, 'info').equals(span(want, 'info')), `${format}: info dict (seedhost add)`);
        assert.ok(span(local, 'piece layers').equals(span(want, 'piece layers')), `${format}: piece layers (seedhost add)`);
        const store = new LocalFileStore(path.join(dir, `big-stream-${pl}-${format}`));
        const names = ['a.bin', 'b/c', 'b/four', 'd'];
        const files: PublishFile[] = names.map((p) => ({ path: p, stream: (async function* () { yield* [readFileSync(path.join(big, p))]; })() }));
        const req = { name: `big-${pl}`, pieceLength: pl, multiFile: true, files, format };
        let made: NewTorrent | undefined;
        await finishPublish({ insert: async (t) => { made = t; return true; }, remove: async () => undefined }, 'http://127.0.0.1:1', req, await stageContent(store, req, { maxUploadBytes: 0 }));
        const streamed = (made as NewTorrent).metainfo;
        assert.ok(span(streamed, 'info').equals(span(want, 'info')), `${format}: info dict (streamed)`);
        assert.ok(span(streamed, 'piece layers').equals(span(want, 'piece layers')), `${format}: piece layers (streamed)`);
      }
    });
  }

  it('refuses a format it does not know, in the command line\'s words', async () => {
    const r = await runCli(env, dir, ['add', path.join(dir, 'single.bin'), '--format', 'v3']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--format must be v1, v2 or hybrid \(got 'v3'\)/);
  });
});
