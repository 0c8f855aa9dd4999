import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { findTopLevelValue } from '../../../server/torrent/bencode-span.js';
import { BLOCK, fileHashes, PieceTree, pieceWidth } from '../../../server/torrent/merkle.js';
import { bdecode, type BValue } from '../../helpers/bdecode.js';
import { libtorrentPython, needs } from '../../helpers/environment.js';
import { libtorrentTorrent } from '../../helpers/libtorrent-create.js';

/** Deterministic bytes (so a failure can be replayed). */
const bytes = (n: number, seed: number): Buffer => {
  const out = Buffer.alloc(n);
  let at = 0;
  for (let k = 0; at < n; k++) {
    const h = createHash('sha256').update(`${seed}:${k}`).digest();
    at += h.copy(out, at);
  }
  return out;
};

/**
 * Reference from BEP 52's text, written without the module: leaves are SHA-256 of 16 KiB blocks,
 * padded with zero hashes to a power of two (a whole piece's worth at least when the file spans
 * several pieces); the root is the top of the binary tree; the piece layer is the tree's layer
 * whose nodes cover one piece each, cut to the file's pieces.
 */
const reference = (data: Buffer, pl: number): { root: Buffer | null; layer: Buffer | null } => {
  if (data.length === 0) return { root: null, layer: null };
  const sha = (b: Buffer): Buffer => createHash('sha256').update(b).digest();
  let level: Buffer[] = [];
  for (let o = 0; o < data.length; o += BLOCK) level.push(sha(data.subarray(o, o + BLOCK)));
  let width = 1;
  while (width < level.length) width *= 2;
  const perPiece = pl / BLOCK;
  if (data.length > pl && width < perPiece) width = perPiece;
  while (level.length < width) level.push(Buffer.alloc(32));
  const pieces = Math.ceil(data.length / pl);
  let layer: Buffer | null = null;
  for (let covered = 1; level.length > 1; covered *= 2) {
    if (covered === perPiece && pieces > 1) layer = Buffer.concat(level.slice(0, pieces));
    const up: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) up.push(sha(Buffer.concat([level[i], level[i + 1]])));
    level = up;
  }
  if (pieces > 1 && layer === null) layer = Buffer.concat(level.slice(0, pieces)); // one block per piece
  return { root: level[0], layer };
};

/** The module's way: piece by piece through PieceTree, in chunks of `chunk` bytes. */
const viaModule = (data: Buffer, pl: number, chunk: number) => {
  const tree = new PieceTree(pl);
  const hashes: Buffer[] = [];
  for (let p = 0; p < data.length; p += pl) {
    const piece = data.subarray(p, p + pl);
    for (let o = 0; o < piece.length; o += chunk) tree.update(piece.subarray(o, o + chunk));
    hashes.push(tree.digest(pieceWidth(data.length, pl)));
  }
  return fileHashes([data.length], Buffer.concat(hashes), pl)[0];
};

const python = libtorrentPython();
const SIZES = { empty: 0, under_block: 1000, one_block: BLOCK, under_piece: 20000, block_and_one: BLOCK + 1 };
const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

describe('merkle (BEP 52)', () => {
  for (const pl of [16384, 32768, 65536]) {
    const sizes: Record<string, number> = { ...SIZES, one_piece: pl, piece_and_one: pl + 1, three_pieces_short: 3 * pl - 5, many_pieces: 9 * pl + 12345 };

    it(`matches the reference from the BEP text for files of every shape, pieces of ${pl}, whatever the chunking`, () => {
      for (const [label, size] of Object.entries(sizes)) {
        const data = bytes(size, size);
        const want = reference(data, pl);
        for (const chunk of [BLOCK, 1000, 7 * BLOCK + 3, pl]) {
          const got = viaModule(data, pl, chunk);
          assert.deepEqual(got.root, want.root, `${label} root (chunk ${chunk})`);
          assert.deepEqual(got.layer, want.layer, `${label} layer (chunk ${chunk})`);
        }
      }
    });

    it(`matches libtorrent 2.0's pieces roots and piece layers, pieces of ${pl}`, { skip: needs(python !== null, 'python3-libtorrent (apt-get install python3-libtorrent)') }, () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'merkle-'));
      dirs.push(dir);
      mkdirSync(path.join(dir, 'set'));
      for (const [label, size] of Object.entries(sizes)) writeFileSync(path.join(dir, 'set', label), bytes(size, size));
      const torrent = libtorrentTorrent(python as string, path.join(dir, 'set'), pl, 'v2');
      const info = bdecode(torrent) as Record<string, BValue>;
      const tree = (info.info as Record<string, BValue>)['file tree'] as Record<string, Record<string, Record<string, BValue>>>;
      const layers = info['piece layers'] as Record<string, Buffer>;
      assert.ok(findTopLevelValue(torrent, 'piece layers') !== null);
      for (const [label, size] of Object.entries(sizes)) {
        const entry = tree[label][''];
        assert.equal(entry.length, size, label);
        const mine = viaModule(bytes(size, size), pl, BLOCK);
        if (size === 0) {
          assert.equal(entry['pieces root'], undefined, `${label}: libtorrent writes no pieces root`);
          assert.equal(mine.root, null);
          continue;
        }
        assert.deepEqual(mine.root, entry['pieces root'], `${label} pieces root`);
        assert.deepEqual(mine.layer, layers[(entry['pieces root'] as Buffer).toString('latin1')] ?? null, `${label} piece layer`);
      }
    });
  }

  it('gives a one-block file the SHA-256 of its bytes as pieces root', () => {
    const data = bytes(1000, 1);
    assert.deepEqual(viaModule(data, 16384, 1000).root, createHash('sha256').update(data).digest());
  });
});
