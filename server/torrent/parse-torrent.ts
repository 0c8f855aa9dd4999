// Reads and validates a .torrent file: BEP 3 v1 metainfo, BEP 52 v2 and hybrid (v1 and v2 in one
// info dict; the v2 part is checked in file-tree.ts),
// reading the info dict as libtorrent does (the first of duplicate keys, `name.utf-8` and
// `path.utf-8` before `name` and `path`, `private` when a non-zero integer), and refusing at least
// what libtorrent refuses. Every problem is a TorrentError whose message says what is wrong.
import { createHash } from 'node:crypto';
import { BencodeError, decodeValue, findTopLevelValue, validateBencode, type BDict, type BValue } from './bencode-span.js';
import { checkHybridFiles, checkPieceLayers, FileTreeError, readFileTree, v2PieceLengthProblem, type TreeFile, type V1Entry } from './file-tree.js';
import type { Metainfo, TorrentFileEntry, TorrentFormat } from './metainfo.js';
import { fileFolderClash } from './path-clash.js';

export class TorrentError extends Error {}

/**
 * Largest .torrent file accepted, in bytes. MAX files (parse option, 20,000 by default) take about
 * 1 MiB; the rest leaves room for v1 piece hashes (10 MiB: 500,000 pieces) and hybrid piece
 * layers. About what libtorrent loads by default (load_torrent_limits.max_buffer_size, 10 MB).
 */
export const MAX_TORRENT_FILE_BYTES = 10 * 1024 * 1024;

/** Longest path component (file or folder name) in bytes of UTF-8: what common file systems allow (NAME_MAX). */
export const MAX_PATH_COMPONENT_BYTES = 255;

/** Longest relative path of a file in a torrent, in bytes of UTF-8 (Linux PATH_MAX, 4096 with its NUL). */
export const MAX_PATH_BYTES = 4095;

/** Largest `piece length` read: what libtorrent loads (INT_MAX / 2). */
export const MAX_READ_PIECE_LENGTH = 2 ** 30 - 1;

/** Files in a torrent when parseTorrent is not told otherwise. */
export const DEFAULT_MAX_FILES = 20_000;

export interface ParseOptions {
  /** Most files accepted (default DEFAULT_MAX_FILES). */
  maxFiles?: number;
}

const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isDict = (v: BValue | undefined): v is BDict => typeof v === 'object' && !isBytes(v) && !Array.isArray(v);
const text = (v: Uint8Array): string => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');

/** A value for a message: quoted, escaped (JSON), cut to 100 characters. */
const shown = (s: string): string => JSON.stringify(s.length > 100 ? `${s.slice(0, 100)}...` : s);

/** A path component that is safe on every file system and cannot climb out of the torrent. */
function checkComponent(c: string, where: string): void {
  if (c === '' || c === '.' || c === '..' || /[/\\\0]/.test(c)) throw new TorrentError(`${where}: unsafe path component ${shown(c)}`);
  if (Buffer.byteLength(c) > MAX_PATH_COMPONENT_BYTES) throw new TorrentError(`${where}: a file or folder name is longer than ${MAX_PATH_COMPONENT_BYTES} bytes`);
}

/** BEP 47: a padding file's `attr` holds `p`. */
const isPad = (f: BDict): boolean => isBytes(f.attr) && f.attr.includes(0x70);

