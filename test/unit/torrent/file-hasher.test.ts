import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hashFiles, type HashSource } from '../../../server/torrent/file-hasher.js';
import { directRunBytes, hashPool } from '../../../server/torrent/hash-pool.js';

const reference = (data: Buffer, pl: number): Buffer => {
  const out: Buffer[] = [];
  for (let o = 0; o < data.length; o += pl) out.push(createHash('sha1').update(data.subarray(o, o + pl)).digest());
  return Buffer.concat(out);
};

describe('hashFiles', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(path.join(tmpdir(), 'seedhost-fh-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Sources for files with these contents, copied to `<name>.copy`; records which are open. */
  const sources = (datas: Buffer[], tag: string, over: Partial<{ size: (i: number) => number; copyFlags: string; direct: (copy: string) => number }> = {}) => {
    const open = new Set<number>();
    const copies: string[] = [];
    const list: HashSource[] = datas.map((d, i) => {
      const src = path.join(dir, `${tag}-${i}`);
      writeFileSync(src, d);
      copies.push(`${src}.copy`);
      writeFileSync(`${src}.copy`, '');
      let fds: { from: number; to: number; direct?: number } | undefined;
      return {
        size: over.size?.(i) ?? d.length,
        open: async () => {
          fds = { from: openSync(src, 'r'), to: openSync(`${src}.copy`, over.copyFlags ?? 'r+'), direct: over.direct?.(`${src}.copy`) };
          open.add(i);
          return fds;
        },
        close: async () => {
          closeSync(fds!.from);
          closeSync(fds!.to);
          if ((fds!.direct ?? -1) >= 0) closeSync(fds!.direct!);
          open.delete(i);
        },
      };
    });
    return { list, open, copies };
  };

  for (const [what, sizes, pl] of [
    ['one file of a few pieces and odd bytes', [3 * 1024 * 1024 + 77], 262144],
    ['pieces spanning several files, empty ones among them', [100, 0, 40000, 1, 0, 70001, 16384], 32768],
    ['blocks of more than one piece across 20 MiB', [7 * 1024 * 1024 + 5, 13 * 1024 * 1024], 1048576],
    ['pieces longer than a block', [17 * 1024 * 1024 + 3], 16 * 1024 * 1024],
  ] as const) {
    it(`hashes and copies ${what}`, async () => {
      const datas = sizes.map((n) => randomBytes(n));
      const s = sources(datas, what.replace(/\W+/g, '-'));
      const pieces = await hashFiles(s.list, pl);
      assert.ok(pieces.equals(reference(Buffer.concat(datas), pl)));
      datas.forEach((d, i) => assert.ok(readFileSync(s.copies[i]).equals(d), `copy ${i}`));
      assert.equal(s.open.size, 0, 'every file closed');
    });
  }

  // the copy also opened with O_DIRECT, as LocalWriter.directFd opens it: aligned runs are written
  // through it, unaligned heads and tails (files starting mid-block in the torrent) through `to`
  const O_DIRECT = (constants as { O_DIRECT?: number }).O_DIRECT;
  const directSkip = O_DIRECT === undefined ? 'no O_DIRECT on this platform' : false;
  const openDirect = (copy: string): number => openSync(copy, constants.O_WRONLY | (O_DIRECT as number));
  for (const [what, sizes, pl] of [
    ['one file of 20 MiB and odd bytes, through O_DIRECT', [20 * 1024 * 1024 + 4097], 1048576],
    ['unaligned files across runs, through O_DIRECT', [4095, 9 * 1024 * 1024 + 1, 1, 0, 17 * 1024 * 1024 + 12345, 8 * 1024 * 1024], 262144],
    ['small pieces, files of a few blocks, through O_DIRECT', [70001, 4096, 8192, 100000, 3], 16384],
  ] as const) {
    it(`hashes and copies ${what}`, { skip: directSkip }, async () => {
      const datas = sizes.map((n) => randomBytes(n));
      const s = sources(datas, what.replace(/\W+/g, '-'), { direct: openDirect });
      const pieces = await hashFiles(s.list, pl);
      assert.ok(pieces.equals(reference(Buffer.concat(datas), pl)));
      datas.forEach((d, i) => assert.ok(readFileSync(s.copies[i]).equals(d), `copy ${i}`));
      assert.equal(s.open.size, 0, 'every file closed');
    });
  }

  it('writes aligned runs through the direct descriptor alone', { skip: directSkip }, async () => {
    // `to` cannot write (read-only): an aligned file is copied only if every byte went through `direct`
    const data = randomBytes(24 * 1024 * 1024);
    const s = sources([data], 'direct-only', { copyFlags: 'r', direct: openDirect });
    assert.ok((await hashFiles(s.list, 1048576)).equals(reference(data, 1048576)));
    assert.ok(readFileSync(s.copies[0]).equals(data));
  });

  it('fails with the error of a failed direct write, after every write settled, closing every file', { skip: directSkip }, async () => {
    const s = sources([randomBytes(40 * 1024 * 1024)], 'direct-readonly', { direct: (copy) => openSync(copy, constants.O_RDONLY | (O_DIRECT as number)) });
    await assert.rejects(hashFiles(s.list, 1048576), (e: NodeJS.ErrnoException) => e.code === 'EBADF');
    assert.equal(s.open.size, 0);
  });

  it('gives no pieces for no bytes, opening nothing', async () => {
    const s = sources([Buffer.alloc(0), Buffer.alloc(0)], 'empty');
    assert.equal((await hashFiles(s.list, 16384)).length, 0);
    assert.equal(s.open.size, 0);
  });

  it('fails on a file shorter than its size, closing every file', async () => {
    const s = sources([randomBytes(50000), randomBytes(9 * 1024 * 1024)], 'short', { size: (i) => (i === 1 ? 10 * 1024 * 1024 : 50000) });
    await assert.rejects(hashFiles(s.list, 32768), (e: NodeJS.ErrnoException) => e.code === 'ESHRANK');
    assert.equal(s.open.size, 0);
  });

  it('fails with the error of a failed write, closing every file', async () => {
    const s = sources([randomBytes(20 * 1024 * 1024)], 'readonly', { copyFlags: 'r' });
    await assert.rejects(hashFiles(s.list, 1048576), (e: NodeJS.ErrnoException) => e.code === 'EBADF');
    assert.equal(s.open.size, 0);
  });

  it('keeps the direct-copy buffers of the whole pool within 32 MiB, runs of 1 to 8 MiB', () => {
    const MiB = 1024 * 1024;
    assert.deepEqual([1, 2, 4, 8, 16, 64].map(directRunBytes), [8, 8, 4, 2, 1, 1].map((n) => n * MiB));
    for (const size of [1, 2, 3, 4, 6, 8, 12, 16]) assert.ok(2 * directRunBytes(size) * size <= 32 * MiB, `pool of ${size}`);
  });

  it('runs the hashing threads at nice 10 and leaves the main thread at its priority', { skip: existsSync('/proc/self/task') ? false : 'no /proc/self/task (Linux only)' }, async () => {
    const pool = hashPool();
    // every worker has booted once each has answered a job
    await Promise.all(Array.from({ length: pool.size }, () => pool.hash(new SharedArrayBuffer(16384), 16384, 16384)));
    const nice = (task: string): number => {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    };
    const values = readdirSync('/proc/self/task').map(nice);
    assert.equal(nice(String(process.pid)), 0, 'main thread');
    assert.ok(values.filter((n) => n === 10).length >= pool.size, `nice values of the threads: ${values.join(' ')}`);
  });
});
