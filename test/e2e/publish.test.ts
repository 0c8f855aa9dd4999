import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TorrentEntity } from '../../server/db/entities/torrent.entity.js';
import { publishTorrent, PublishError, type PublishDeps, type PublishFile } from '../../server/services/publish-torrent.js';
import type { ContentWriter, FileStore } from '../../server/storage/file-store.js';
import { findTopLevelValue } from '../../server/torrent/bencode-span.js';
import { bdecode } from '../helpers/bdecode.js';
import { databaseKinds } from '../helpers/databases.js';
import { hasCommand, needs } from '../helpers/environment.js';
import { addViaCli, writeTree } from '../helpers/publish.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { announce, failureOf, httpGet } from '../helpers/tracker-client.js';

const infoOf = (torrent: Buffer): Buffer => {
  const span = findTopLevelValue(torrent, 'info');
  if (span === null) throw new Error('no info');
  return torrent.subarray(span[0], span[1]);
};
const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');
const chunks = async function* (data: Buffer, size = 65536, failAt = -1): AsyncGenerator<Buffer> {
  for (let o = 0; o < data.length; o += size) {
    if (failAt >= 0 && o >= failAt) throw new Error('connection reset by peer');
    yield data.subarray(o, o + size);
  }
};
const file = (p: string, data: Buffer, over: Partial<PublishFile> = {}): PublishFile => ({ path: p, size: data.length, stream: chunks(data), ...over });

