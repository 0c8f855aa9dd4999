import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { parseTorrent, TorrentError } from '../../../server/torrent/parse-torrent.js';
import { libtorrentPython, needs } from '../../helpers/environment.js';
import { makeV2Set, type V2Set } from '../../helpers/v2-torrents.js';

const python = libtorrentPython();
const skip = needs(python !== null, 'python3-libtorrent (apt-get install python3-libtorrent)');
const set: V2Set | null = skip === false ? makeV2Set(python as string) : null;
after(() => { if (set !== null) rmSync(set.dir, { recursive: true, force: true }); });
const files = [{ path: 'a.bin', length: 40000 }, { path: 'b.txt', length: 100 }, { path: 'empty', length: 0 }, { path: 'sub/c.bin', length: 70000 }];

describe('parseTorrent: v2 and hybrid torrents made by libtorrent', { skip }, () => {
  it('reads a hybrid: v1 info hash as infoHash, SHA-256 as infoHashV2, padding files left out', () => {
    const s = set as V2Set;
    const m = parseTorrent(s.torrent('hybrid'));
    const [v1, v2] = s.hashes.get('hybrid') as [string, string];
    assert.deepEqual([m.format, m.infoHash, m.infoHashV2], ['hybrid', v1, v2]);
    assert.deepEqual(m.files, files);
    // the v1 pieces span the padding files: 3 + 1 + 0 + 5 pieces of 16 KiB
    assert.deepEqual([m.totalSize, m.pieceCount, m.multiFile], [110100, 9, true]);
  });

  it('reads a v2-only torrent: infoHash is the SHA-256 cut to 20 bytes', () => {
    const s = set as V2Set;
    const m = parseTorrent(s.torrent('v2'));
    const [v1, v2] = s.hashes.get('v2') as [string, string];
    assert.equal(v1, '-');
    assert.deepEqual([m.format, m.infoHash, m.infoHashV2], ['v2', v2.slice(0, 40), v2]);
    assert.deepEqual(m.files, files);
    assert.deepEqual([m.totalSize, m.pieceCount, m.multiFile], [110100, 3 + 1 + 0 + 5, true]);
  });

  it('reads single-file hybrid and v2 torrents', () => {
    const s = set as V2Set;
    for (const [name, format] of [['hybrid-single', 'hybrid'], ['v2-single', 'v2']] as const) {
      const m = parseTorrent(s.torrent(name));
      const [v1, v2] = s.hashes.get(name) as [string, string];
      assert.deepEqual([m.format, m.infoHash, m.infoHashV2], [format, format === 'v2' ? v2.slice(0, 40) : v1, v2]);
      assert.deepEqual([m.files, m.multiFile, m.pieceCount], [[{ path: 'one.bin', length: 50000 }], false, 4]);
    }
  });

  it('reads a v1 torrent as before (format v1, no v2 hash)', () => {
    const s = set as V2Set;
    const m = parseTorrent(s.torrent('v1'));
    assert.deepEqual([m.format, m.infoHash, m.infoHashV2], ['v1', (s.hashes.get('v1') as [string, string])[0], null]);
  });

  const refused: [string, RegExp][] = [
    ['v2-layer-flipped', /the layer of "a.bin" does not hash to its pieces root/],
    ['v2-layer-short', /the layer of "a.bin" has 64 bytes; its 3 pieces need 96/],
    ['v2-length-mismatch', /the layer of "a.bin" has 96 bytes; its 4 pieces need 128/],
    ['v2-no-layers', /piece layers is missing/],
    ['v2-meta-version-3', /meta version 3 is not supported/],
    ['v2-no-file-tree', /meta version is 2 but there is no file tree/],
    ['v2-no-pieces-root', /"a.bin": a non-empty file needs a 32-byte pieces root/],
    ['v2-short-pieces-root', /"a.bin": a non-empty file needs a 32-byte pieces root/],
    ['v2-empty-with-root', /"empty": an empty file has no pieces root/],
    ['v2-negative-length', /"a.bin": length must be a non-negative integer/],
    ['v2-empty-folder', /the folder "hole" is empty/],
    ['v2-file-and-folder', /"sub" is both a file and a folder/],
    ['v2-dotdot', /unsafe path component "\.\."/],
    ['v2-piece-length-not-power', /power of two of at least 16384/],
    ['hybrid-layer-flipped', /does not hash to its pieces root/],
    ['hybrid-no-pad', /"a.bin" must be followed by a padding file \(attr "p"\) of 9152 bytes/],
    ['hybrid-pad-unmarked', /"a.bin" must be followed by a padding file/],
    ['hybrid-reordered', /v1 file 0 \("b.txt"\) is not the file tree's "a.bin"/],
    ['hybrid-extra-v1-file', /v1 file 0 \("extra"\) is not the file tree's "a.bin"/],
    ['hybrid-other-path', /v1 file 0 \("other.bin"\)/],
    ['hybrid-tree-length-mismatch', /v1 file 2 \("b.txt"\) is not the file tree's "b.txt" of 101 bytes/],
  ];
  for (const [name, msg] of refused) {
    it(`refuses ${name}`, () => {
      assert.throws(() => parseTorrent((set as V2Set).torrent(name)), (e: unknown) => e instanceof TorrentError && msg.test(e.message));
    });
  }

  it('keeps the file limit for v2 trees and hybrid lists (padding files not counted)', () => {
    const s = set as V2Set;
    assert.throws(() => parseTorrent(s.torrent('v2'), { maxFiles: 3 }), /at most 3 are accepted \(MAX_TORRENT_FILES\)/);
    assert.throws(() => parseTorrent(s.torrent('hybrid'), { maxFiles: 3 }), /at most 3 are accepted/);
    assert.equal(parseTorrent(s.torrent('hybrid'), { maxFiles: 4 }).files.length, 4);
  });
});

describe('parseTorrentOffLoop: a large hybrid on the parser thread', { skip }, () => {
  it('gives the same metainfo as parsing in place', async () => {
    const { parseTorrentOffLoop, PARSE_IN_PLACE_BYTES } = await import('../../../server/torrent/parse-off-loop.js');
    // a long comment (outside the info dict) takes it past the in-place size
    const padded = (buf: Buffer): Buffer => Buffer.concat([Buffer.from(`d7:comment${PARSE_IN_PLACE_BYTES + 10}:`), Buffer.alloc(PARSE_IN_PLACE_BYTES + 10, 0x61), buf.subarray(1)]);
    const small = (set as V2Set).torrent('hybrid');
    const big = padded(small);
    assert.ok(big.length > PARSE_IN_PLACE_BYTES);
    const { packedFiles: _packed, ...off } = await parseTorrentOffLoop(big); // the files came packed: the spread unpacks them
    assert.deepEqual(off, parseTorrent(small));
    await assert.rejects(parseTorrentOffLoop(padded((set as V2Set).torrent('v2-layer-flipped'))), (e: unknown) => e instanceof TorrentError && /does not hash to its pieces root/.test((e as Error).message));
  });
});
