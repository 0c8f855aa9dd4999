import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hashFiles, type HashSource } from '../../../server/torrent/file-hasher.js';

const reference = (data: Buffer, pl: number): Buffer => {
  const out: Buffer[] = [];
  for (let o = 0; o < data.length; o += pl) out.push(createHash('sha1').update(data.subarray(o, o + pl)).digest());
  return Buffer.concat(out);
};

describe('hashFiles', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(path.join(tmpdir(), 'seedhost-fh-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Sources for files with these contents; records which are open. */
  const sources = (datas: Buffer[], tag: string, size?: (i: number) => number) => {
    const open = new Set<number>();
    const list: HashSource[] = datas.map((d, i) => {
      const file = path.join(dir, `${tag}-${i}`);
      writeFileSync(file, d);
      let fd = -1;
      return {
        size: size?.(i) ?? d.length,
        open: async () => {
          fd = openSync(file, 'r');
          open.add(i);
          return fd;
        },
        close: async () => {
          closeSync(fd);
          open.delete(i);
        },
      };
    });
    return { list, open };
  };

  for (const [what, sizes, pl] of [
    ['one file of a few pieces and odd bytes', [3 * 1024 * 1024 + 77], 262144],
    ['pieces spanning several files, empty ones among them', [100, 0, 40000, 1, 0, 70001, 16384], 32768],
    ['blocks of more than one piece across 20 MiB', [7 * 1024 * 1024 + 5, 13 * 1024 * 1024], 1048576],
    ['pieces longer than a block', [17 * 1024 * 1024 + 3], 16 * 1024 * 1024],
  ] as const) {
    it(`hashes ${what}`, async () => {
      const datas = sizes.map((n) => randomBytes(n));
      const s = sources(datas, what.replace(/\W+/g, '-'));
      const pieces = await hashFiles(s.list, pl);
      assert.ok(pieces.equals(reference(Buffer.concat(datas), pl)));
      assert.equal(s.open.size, 0, 'every file closed');
    });
  }

  it('gives no pieces for no bytes, opening nothing', async () => {
    const s = sources([Buffer.alloc(0), Buffer.alloc(0)], 'empty');
    assert.equal((await hashFiles(s.list, 16384)).length, 0);
    assert.equal(s.open.size, 0);
  });

  it('fails on a file shorter than its size, closing every file', async () => {
    const s = sources([randomBytes(50000), randomBytes(9 * 1024 * 1024)], 'short', (i) => (i === 1 ? 10 * 1024 * 1024 : 50000));
    await assert.rejects(hashFiles(s.list, 32768), (e: NodeJS.ErrnoException) => e.code === 'ESHRANK');
    assert.equal(s.open.size, 0);
  });

  it('fails with the error of a failed open, closing the files opened before', async () => {
    const s = sources([randomBytes(20 * 1024 * 1024), randomBytes(100)], 'noopen');
    s.list[1].open = async () => { throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }); };
    await assert.rejects(hashFiles(s.list, 1048576), (e: NodeJS.ErrnoException) => e.code === 'EACCES');
    assert.equal(s.open.size, 0);
  });
});
