// `seedhost add` writes the copy of a local file with O_DIRECT (DIRECT_IO=on, the default): the
// 4 KiB-aligned middle of each run goes to the disk without passing through the page cache, heads
// and tails of files that start mid-block with buffered writes. The stored bytes and the torrent are
// the same as with DIRECT_IO=off; where the file system honours O_DIRECT, the copy is then not
// in the page cache (fincore, util-linux).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { needs } from '../helpers/environment.js';
import { writeTree } from '../helpers/publish.js';
import { mountReflinkFs, reflinkFsMissing, type ReflinkFs } from '../helpers/reflink-fs.js';

const lastLine = (s: string): string => s.trim().split('\n').pop() as string;
const MiB = 1024 * 1024;

/** Bytes of `file` in the page cache. */
const resident = (file: string): number => Number(execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', file]).toString().trim());
const hasFincore = ((): boolean => {
  try {
    execFileSync('fincore', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
/** ext4, XFS, btrfs: O_DIRECT writes bypass the page cache (on tmpfs the page cache is the storage). */
const DISK_FS = new Set([0xef53, 0x58465342, 0x9123683e]);

describe('seedhost add with O_DIRECT copies', () => {
  let dir: string;
  const tree = {
    'big.bin': randomBytes(12 * MiB + 5), // starts aligned, ends mid-block
    'odd/a.bin': randomBytes(3 * MiB + 1),
    'odd/b.bin': randomBytes(5 * MiB + 777), // starts mid-block in the torrent
    'odd/empty': Buffer.alloc(0),
    'odd/tiny.txt': Buffer.from('tiny'),
  };
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'seedhost-direct-'));
    writeTree(path.join(dir, 'src/folder'), tree);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const add = async (directIo: 'on' | 'off'): Promise<{ hash: string; data: string }> => {
    const data = path.join(dir, `data-${directIo}`);
    const env = { DATA_DIR: data, DATABASE_URL: `sqlite:${data}/seedhost.db`, LOG_LEVEL: 'warn', PUBLIC_URL: 'http://127.0.0.1:1', REDIS_URL: '', DIRECT_IO: directIo };
    const r = await runCli(env, dir, ['add', path.join(dir, 'src/folder'), '--piece-length', '262144']);
    assert.equal(r.code, 0, r.stderr);
    return { hash: lastLine(r.stdout), data };
  };

  /** Direct: at most the unaligned tail page of big.bin went through the page cache; buffered: all of it is there. */
  const checkPageCache = (on: { hash: string; data: string }, off: { hash: string; data: string }): void => {
    if (needs(hasFincore, 'fincore (Debian util-linux)') !== false) return;
    if (!DISK_FS.has(statfsSync(dir).type)) {
      process.stdout.write(`# page-cache check left out: ${dir} is not on ext4, XFS or btrfs\n`);
      return;
    }
    const big = (c: { hash: string; data: string }): number => resident(path.join(c.data, 'content', c.hash, 'folder', 'big.bin'));
    assert.ok(big(on) <= 64 * 1024, `direct copy resident: ${big(on)} B`);
    assert.ok(big(off) >= 12 * MiB, `buffered copy resident: ${big(off)} B`);
  };

  it('stores the same bytes and makes the same torrent as buffered writes, bypassing the page cache', async () => {
    const on = await add('on');
    const off = await add('off');
    assert.match(on.hash, /^[0-9a-f]{40}$/);
    assert.equal(on.hash, off.hash);
    checkPageCache(on, off); // before anything reads the copies in
    for (const { hash, data } of [on, off]) {
      for (const [rel, bytes] of Object.entries(tree)) {
        assert.ok(readFileSync(path.join(data, 'content', hash, 'folder', rel)).equals(bytes), `${path.basename(data)}: ${rel}`);
      }
    }
  });
});

// A real full disk: a small XFS image (loop-mounted; needs root and xfsprogs) filled up but for
// 24 MiB, then a 64 MiB file published into it from another file system.
const missing = reflinkFsMissing();
describe('seedhost add onto a full disk', { skip: needs(missing === null, missing ?? '') }, () => {
  let fs: ReflinkFs;
  let src: string;
  const small = randomBytes(300_000);
  before(() => {
    fs = mountReflinkFs(400);
    src = mkdtempSync(path.join(tmpdir(), 'seedhost-full-'));
    writeTree(src, { 'big.bin': randomBytes(64 * MiB), 'small.bin': small });
  });
  after(() => {
    fs?.unmount();
    rmSync(src, { recursive: true, force: true });
  });

  for (const directIo of ['on', 'off']) {
    it(`refuses a copy that does not fit (DIRECT_IO=${directIo}) and keeps what is stored`, async () => {
      const data = path.join(fs.dir, `data-${directIo}`);
      const env = { DATA_DIR: data, DATABASE_URL: `sqlite:${data}/seedhost.db`, LOG_LEVEL: 'warn', PUBLIC_URL: 'http://127.0.0.1:1', REDIS_URL: '', DIRECT_IO: directIo };
      const first = await runCli(env, src, ['add', path.join(src, 'small.bin')]);
      assert.equal(first.code, 0, first.stderr);
      const kept = lastLine(first.stdout);
      const st = statfsSync(fs.dir);
      const filler = path.join(fs.dir, 'filler');
      execFileSync('fallocate', ['-l', String(st.bavail * st.bsize - 24 * MiB), filler]);
      try {
        const r = await runCli(env, src, ['add', path.join(src, 'big.bin')]);
        assert.equal(r.code, 1, r.stdout);
        assert.match(r.stderr, /not enough disk space/);
        assert.deepEqual(readdirSync(path.join(data, 'tmp')), [], 'no staging left');
        assert.deepEqual(readdirSync(path.join(data, 'content')), [kept], 'no content left');
        const list = await runCli(env, src, ['list']);
        assert.equal(list.code, 0, list.stderr);
        assert.deepEqual(list.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]), [kept], 'no row left');
        assert.ok(readFileSync(path.join(data, 'content', kept, 'small.bin')).equals(small), 'the stored torrent is intact');
      } finally {
        rmSync(filler, { force: true });
      }
    });
  }
});