/** `padsAreFiles`: a v1 torrent's padding files are files like any other (a hybrid's are checked in file-tree.ts). */
function readFiles(info: BDict, maxFiles: number, padsAreFiles: boolean): V1Entry[] {
  if (!Array.isArray(info.files) || info.files.length === 0) throw new TorrentError('info.files must be a non-empty list');
  if (info.files.length > maxFiles) throw new TorrentError(`the torrent has ${info.files.length} files; at most ${maxFiles} are accepted (MAX_TORRENT_FILES)`);
  const seen = new Set<string>();
  const files = info.files.map((f, i): V1Entry => {
    const where = `info.files[${i}]`;
    if (!isDict(f)) throw new TorrentError(`${where} must be a dictionary`);
    const length = f.length;
    const path = Array.isArray(f['path.utf-8']) ? f['path.utf-8'] : f.path;
    if (!isInt(length) || length < 0) throw new TorrentError(`${where}.length must be a non-negative integer`);
    if (!Array.isArray(path) || path.length === 0 || !path.every(isBytes)) throw new TorrentError(`${where}.path must be a non-empty list of strings`);
    const parts = path.map(text);
    parts.forEach((c) => checkComponent(c, where));
    const joined = parts.join('/');
    if (Buffer.byteLength(joined) > MAX_PATH_BYTES) throw new TorrentError(`${where}: the path is longer than ${MAX_PATH_BYTES} bytes`);
    const pad = isPad(f);
    // padding files are never written to disk (two of one size share a path)
    if (pad && !padsAreFiles) return { path: joined, length, pad };
    if (seen.has(joined)) throw new TorrentError(`${where}: duplicate path ${shown(joined)}`);
    seen.add(joined);
    return { path: joined, length, pad };
  });
  // a file and a folder of the same path cannot both exist on disk
  const clash = fileFolderClash(files.filter((f) => padsAreFiles || !f.pad).map((f) => f.path));
  if (clash !== null) throw new TorrentError(`info.files: ${shown(clash)} is both a file and a folder`);
  return files;
}

/**
 * Parses a .torrent file; throws TorrentError if it is not valid v1, v2 or hybrid metainfo or has more than
 * `maxFiles` files. Synchronous: 0.1 s for 20,000 files, so a server parses large files on a
 * worker thread (parse-off-loop.ts).
 */
