// The BEP 52 info dictionary of a new v2 or hybrid torrent and its `piece layers`, laid out
// exactly as libtorrent 2.0's create_torrent writes them (docs/v2-torrents.md): `file tree` with
// `length` and `pieces root` (none for an empty file), `meta version` 2; a hybrid adds the BEP 3
// `pieces` and, for several files, `files` in file-tree order with a BEP 47 padding file
// (`.pad/N`, attr `p`) after every file that does not end on a piece boundary, the last one included,
// when there is more than one file.
import { createHash } from 'node:crypto';
import type { FileHashes } from './merkle.js';
import type { TorrentFileEntry } from './metainfo.js';

export interface InfoV2Input {
  name: string;
  pieceLength: number;
  /** In file-tree order (format.ts compareTreeOrder); a single-file torrent has one entry (its path is ignored). */
  files: TorrentFileEntry[];
  /** Each file's pieces root and piece layer (merkle.ts fileHashes), in the same order. */
  hashes: FileHashes[];
  multiFile: boolean;
  /** Hybrid: the v1 pieces (20-byte SHA-1s, files padded to whole pieces). Absent: a v2-only torrent. */
  pieces?: Buffer;
}

export interface EncodedInfoV2 {
  bytes: Buffer;
  /**
   * 40 lowercase hex: a hybrid's v1 info_hash (SHA-1 of `bytes`); for v2 only, the SHA-256 truncated
   * to 20 bytes, the hash a v2 client announces (BEP 52).
   */
  infoHash: string;
  /** SHA-256 of `bytes`, 64 lowercase hex (BEP 52's info hash). */
  infoHashV2: string;
  /** The bencoded `piece layers` dict (pieces root → piece hashes) for the files longer than a piece; it goes beside `info`, outside it. */
  pieceLayers: Buffer;
}

const str = (s: string): Buffer => {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from(`${b.length}:`), b]);
};
const bytesOf = (b: Buffer): Buffer => Buffer.concat([Buffer.from(`${b.length}:`), b]);

interface Dir {
  [key: string]: Dir | { file: number };
}

function fileEntry(length: number, root: Buffer | null): Buffer {
  const parts: Buffer[] = [Buffer.from(`d0:d6:lengthi${length}e`)];
  if (root !== null) parts.push(str('pieces root'), bytesOf(root));
  parts.push(Buffer.from('ee'));
  return Buffer.concat(parts);
}

function encodeTree(dir: Dir, i: InfoV2Input, out: Buffer[]): void {
  out.push(Buffer.from('d'));
  const keys = Object.keys(dir).sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  for (const k of keys) {
    out.push(str(k));
    const v = dir[k];
    if ('file' in v && typeof v.file === 'number') out.push(fileEntry(i.files[v.file].length, i.hashes[v.file].root));
    else encodeTree(v as Dir, i, out);
  }
  out.push(Buffer.from('e'));
}

/** The `files` list of a multi-file hybrid, padding files included. */
function v1Files(i: InfoV2Input): string {
  const list = i.files.map((f) => {
    const entry = `d6:lengthi${f.length}e4:pathl${f.path.split('/').map((p) => `${Buffer.byteLength(p)}:${p}`).join('')}ee`;
    // as libtorrent: padding only in a torrent of more than one file (a folder of one file has none)
    const pad = i.files.length > 1 ? (i.pieceLength - (f.length % i.pieceLength)) % i.pieceLength : 0;
    return pad === 0 ? entry : `${entry}d4:attr1:p6:lengthi${pad}e4:pathl4:.pad${String(pad).length}:${pad}ee`;
  });
  return `5:filesl${list.join('')}e`;
}

/** Encodes a v2 or hybrid info dict and its piece layers (see EncodedInfoV2). Throws on a path that is both a file and a folder. */
export function encodeInfoV2(i: InfoV2Input): EncodedInfoV2 {
  const tree: Dir = Object.create(null) as Dir; // folder names such as __proto__ are plain keys
  i.files.forEach((f, n) => {
    const parts = i.multiFile ? f.path.split('/') : [i.name];
    let d = tree;
    for (const p of parts.slice(0, -1)) {
      const next = (d[p] ??= Object.create(null) as Dir);
      if ('file' in next && typeof next.file === 'number') throw new Error(`${f.path}: a folder is also a file`);
      d = next as Dir;
    }
    if (d[parts[parts.length - 1]] !== undefined) throw new Error(`${f.path}: two entries`);
    d[parts[parts.length - 1]] = { file: n };
  });
  const out: Buffer[] = [Buffer.from('d'), str('file tree')];
  encodeTree(tree, i, out);
  if (i.pieces !== undefined) {
    out.push(Buffer.from(i.multiFile ? v1Files(i) : `6:lengthi${i.files[0].length}e`, 'utf8'));
  }
  out.push(Buffer.from('12:meta versioni2e4:name'), str(i.name), Buffer.from(`12:piece lengthi${i.pieceLength}e`));
  if (i.pieces !== undefined) out.push(Buffer.from(`6:pieces${i.pieces.length}:`), i.pieces);
  out.push(Buffer.from('e'));
  const bytes = Buffer.concat(out);
  const v2 = createHash('sha256').update(bytes).digest();
  return {
    bytes,
    infoHash: i.pieces !== undefined ? createHash('sha1').update(bytes).digest('hex') : v2.subarray(0, 20).toString('hex'),
    infoHashV2: v2.toString('hex'),
    pieceLayers: encodePieceLayers(i.hashes),
  };
}

/** `piece layers`: keys (pieces roots) in byte order, one entry for identical files. */
export function encodePieceLayers(hashes: readonly FileHashes[]): Buffer {
  const layers = new Map<string, Buffer>();
  for (const h of hashes) if (h.root !== null && h.layer !== null) layers.set(h.root.toString('hex'), h.layer);
  const keys = [...layers.keys()].sort();
  return Buffer.concat([Buffer.from('d'), ...keys.flatMap((k) => [bytesOf(Buffer.from(k, 'hex')), bytesOf(layers.get(k) as Buffer)]), Buffer.from('e')]);
}
