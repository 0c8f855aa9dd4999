import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import bencode from 'bencode';
import { PARSE_IN_PLACE_BYTES, parseTorrentOffLoop } from '../../../server/torrent/parse-off-loop.js';
import { DEFAULT_MAX_FILES, MAX_PATH_BYTES, MAX_TORRENT_FILE_BYTES, parseTorrent, TorrentError } from '../../../server/torrent/parse-torrent.js';

const torrent = (files: { length: number; path: string[] }[], name = 'd'): Buffer => {
  const total = files.reduce((n, f) => n + f.length, 0);
  return Buffer.from(bencode.encode({ announce: 'http://x/announce', info: { files, name, 'piece length': 16384, pieces: Buffer.alloc(Math.ceil(total / 16384) * 20) } }));
};
const many = (n: number): { length: number; path: string[] }[] => Array.from({ length: n }, (_, i) => ({ length: 1, path: ['folder', `file-${i}.bin`] }));
const refuses = (buf: Buffer, msg: RegExp, opts = {}): void => assert.throws(() => parseTorrent(buf, opts), (e: unknown) => e instanceof TorrentError && msg.test(e.message));

describe('parseTorrent limits', () => {
  it('takes up to maxFiles files and refuses one more (default DEFAULT_MAX_FILES)', () => {
    assert.equal(parseTorrent(torrent(many(50)), { maxFiles: 50 }).files.length, 50);
    refuses(torrent(many(51)), /51 files; at most 50 are accepted/, { maxFiles: 50 });
    assert.equal(DEFAULT_MAX_FILES, 20_000);
  });

  it('refuses names and components over 255 bytes and paths over MAX_PATH_BYTES', () => {
    refuses(torrent(many(1), 'é'.repeat(128)), /info.name: a file or folder name is longer than 255 bytes/);
    refuses(torrent([{ length: 1, path: ['x'.repeat(256)] }]), /longer than 255 bytes/);
    const long = Array.from({ length: 17 }, () => 'p'.repeat(240)); // 17 x 241 - 1 = 4,096 bytes
    refuses(torrent([{ length: 1, path: long }]), new RegExp(`the path is longer than ${MAX_PATH_BYTES} bytes`));
    assert.equal(parseTorrent(torrent([{ length: 1, path: long.slice(1) }])).files.length, 1);
  });

  it('refuses a file that is also a folder', () => {
    refuses(torrent([{ length: 1, path: ['a'] }, { length: 1, path: ['a', 'b'] }]), /"a" is both a file and a folder/);
  });

  it('refuses files over MAX_TORRENT_FILE_BYTES (10 MiB)', () => {
    assert.equal(MAX_TORRENT_FILE_BYTES, 10 * 1024 * 1024);
    refuses(Buffer.alloc(MAX_TORRENT_FILE_BYTES + 1, 0x64), /too large/);
  });
});

describe('parseTorrentOffLoop', () => {
  it('parses a large file on a worker thread to what parseTorrent reads', async () => {
    const buf = torrent(many(5000));
    assert.ok(buf.length > PARSE_IN_PLACE_BYTES);
    const off = await parseTorrentOffLoop(buf, { maxFiles: 5000 });
    assert.equal(typeof Object.getOwnPropertyDescriptor(off, 'files')?.get, 'function', 'the files came packed, unpacked on first read');
    const { packedFiles, ...rest } = off; // the spread reads (and unpacks) the files
    assert.equal(packedFiles?.sizes.length, 5000);
    assert.deepEqual(rest, parseTorrent(buf, { maxFiles: 5000 }));
    assert.equal(Object.getOwnPropertyDescriptor(off, 'files')?.get, undefined, 'once read, a plain value');
  });

  it('rejects with a TorrentError for a bad large file, and keeps working afterwards', async () => {
    const buf = torrent(many(5000));
    await assert.rejects(parseTorrentOffLoop(buf, { maxFiles: 10 }), (e: unknown) => e instanceof TorrentError && /at most 10/.test(e.message));
    await assert.rejects(parseTorrentOffLoop(Buffer.concat([buf, Buffer.from('x')])), (e: unknown) => e instanceof TorrentError && /not bencoded/.test(e.message));
    assert.equal((await parseTorrentOffLoop(buf)).files.length, 5000);
  });
});
