// The v2 part of a .torrent (BEP 52): the `file tree` read into files in libtorrent's order (keys
// sorted byte-wise, depth first), `piece layers` checked against each file's `pieces root`
// (merkle-root.ts), and, for a hybrid, the v1 `files` list checked against the tree (the same
// files in the same order, BEP 47 padding files where each file must end on a piece boundary).
import { layerRoot, MERKLE_BLOCK } from './merkle-root.js';
import type { TorrentFileEntry } from './metainfo.js';
import type { BDict, BValue } from './bencode-span.js';

/** Thrown with a message that says what is wrong; parse-torrent.ts turns it into a TorrentError. */
export class FileTreeError extends Error {}

/** One file of the tree: its path (`/`-separated, below the torrent's root) and its merkle root (null: empty file). */
export interface TreeFile extends TorrentFileEntry {
  piecesRoot: Uint8Array | null;
}

const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isDict = (v: BValue | undefined): v is BDict => typeof v === 'object' && !isBytes(v) && !Array.isArray(v);
const shown = (s: string): string => JSON.stringify(s.length > 100 ? `${s.slice(0, 100)}...` : s);

/** BEP 52: a power of two, at least 16 KiB. */
export function v2PieceLengthProblem(pieceLength: number): string | null {
  if (pieceLength < MERKLE_BLOCK || (pieceLength & (pieceLength - 1)) !== 0) return `info.piece length must be a power of two of at least ${MERKLE_BLOCK} in a v2 torrent (got ${pieceLength})`;
  return null;
}

/**
 * The files of a `file tree`, in order. `checkComponent` refuses unsafe names (the v1 reader's
 * rules); keys are latin1 strings of the original bytes (bencode-span.ts), decoded here as UTF-8.
 */
export function readFileTree(tree: BValue | undefined, maxFiles: number, checkComponent: (c: string, where: string) => void): TreeFile[] {
  if (!isDict(tree)) throw new FileTreeError('info.file tree must be a dictionary');
  const files: TreeFile[] = [];
  const walk = (node: BDict, prefix: string[]): void => {
    const keys = Object.keys(node);
    if (keys.length === 0) throw new FileTreeError(`info.file tree: the folder ${shown(prefix.join('/') || '(root)')} is empty`);
    for (const key of keys) {
      const name = Buffer.from(key, 'latin1').toString('utf8');
      const where = `info.file tree ${shown([...prefix, name].join('/'))}`;
      if (key === '') throw new FileTreeError(`${where}: a file's entry ("") beside folder entries`);
      checkComponent(name, where);
      const child = node[key];
      if (!isDict(child)) throw new FileTreeError(`${where} must be a dictionary`);
      const leaf = child[''];
      if (leaf === undefined) {
        walk(child, [...prefix, name]);
        continue;
      }
      if (Object.keys(child).length !== 1) throw new FileTreeError(`${where} is both a file and a folder`);
      if (!isDict(leaf)) throw new FileTreeError(`${where}: the file's entry must be a dictionary`);
      const { length } = leaf;
      if (!isInt(length) || length < 0) throw new FileTreeError(`${where}: length must be a non-negative integer`);
      const root = leaf['pieces root'];
      if (length > 0 && (!isBytes(root) || root.length !== 32)) throw new FileTreeError(`${where}: a non-empty file needs a 32-byte pieces root`);
      if (length === 0 && root !== undefined) throw new FileTreeError(`${where}: an empty file has no pieces root`);
      if (files.length === maxFiles) throw new FileTreeError(`the torrent has more than ${maxFiles} files; at most ${maxFiles} are accepted (MAX_TORRENT_FILES)`);
      files.push({ path: [...prefix, name].join('/'), length, piecesRoot: length > 0 ? root as Uint8Array : null });
    }
  };
  walk(tree, []);
  return files;
}

/**
 * Checks the top-level `piece layers` against the tree: every file larger than one piece has its
 * layer (32 bytes per piece) and the layer's merkle root is the file's pieces root.
 */
export function checkPieceLayers(layers: BValue | undefined, files: readonly TreeFile[], pieceLength: number): void {
  const needed = files.filter((f) => f.length > pieceLength);
  if (needed.length === 0) return;
  if (!isDict(layers)) throw new FileTreeError('piece layers is missing: every file larger than one piece needs its layer');
  const checked = new Set<string>();
  for (const f of needed) {
    const key = Buffer.from(f.piecesRoot as Uint8Array).toString('latin1');
    if (checked.has(key)) continue; // files with the same content share one layer
    const layer = layers[key];
    const pieces = Math.ceil(f.length / pieceLength);
    if (!isBytes(layer)) throw new FileTreeError(`piece layers has no layer for ${shown(f.path)}`);
    if (layer.length !== pieces * 32) throw new FileTreeError(`piece layers: the layer of ${shown(f.path)} has ${layer.length} bytes; its ${pieces} pieces need ${pieces * 32}`);
    if (Buffer.compare(layerRoot(layer, pieceLength), f.piecesRoot as Uint8Array) !== 0) {
      throw new FileTreeError(`piece layers: the layer of ${shown(f.path)} does not hash to its pieces root`);
    }
    checked.add(key);
  }
}

/** A v1 entry of a hybrid's `files` list (or its single file). */
export interface V1Entry extends TorrentFileEntry {
  pad: boolean;
}

/**
 * Checks a hybrid's v1 files against the tree: the same files (path and length) in the same
 * order, with a padding file (attr "p") after each file that does not end on a piece boundary, as
 * long as the piece's rest (libtorrent writes one after the last file too; it may be left out).
 */
export function checkHybridFiles(v1: readonly V1Entry[], tree: readonly TreeFile[], pieceLength: number): void {
  let i = 0;
  tree.forEach((f, n) => {
    const e = v1[i++];
    if (e === undefined || e.pad || e.path !== f.path || e.length !== f.length) {
      throw new FileTreeError(`hybrid torrent: v1 file ${i - 1} (${e === undefined ? 'missing' : shown(e.path)}) is not the file tree's ${shown(f.path)} of ${f.length} bytes`);
    }
    const rest = f.length % pieceLength === 0 ? 0 : pieceLength - (f.length % pieceLength);
    if (rest === 0) return;
    const pad = v1[i];
    const last = n === tree.length - 1;
    if (pad === undefined && last) return;
    if (pad === undefined || !pad.pad || pad.length !== rest) {
      throw new FileTreeError(`hybrid torrent: ${shown(f.path)} must be followed by a padding file (attr "p") of ${rest} bytes in info.files`);
    }
    i++;
  });
  if (i !== v1.length) throw new FileTreeError(`hybrid torrent: info.files has ${v1.length - i} entries more than the file tree`);
}
