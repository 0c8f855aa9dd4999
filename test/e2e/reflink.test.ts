// On a file system that clones files (XFS, btrfs), `seedhost add` stores each file as a
// copy-on-write clone: an independent copy that costs no bytes and no copying, with the same
// torrent as a real copy. Changing the original afterwards leaves the stored content as it was.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync, statfsSync, statSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { needs } from '../helpers/environment.js';
import { writeTree } from '../helpers/publish.js';
import { mountReflinkFs, reflinkFsMissing, type ReflinkFs } from '../helpers/reflink-fs.js';

const lastLine = (s: string): string => s.trim().split('\n').pop() as string;
for (const kind of ['xfs', 'btrfs'] as const) {
  const missing = reflinkFsMissing(kind);

  describe(`seedhost add on a file system with reflinks (${kind})`, { skip: needs(missing === null, missing ?? '') }, () => {
    let fs: ReflinkFs;
    let ext: string;
    before(() => {
      fs = mountReflinkFs(512, kind);
      ext = mkdtempSync(path.join(tmpdir(), 'seedhost-noreflink-'));
    });
    after(() => {
      fs?.unmount();
      rmSync(ext, { recursive: true, force: true });
    });

    it('stores clones (no space used, not hard links) with the same torrent as a copy, unaffected by later changes', async () => {
      const big = randomBytes(32 * 1024 * 1024 + 12345);
      const small = randomBytes(70_000);
      const files = { 'pub/big.bin': big, 'pub/sub/small.bin': small, 'pub/empty': Buffer.alloc(0) };
      writeTree(fs.dir, files);
      writeTree(ext, files);
      execFileSync('sync', ['-f', fs.dir]); // written data is flushed before a clone anyway; here, outside the measurement
      const env = (dataDir: string) => ({ DATA_DIR: dataDir, DATABASE_URL: `sqlite:${path.join(dataDir, 's.db')}`, PUBLIC_URL: 'http://127.0.0.1:1', REDIS_URL: '' });
      const freeBefore = statfsSync(fs.dir).bavail * statfsSync(fs.dir).bsize;
      const cloned = await runCli(env(path.join(fs.dir, 'data')), fs.dir, ['add', path.join(fs.dir, 'pub')]);
      assert.equal(cloned.code, 0, cloned.stderr);
      const freeAfter = statfsSync(fs.dir).bavail * statfsSync(fs.dir).bsize;
      const copied = await runCli(env(path.join(ext, 'data')), ext, ['add', path.join(ext, 'pub')]);
      assert.equal(copied.code, 0, copied.stderr);

      const hash = lastLine(cloned.stdout);
      assert.equal(hash, lastLine(copied.stdout), 'the same torrent as a plain copy');
      const stored = path.join(fs.dir, 'data/content', hash, 'pub');
      assert.ok(freeBefore - freeAfter < 4 * 1024 * 1024, `32 MiB stored in ${freeBefore - freeAfter} bytes of new space: shared extents`);
      assert.notEqual(statSync(path.join(stored, 'big.bin')).ino, statSync(path.join(fs.dir, 'pub/big.bin')).ino, 'not a hard link');
      assert.equal(statSync(path.join(stored, 'big.bin')).nlink, 1);
      assert.ok(readFileSync(path.join(stored, 'sub/small.bin')).equals(small));
      assert.equal(statSync(path.join(stored, 'empty')).size, 0);

      const fd = openSync(path.join(fs.dir, 'pub/big.bin'), 'r+');
      writeSync(fd, Buffer.from('changed in place'), 0, 16, 1000);
      closeSync(fd);
      assert.ok(readFileSync(path.join(stored, 'big.bin')).equals(big), 'the stored clone keeps the published bytes');
    });
  });
}