for (const kind of databaseKinds()) {
  describe(`publishing (${kind.name})`, () => {
    let t: TestServer;
    let work: string;
    let deps: PublishDeps;
    const contentDirs = (): string[] => readdirSync(path.join(t.dataDir, 'content')).sort();
    const stagingDirs = (): string[] => (existsSync(path.join(t.dataDir, 'tmp')) ? readdirSync(path.join(t.dataDir, 'tmp')) : []);
    const rows = (): Promise<number> => t.server.ds.getRepository(TorrentEntity).count();
    before(async () => {
      t = await startTestServer(kind, { PUBLIC_URL: 'http://seed.example:8080' });
      work = mkdtempSync(path.join(tmpdir(), 'seedhost-pub-'));
      deps = { ds: t.server.ds, files: t.server.files, events: t.server.events, publicUrl: 'http://seed.example:8080', maxUploadBytes: 0 };
    });
    after(async () => {
      await t.close();
      rmSync(work, { recursive: true, force: true });
    });

    const singles: [string, number][] = [['one byte', 1], ['exactly one piece', 32768], ['one byte over a piece', 32769], ['a few MiB and odd bytes', 3 * 1024 * 1024 + 12345]];
    for (const [what, size] of singles) {
      it(`writes the same info dict as mktorrent for a single file of ${what}`, { skip: needs(hasCommand('mktorrent'), 'mktorrent (apt-get install mktorrent)') }, async () => {
        const dir = path.join(work, `single-${size}`);
        writeTree(dir, { [`file-${size}.bin`]: randomBytes(size) });
        const src = path.join(dir, `file-${size}.bin`);
        const hash = await addViaCli(t, [src, '--piece-length', '32768']);
        execFileSync('mktorrent', ['-l', '15', '-a', 'http://x/announce', '-o', `${src}.torrent`, src], { stdio: 'ignore' });
        const mk = infoOf(readFileSync(`${src}.torrent`));
        const ours = (await httpGet(`${t.baseUrl}/torrents/${hash}.torrent`)).body;
        assert.ok(infoOf(ours).equals(mk), 'info dict differs from mktorrent');
        assert.equal(hash, sha1(mk));
      });
    }

    it('writes the same info dict as mktorrent for a folder with nested folders and an empty file', { skip: needs(hasCommand('mktorrent'), 'mktorrent (apt-get install mktorrent)') }, async () => {
      const dir = writeTree(path.join(work, 'tree', 'My Folder'), {
        'a.txt': Buffer.from('hello\n'), 'B/upper.bin': randomBytes(40000), 'empty': Buffer.alloc(0),
        'sub/c.bin': randomBytes(70001), 'sub/deeper/z.bin': randomBytes(5), 'sub-dash.bin': randomBytes(33000), 'ünï.txt': Buffer.from('x'),
      });
      const hash = await addViaCli(t, [dir, '--piece-length', '32768', '--description', 'nested']);
      execFileSync('mktorrent', ['-l', '15', '-a', 'http://x/announce', '-o', path.join(work, 'tree.torrent'), dir], { stdio: 'ignore' });
      const mk = infoOf(readFileSync(path.join(work, 'tree.torrent')));
      const ours = (await httpGet(`${t.baseUrl}/torrents/${hash}.torrent`)).body;
      assert.ok(infoOf(ours).equals(mk), 'info dict differs from mktorrent');
      assert.ok(existsSync(path.join(t.dataDir, 'content', hash, 'My Folder', 'empty')));
    });

    it('serves the .torrent with announce and the webseed url-list, and tracks it at once', async () => {
      const hash = await addViaCli(t, [writeTree(path.join(work, 'dl'), { 'x.bin': randomBytes(1000) }) + '/x.bin']);
      const r = await httpGet(`${t.baseUrl}/torrents/${hash}.torrent`);
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-type'], 'application/x-bittorrent');
      const d = bdecode(r.body) as Record<string, Buffer | Buffer[]>;
      assert.equal(String(d.announce), 'http://seed.example:8080/announce');
      assert.deepEqual((d['url-list'] as Buffer[]).map(String), [`http://seed.example:8080/webseed/${hash}/`]);
      assert.equal((await httpGet(`${t.baseUrl}/torrents/${'0'.repeat(40)}.torrent`)).status, 404);
      // the command line ran in another process: the server sees it within its sync interval
      for (let i = 0; i < 40 && !t.server.registered.has(hash); i++) await new Promise((res) => setTimeout(res, 50));
      const a = await announce(t.announceUrl, { infoHash: hash, peerId: '-XX0001-pub', port: 6000, left: 0 });
      assert.equal(failureOf(a), null);
    });

    it('hashes files that arrive out of order into the canonical layout', async () => {
      const a = randomBytes(50000), b = randomBytes(20000);
      const inOrder = await publishTorrent(deps, { name: 'order-a', pieceLength: 16384, files: [file('a.bin', a), file('b.bin', b)] });
      const reversed = await publishTorrent(deps, { name: 'order-b', pieceLength: 16384, files: [file('b.bin', b), file('a.bin', a)] });
      const info = async (hash: string) => bdecode(infoOf((await httpGet(`${t.baseUrl}/torrents/${hash}.torrent`)).body)) as { files: { path: Buffer[] }[]; pieces: Buffer };
      const [x, y] = [await info(inOrder.infoHash), await info(reversed.infoHash)];
      assert.deepEqual(x.files.map((f) => f.path.map(String).join('/')), ['a.bin', 'b.bin']);
      assert.deepEqual(y.files.map((f) => f.path.map(String).join('/')), ['a.bin', 'b.bin']);
      assert.ok(x.pieces.equals(y.pieces), 'pieces differ: the second pass hashed in the wrong order');
    });

    it('publishes local files (read on the hashing threads, in any order) as the same torrent as streamed ones', async () => {
      const a = randomBytes(50000), b = randomBytes(20000), empty = Buffer.alloc(0);
      const dir = writeTree(path.join(work, 'local'), { 'a.bin': a, 'b.bin': b, 'e': empty });
      const local = (p: string, d: Buffer): PublishFile => ({ ...file(p, d), stream: chunks(Buffer.from('not these bytes')), localPath: path.join(dir, p) });
      const streamed = await publishTorrent(deps, { name: 'local-s', pieceLength: 16384, files: [file('a.bin', a), file('b.bin', b), file('e', empty)] });
      const fromDisk = await publishTorrent(deps, { name: 'local-l', pieceLength: 16384, files: [local('e', empty), local('b.bin', b), local('a.bin', a)] });
      const pieces = (row: TorrentEntity): Buffer => (bdecode(infoOf(row.metainfo)) as { pieces: Buffer }).pieces;
      assert.ok(pieces(fromDisk).equals(pieces(streamed)));
      assert.deepEqual(fromDisk.files.map((f) => f.path), ['a.bin', 'b.bin', 'e']);
      for (const [p, d] of [['a.bin', a], ['b.bin', b], ['e', empty]] as const) {
        assert.ok(readFileSync(path.join(t.dataDir, 'content', fromDisk.infoHash, 'local-l', p)).equals(d), p);
      }
    });

    it('stores local files as hard links with link (same torrent, same inode), and copies where it cannot link', async () => {
      const a = randomBytes(40000), b = randomBytes(9000);
      const dir = writeTree(path.join(work, 'linked'), { 'a.bin': a, 'b.bin': b });
      const local = (p: string, d: Buffer): PublishFile => ({ ...file(p, d), stream: chunks(Buffer.from('unused')), localPath: path.join(dir, p) });
      const linked = await publishTorrent(deps, { name: 'linked', pieceLength: 16384, link: true, files: [local('b.bin', b), local('a.bin', a)] });
      const streamed = await publishTorrent(deps, { name: 'linked-s', pieceLength: 16384, files: [file('a.bin', a), file('b.bin', b)] });
      const pieces = (row: TorrentEntity): Buffer => (bdecode(infoOf(row.metainfo)) as { pieces: Buffer }).pieces;
      assert.ok(pieces(linked).equals(pieces(streamed)));
      for (const p of ['a.bin', 'b.bin']) {
        assert.equal(statSync(path.join(t.dataDir, 'content', linked.infoHash, 'linked', p)).ino, statSync(path.join(dir, p)).ino, `${p} is a hard link`);
      }
      const noLinks: FileStore = { ...t.server.files, stage: async () => Object.assign(await t.server.files.stage(), { link: async () => false }) };
      const copied = await publishTorrent({ ...deps, files: noLinks }, { name: 'linked-c', pieceLength: 16384, link: true, files: [local('a.bin', a), local('b.bin', b)] });
      const stored = path.join(t.dataDir, 'content', copied.infoHash, 'linked-c', 'a.bin');
      assert.notEqual(statSync(stored).ino, statSync(path.join(dir, 'a.bin')).ino);
      assert.ok(readFileSync(stored).equals(a));
      assert.ok(pieces(copied).equals(pieces(streamed)));
    });

    it('keeps nothing when a local file changed size or its copy cannot be written', async () => {
      const before = [await rows(), contentDirs()] as const;
      const dir = writeTree(path.join(work, 'local-bad'), { 'x.bin': randomBytes(70000) });
      const x = { path: 'x.bin', stream: chunks(Buffer.alloc(0)), localPath: path.join(dir, 'x.bin') };
      await assert.rejects(publishTorrent(deps, { files: [{ ...x, size: 80000 }] }), (e) => e instanceof PublishError && e.code === 'BAD_INPUT' && /changed size/.test(e.message));
      const readOnly: FileStore = {
        ...t.server.files,
        stage: async () => {
          const w = await t.server.files.stage();
          return {
            create: (p, n) => w.create(p, n), write: (...a) => w.write(...a), close: (p) => w.close(p), commit: (k, f, to) => w.commit(k, f, to), abort: () => w.abort(), readStaged: (p, n) => w.readStaged(p, n),
            fd: async () => openSync(x.localPath, 'r'), directFd: async () => -1, link: (p, src) => w.link(p, src), clone: async () => false,
          };
        },
      };
      await assert.rejects(publishTorrent({ ...deps, files: readOnly }, { files: [{ ...x, size: 70000 }] }), (e: NodeJS.ErrnoException) => e.code === 'EBADF');
      assert.deepEqual([await rows(), contentDirs(), stagingDirs()], [before[0], before[1], []]);
    });

    it('names a multi-file upload after its common folder, and takes files that arrive late', async () => {
      const a = randomBytes(1000), b = randomBytes(2000);
      const late = new Promise<PublishFile>((res) => setTimeout(() => res(file('docs/b.txt', b)), 50));
      const row = await publishTorrent(deps, { files: [file('docs/a.txt', a), late] });
      assert.equal(row.name, 'docs');
      assert.deepEqual(row.files.map((f) => f.path), ['a.txt', 'b.txt']);
      assert.ok(readFileSync(path.join(t.dataDir, 'content', row.infoHash, 'docs', 'b.txt')).equals(b));
    });

    it('leaves nothing behind when the upload is cut mid-stream', async () => {
      const before = [await rows(), contentDirs(), new Set(t.server.registered)] as const;
      const data = randomBytes(300_000);
      await assert.rejects(publishTorrent(deps, { name: 'cut.bin', files: [{ path: 'cut.bin', size: data.length, stream: chunks(data, 65536, 131072) }] }), /connection reset/);
      assert.equal(await rows(), before[0]);
      assert.deepEqual(contentDirs(), before[1]);
      assert.deepEqual(stagingDirs(), []);
      assert.deepEqual(new Set(t.server.registered), before[2]);
    });

    it('refuses uploads over MAX_UPLOAD_BYTES, declared or not, keeping nothing', async () => {
      const small = { ...deps, maxUploadBytes: 100_000 };
      const before = [await rows(), contentDirs()] as const;
      const data = randomBytes(150_000);
      await assert.rejects(publishTorrent(small, { files: [file('big.bin', data)] }), (e) => e instanceof PublishError && e.code === 'TOO_LARGE');
      await assert.rejects(publishTorrent(small, { files: [{ path: 'big.bin', stream: chunks(data) }] }), (e) => e instanceof PublishError && e.code === 'TOO_LARGE');
      assert.deepEqual([await rows(), contentDirs(), stagingDirs()], [before[0], before[1], []]);
    });

    it('refuses a duplicate of a hosted torrent and leaves the original intact', async () => {
      const data = randomBytes(20000);
      const first = await publishTorrent(deps, { name: 'dup.bin', pieceLength: 16384, files: [file('dup.bin', data)] });
      await assert.rejects(publishTorrent(deps, { name: 'dup.bin', pieceLength: 16384, files: [file('dup.bin', data)] }), (e) => e instanceof PublishError && e.code === 'DUPLICATE');
      assert.ok(readFileSync(path.join(t.dataDir, 'content', first.infoHash, 'dup.bin')).equals(data));
      assert.deepEqual(stagingDirs(), []);
    });

    it('refuses unsafe paths and names, empty uploads and bad piece lengths', async () => {
      const d = Buffer.from('x');
      for (const p of ['../evil', '/abs', 'a//b', 'a/./b', 'nul\0byte', '']) {
        await assert.rejects(publishTorrent(deps, { name: 'n', files: [file(p, d), file('ok', d)] }), (e) => e instanceof PublishError && e.code === 'BAD_INPUT', p);
      }
      await assert.rejects(publishTorrent(deps, { name: 'a/b', files: [file('x', d)] }), /unsafe name/);
      await assert.rejects(publishTorrent(deps, { files: [file('x', d), file('y', d)] }), /name is required/);
      await assert.rejects(publishTorrent(deps, { files: [file('docs/x', d), file('other/y', d)] }), /name is required/);
      await assert.rejects(publishTorrent(deps, { files: [] }), /no files/);
      await assert.rejects(publishTorrent(deps, { files: [file('e', Buffer.alloc(0))] }), /every file is empty/);
      await assert.rejects(publishTorrent(deps, { pieceLength: 1000, files: [file('x', d)] }), /pieceLength/);
      await assert.rejects(publishTorrent(deps, { files: [{ path: 'short', size: 10, stream: chunks(d) }] }), /received 1 bytes, 10 were declared/);
      assert.deepEqual(stagingDirs(), []);
    });

    it('reports a full disk clearly and keeps nothing', async () => {
      const full: FileStore = {
        ...t.server.files,
        stage: async () => {
          const w = await t.server.files.stage();
          const failing: ContentWriter = {
            create: (p, n) => w.create(p, n), close: (p) => w.close(p), fd: (p) => w.fd(p), directFd: (p) => w.directFd(p), commit: (k, f, to) => w.commit(k, f, to), abort: () => w.abort(), readStaged: (p, n) => w.readStaged(p, n),
            link: (p, src) => w.link(p, src), clone: async () => false,
            write: async () => { throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }); },
          };
          return failing;
        },
        readAt: (...a) => t.server.files.readAt(...a), stat: (...a) => t.server.files.stat(...a), delete: (k) => t.server.files.delete(k),
      };
      const before = await rows();
      await assert.rejects(publishTorrent({ ...deps, files: full }, { files: [file('f.bin', randomBytes(1000))] }), (e) => e instanceof PublishError && e.code === 'STORAGE' && /disk space/.test(e.message));
      assert.equal(await rows(), before);
      assert.deepEqual(stagingDirs(), []);
    });

    it('removes content, row and tracker entry when a torrent is deleted', async () => {
      const hash = await addViaCli(t, [writeTree(path.join(work, 'del'), { 'gone.bin': randomBytes(5000) }) + '/gone.bin']);
      for (let i = 0; i < 40 && !t.server.registered.has(hash); i++) await new Promise((res) => setTimeout(res, 50));
      assert.ok(existsSync(path.join(t.dataDir, 'content', hash)));
      const r = await t.cli(['remove', hash]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(!existsSync(path.join(t.dataDir, 'content', hash)));
      for (let i = 0; i < 40 && t.server.registered.has(hash); i++) await new Promise((res) => setTimeout(res, 50));
      assert.equal(failureOf(await announce(t.announceUrl, { infoHash: hash, peerId: '-XX0001-del', port: 6001, left: 1 })), 'unregistered torrent');
      assert.equal((await httpGet(`${t.baseUrl}/webseed/${hash}/gone.bin`)).status, 404);
    });

    it('hard-links with `seedhost add --link`', async () => {
      const dir = writeTree(path.join(work, 'cli-link'), { 'movie.bin': randomBytes(30000) });
      const hash = await addViaCli(t, ['--link', path.join(dir, 'movie.bin')]);
      assert.equal(statSync(path.join(t.dataDir, 'content', hash, 'movie.bin')).ino, statSync(path.join(dir, 'movie.bin')).ino);
    });

    it('fails `seedhost add` clearly on a missing path or several paths without --name', async () => {
      const missing = await t.cli(['add', path.join(work, 'nope')]);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /no such file or folder/);
      const a = writeTree(path.join(work, 'two'), { 'a': Buffer.from('a'), 'b': Buffer.from('b') });
      const two = await t.cli(['add', path.join(a, 'a'), path.join(a, 'b')]);
      assert.match(two.stderr, /several paths need --name/);
    });
  });
}
