import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import bencode from 'bencode';
import { parseTorrent, TorrentError } from '../../../server/torrent/parse-torrent.js';
import { hasCommand, needs } from '../../helpers/environment.js';
import { makeTorrent } from '../../helpers/make-torrent.js';

const sha1 = (b: Uint8Array): string => createHash('sha1').update(b).digest('hex');
const info = (over: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ length: 3, name: 'a.bin', 'piece length': 16384, pieces: Buffer.alloc(20), ...over });
const file = (i: unknown, top: Record<string, unknown> = {}): Buffer => Buffer.from(bencode.encode({ announce: 'http://x/announce', info: i, ...top }));

describe('parseTorrent', () => {
  it('reads a single-file torrent and hashes the original info bytes', () => {
    const m = makeTorrent({ name: 'x.bin', data: randomBytes(40000), pieceLength: 16384 });
    const p = parseTorrent(m.file);
    assert.equal(p.infoHash, m.infoHash);
    assert.deepEqual([p.name, p.pieceLength, p.pieceCount, p.totalSize, p.multiFile], ['x.bin', 16384, 3, 40000, false]);
    assert.deepEqual(p.files, [{ path: 'x.bin', length: 40000 }]);
  });

  it('reads a multi-file torrent with /-joined relative paths', () => {
    const i = info({ length: undefined, files: [{ length: 1, path: [Buffer.from('docs'), Buffer.from('a.txt')] }, { length: 2, path: [Buffer.from('b')] }] });
    delete i.length;
    const p = parseTorrent(file(i));
    assert.deepEqual(p.files, [{ path: 'docs/a.txt', length: 1 }, { path: 'b', length: 2 }]);
    assert.equal(p.multiFile, true);
  });

  it('uses the exact info bytes even when keys are out of canonical order', () => {
    const raw = Buffer.from('d4:infod6:lengthi3e4:name1:x12:piece lengthi16384e6:pieces20:' + 'a'.repeat(20) + 'e8:announce1:ue', 'latin1');
    const start = raw.indexOf('d6:length');
    const end = raw.indexOf('e8:announce') + 1;
    assert.equal(parseTorrent(raw).infoHash, sha1(raw.subarray(start, end)));
  });

  it('matches the info_hash mktorrent writes', { skip: needs(hasCommand('mktorrent'), 'mktorrent (apt-get install mktorrent)') }, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'seedhost-mk-'));
    try {
      writeFileSync(path.join(dir, 'data.bin'), randomBytes(100_001));
      execFileSync('mktorrent', ['-a', 'http://127.0.0.1/announce', '-l', '15', '-o', path.join(dir, 'd.torrent'), path.join(dir, 'data.bin')], { stdio: 'ignore' });
      const buf = readFileSync(path.join(dir, 'd.torrent'));
      const infoBytes = Buffer.from(bencode.encode(bencode.decode(buf).info));
      const p = parseTorrent(buf);
      assert.equal(p.infoHash, sha1(infoBytes));
      assert.deepEqual([p.name, p.pieceLength, p.pieceCount, p.totalSize], ['data.bin', 32768, 4, 100_001]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const bad: [string, Buffer, RegExp][] = [
    ['an empty file', Buffer.alloc(0), /empty file/],
    ['text that is not bencode', Buffer.from('<html>hello</html>'), /not bencoded data/],
    ['a truncated file', file(info()).subarray(0, 40), /not bencoded data/],
    ['trailing garbage', Buffer.concat([file(info()), Buffer.from('xx')]), /trailing data/],
    ['a string longer than the data', Buffer.from('d4:infod4:name999:abcee'), /not bencoded data/],
    ['an integer with a leading zero', Buffer.from('d4:infoi01ee'), /bad integer/],
    ['no info dictionary', Buffer.from(bencode.encode({ announce: 'x' })), /no info dictionary/],
    ['an info that is a list', file([1, 2]), /info is not a dictionary/],
    ['a missing name', file(info({ name: undefined })), /info.name/],
    ['a name with a slash', file(info({ name: 'a/../b' })), /unsafe path component/],
    ['a name of ..', file(info({ name: '..' })), /unsafe path component/],
    ['a zero piece length', file(info({ 'piece length': 0 })), /piece length/],
    ['pieces not a multiple of 20', file(info({ pieces: Buffer.alloc(21) })), /multiple of 20/],
    ['too few piece hashes for the size', file(info({ length: 40000 })), /has 1 hashes but the size needs 3/],
    ['a negative length', file(info({ length: -1 })), /info.length/],
    ['a total size of 0', file(info({ length: 0, pieces: Buffer.alloc(0) })), /no content/],
    ['a file path climbing out with ..', file({ name: 'd', 'piece length': 16384, pieces: Buffer.alloc(20), files: [{ length: 1, path: [Buffer.from('..'), Buffer.from('etc')] }] }), /unsafe path component "\.\."/],
    ['an empty file path', file({ name: 'd', 'piece length': 16384, pieces: Buffer.alloc(20), files: [{ length: 1, path: [] }] }), /path must be a non-empty list/],
    ['duplicate file paths', file({ name: 'd', 'piece length': 16384, pieces: Buffer.alloc(20), files: [{ length: 1, path: [Buffer.from('a')] }, { length: 1, path: [Buffer.from('a')] }] }), /duplicate path/],
    ['both length and files', file({ ...info(), files: [{ length: 3, path: [Buffer.from('a')] }] }), /both length and files/],
    ['a v2 torrent with an empty file tree', file({ name: 'v2', 'piece length': 16384, 'meta version': 2, 'file tree': {} }), /folder "\(root\)" is empty/],
    ['an unknown meta version', file(info({ 'meta version': 3 })), /meta version 3 is not supported/],
    ['nesting too deep', Buffer.from('l'.repeat(100) + 'e'.repeat(100)), /nesting too deep/],
  ];
  for (const [what, buf, msg] of bad) {
    it(`refuses ${what}`, () => {
      assert.throws(() => parseTorrent(buf), (e: unknown) => e instanceof TorrentError && msg.test(e.message));
    });
  }
});