export function parseTorrent(buf: Uint8Array, opts: ParseOptions = {}): Metainfo {
  if (buf.length === 0) throw new TorrentError('empty file');
  if (buf.length > MAX_TORRENT_FILE_BYTES) throw new TorrentError('file too large for a .torrent');
  try {
    validateBencode(buf);
  } catch (e) {
    if (e instanceof BencodeError) throw new TorrentError(`not bencoded data: ${e.message}`);
    throw e;
  }
  const span = findTopLevelValue(buf, 'info');
  if (span === null) throw new TorrentError('no info dictionary');
  if (findTopLevelValue(buf, 'info', span[1]) !== null) throw new TorrentError('two info dictionaries: clients disagree on which one is the torrent');
  let info: BValue;
  try {
    info = decodeValue(buf, span[0], true);
  } catch (e) {
    if (e instanceof BencodeError) throw new TorrentError(`info dictionary is not canonical bencode (${e.message}): clients that re-encode it would compute another info_hash`);
    throw e;
  }
  if (!isDict(info)) throw new TorrentError('info is not a dictionary');
  const nameRaw = isBytes(info['name.utf-8']) ? info['name.utf-8'] : info.name;
  if (!isBytes(nameRaw) || nameRaw.length === 0) throw new TorrentError('info.name must be a non-empty string');
  const name = text(nameRaw);
  checkComponent(name, 'info.name');
  const pieceLength = info['piece length'];
  if (!isInt(pieceLength) || pieceLength < 1 || pieceLength > MAX_READ_PIECE_LENGTH) throw new TorrentError(`info.piece length must be an integer from 1 to ${MAX_READ_PIECE_LENGTH}`);
  const version = info['meta version'];
  if (version !== undefined && version !== 2) throw new TorrentError(`info.meta version ${typeof version === 'number' ? version : '(not an integer)'} is not supported (1 is implied, 2 is BEP 52)`);
  const v2 = version === 2;
  if (v2 !== (info['file tree'] !== undefined)) throw new TorrentError(v2 ? 'info.meta version is 2 but there is no file tree' : 'info.file tree without meta version 2');
  const maxFiles = opts.maxFiles ?? DEFAULT_MAX_FILES;
  const isPrivate = typeof info.private === 'number' && info.private !== 0;
  let tree: TreeFile[] = [];
  let treeSingle = false;
  if (v2) {
    const problem = v2PieceLengthProblem(pieceLength);
    if (problem !== null) throw new TorrentError(problem);
    try {
      tree = readFileTree(info['file tree'], maxFiles, checkComponent);
      const top = Object.keys(info['file tree'] as BDict);
      treeSingle = top.length === 1 && tree.length === 1 && tree[0].path === Buffer.from(top[0], 'latin1').toString('utf8');
      if (treeSingle && tree[0].path !== name) throw new FileTreeError(`info.file tree: the one file is named ${shown(tree[0].path)}, info.name ${shown(name)}`);
      const layers = findTopLevelValue(buf, 'piece layers');
      checkPieceLayers(layers === null ? undefined : decodeValue(buf, layers[0]), tree, pieceLength);
    } catch (e) {
      if (e instanceof FileTreeError) throw new TorrentError(e.message);
      throw e;
    }
  }
  const infoBytes = buf.subarray(span[0], span[1]);
  const pieces = info.pieces;
  if (v2 && pieces === undefined) {
    // v2 only: peers announce the SHA-256 info hash cut to 20 bytes (BEP 52), the hash kept as infoHash
    if (info.files !== undefined || info.length !== undefined) throw new TorrentError('a v2 torrent without v1 pieces has no info.files or info.length');
    const totalSize = tree.reduce((s, f) => s + f.length, 0);
    if (totalSize === 0) throw new TorrentError('torrent has no content (total size 0)');
    const v2Hash = createHash('sha256').update(infoBytes).digest('hex');
    return {
      infoHash: v2Hash.slice(0, 40), infoHashV2: v2Hash, format: 'v2', name, pieceLength,
      pieceCount: tree.reduce((s, f) => s + Math.ceil(f.length / pieceLength), 0), totalSize,
      files: treeSingle ? [{ path: name, length: totalSize }] : tree.map((f) => ({ path: f.path, length: f.length })),
      multiFile: !treeSingle, private: isPrivate,
    };
  }
  if (!isBytes(pieces)) throw new TorrentError('info.pieces is missing');
  if (pieces.length % 20 !== 0) throw new TorrentError('info.pieces length is not a multiple of 20');
  const multiFile = info.files !== undefined;
  let entries: V1Entry[];
  if (multiFile) {
    if (info.length !== undefined) throw new TorrentError('info has both length and files');
    // a hybrid's list holds a padding file after most files
    entries = readFiles(info, v2 ? 2 * maxFiles : maxFiles, !v2);
  } else {
    if (info.length === undefined) throw new TorrentError('info has neither length (one file) nor files');
    if (!isInt(info.length) || info.length < 0) throw new TorrentError('info.length must be a non-negative integer');
    entries = [{ path: name, length: info.length, pad: false }];
  }
  const spanned = entries.reduce((s, f) => s + f.length, 0);
  const pieceCount = pieces.length / 20;
  const expected = Math.ceil(spanned / pieceLength);
  let format: TorrentFormat = 'v1';
  if (v2) {
    format = 'hybrid';
    if (multiFile === treeSingle) throw new TorrentError(`hybrid torrent: the v1 part is ${multiFile ? 'multi' : 'single'}-file, the file tree ${treeSingle ? 'one file' : 'a folder'}`);
    try {
      checkHybridFiles(entries, multiFile ? tree : [{ ...tree[0], path: name }], pieceLength);
    } catch (e) {
      if (e instanceof FileTreeError) throw new TorrentError(e.message);
      throw e;
    }
  }
  const files: TorrentFileEntry[] = entries.filter((f) => !(v2 && f.pad)).map((f) => ({ path: f.path, length: f.length }));
  const totalSize = files.reduce((s, f) => s + f.length, 0);
  if (totalSize === 0) throw new TorrentError('torrent has no content (total size 0)');
  if (pieceCount !== expected) throw new TorrentError(`info.pieces has ${pieceCount} hashes but the size needs ${expected}`);
  const v2Hash = v2 ? createHash('sha256').update(infoBytes).digest('hex') : null;
  return {
    infoHash: createHash('sha1').update(infoBytes).digest('hex'), infoHashV2: v2Hash, format,
    name, pieceLength, pieceCount, totalSize, files, multiFile, private: isPrivate,
  };
}
