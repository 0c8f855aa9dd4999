// Use case, first half of publishing: the bytes into a staging area and their piece hashes, in one
// pass. Streamed files: each chunk is written to staging and fed to the piece hasher as it arrives.
// Local files: the hashing threads read them, hash them and write them to staging themselves. No
// database here (see publish-torrent.ts), so a caller can start this before opening one.
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { ContentWriter, FileStore } from '../storage/file-store.js';
import { hashFiles, hashFilesV2, type HashSource } from '../torrent/file-hasher.js';
import { compareTreeOrder, type TorrentFormat } from '../torrent/format.js';
import type { V2Options } from '../torrent/hash-worker.js';
import { compareByteWise } from '../torrent/info-dict.js';
import type { TorrentFileEntry } from '../torrent/metainfo.js';
import { PieceHasher } from '../torrent/piece-hasher.js';
import { choosePieceLength, isValidPieceLength, MAX_PIECE_LENGTH, MIN_PIECE_LENGTH } from '../torrent/piece-length.js';
import { DEFAULT_MAX_FILES } from '../torrent/parse-torrent.js';
import { fileFolderClash } from '../torrent/path-clash.js';
import { asPublishError, checkedDescription, PublishError, safeRelativePath, shown } from './publish-input.js';

/** Files per torrent when the caller sets no limit (MAX_TORRENT_FILES). */
export const DEFAULT_MAX_TORRENT_FILES = DEFAULT_MAX_FILES;

export interface StageLimits {
  /** MAX_UPLOAD_BYTES; 0: no limit. */
  maxUploadBytes: number;
  /** MAX_TORRENT_FILES (default DEFAULT_MAX_TORRENT_FILES). */
  maxFiles?: number;
}

export interface PublishFile {
  /** Relative to the torrent's root, `/`-separated (a single file: its file name). */
  path: string;
  /** Declared size, when known up front. */
  size?: number;
  /** The bytes; the publisher is done with a chunk (hashed, written) before it asks for the next, so a source may reuse its buffer. */
  stream: AsyncIterable<Uint8Array>;
  /**
   * A local file holding the bytes (with `size`): when every file has one, the publisher reads
   * them itself on the hashing threads and `stream` is not used. Its first `size` bytes are
   * published; a file that has another size when opened is refused.
   */
  localPath?: string;
}

export interface PublishRequest {
  /**
   * Torrent name. Default: the file name for one file; for several, their common top folder
   * (`docs/a.txt`, `docs/b.txt` -> `docs`), else it is required.
   */
  name?: string;
  description?: string | null;
  pieceLength?: number;
  /** Total bytes, when known before the data (picks the piece length, refuses oversize early). */
  totalSize?: number;
  /** The publishing user (null: the command line). */
  ownerId?: number | null;
  /** Default: true for several files. A folder holding one file is still multi-file. */
  multiFile?: boolean;
  /** In torrent order ideally (full path, byte-wise); a file may be a promise (uploads in flight). */
  files: (PublishFile | Promise<PublishFile>)[];
  /**
   * Local files only: store them as hard links instead of copies where the store can (same file
   * system), so publishing only reads them. They must then never be changed in place.
   */
  link?: boolean;
  /** v1 (default), v2 or hybrid (BEP 52). */
  format?: TorrentFormat;
}

/** Staged bytes, hashed: staged as `file` (single file) or `files/<path>`. */
export interface StagedContent {
  writer: ContentWriter;
  /** In torrent order. */
  entries: TorrentFileEntry[];
  /** v1 and hybrid: the SHA-1 pieces; v2: empty. */
  pieces: Buffer;
  multiFile: boolean;
  pieceLength: number;
  format: TorrentFormat;
  /** v2 and hybrid: every file's piece merkle roots in order (merkle.ts fileHashes splits them); v1: empty. */
  layer: Buffer;
}

/** The order files are listed and hashed in: mktorrent's for v1, the file tree's for v2 and hybrid. */
export function torrentOrder(format: TorrentFormat): (a: string, b: string) => number {
  return format === 'v1' ? compareByteWise : compareTreeOrder;
}

/** How the hashing threads hash a v2 or hybrid torrent; undefined for v1. */
function v2Options(format: TorrentFormat, fileCount: number): V2Options | undefined {
  // libtorrent pads (BEP 47) only torrents of more than one file (empty ones count), the last file included
  return format === 'v1' ? undefined : { sha1: format === 'hybrid', padV1: format === 'hybrid' && fileCount > 1 };
}

interface Hashed {
  entries: TorrentFileEntry[];
  pieces: Buffer;
  layer: Buffer;
}

// Writes in flight per file: one, so a chunk is written before the next is asked for (sources may
// reuse buffers), and ext4 writers do not contend on the file lock (measured).
const WRITE_WINDOW = 1;

/** Streams one file into staging and the hasher; returns its length. */
async function ingest(f: PublishFile, staged: string, w: ContentWriter, hasher: PieceHasher | null, budget: { left: number }): Promise<number> {
  await w.create(staged);
  let pos = 0;
  const inFlight: Promise<void>[] = [];
  for await (const chunk of f.stream) {
    budget.left -= chunk.length;
    if (budget.left < 0) throw new PublishError('TOO_LARGE', 'upload exceeds the size limit (MAX_UPLOAD_BYTES)');
    if (hasher !== null) await hasher.update(chunk);
    inFlight.push(w.write(staged, pos, chunk));
    pos += chunk.length;
    if (inFlight.length >= WRITE_WINDOW) await inFlight.shift();
  }
  await Promise.all(inFlight);
  await w.close(staged); // one open file per upload, not one per file so far
  if (f.size !== undefined && f.size !== pos) throw new PublishError('BAD_INPUT', `${f.path}: received ${pos} bytes, ${f.size} were declared`);
  return pos;
}

function checkRequest(req: PublishRequest, max: number, maxFiles: number): { multiFile: boolean; pieceLength: number } {
  if (req.files.length === 0) throw new PublishError('BAD_INPUT', 'no files');
  if (req.files.length > maxFiles) throw new PublishError('BAD_INPUT', `${req.files.length} files; a torrent may have at most ${maxFiles} (MAX_TORRENT_FILES)`);
  req.description = checkedDescription(req.description);
  const multiFile = req.multiFile ?? req.files.length > 1;
  if (!multiFile && req.files.length > 1) throw new PublishError('BAD_INPUT', 'several files make a multi-file torrent');
  if (req.name !== undefined) safeRelativePath(req.name, 'name', true);
  const known = req.files.every((f) => !(f instanceof Promise) && f.size !== undefined);
  const declared = req.totalSize ?? (known ? req.files.reduce((s, f) => s + ((f as PublishFile).size as number), 0) : undefined);
  if (declared !== undefined && declared > max) throw new PublishError('TOO_LARGE', `upload of ${declared} bytes exceeds the limit of ${max} (MAX_UPLOAD_BYTES)`);
  if (req.pieceLength !== undefined && !isValidPieceLength(req.pieceLength)) {
    throw new PublishError('BAD_INPUT', `pieceLength must be a power of two from ${MIN_PIECE_LENGTH} to ${MAX_PIECE_LENGTH}`);
  }
  return { multiFile, pieceLength: req.pieceLength ?? choosePieceLength(declared) };
}

/** Refuses a path that would not fit the store once its folders and the torrent name are prefixed. */
function fitsStore(store: FileStore, req: PublishRequest, multiFile: boolean): (p: string) => void {
  // with a given name the content is stored as name/path; else as path (its top folder names it)
  const prefix = multiFile && req.name !== undefined ? Buffer.byteLength(req.name) + 1 : 0;
  return (p) => {
    if (prefix + Buffer.byteLength(p) > store.maxPathBytes) {
      throw new PublishError('BAD_INPUT', `path ${shown(p)} is too long for this server's storage (at most ${store.maxPathBytes - prefix} bytes here)`);
    }
  };
}

/**
 * Stages and hashes a request's files within `limits`. Throws PublishError for bad input, size or
 * storage failures, leaving nothing staged; on success the caller commits or aborts `writer`.
 * Normalises `req.description` (CRLF as LF).
 */
export async function stageContent(store: FileStore, req: PublishRequest, limits: StageLimits): Promise<StagedContent> {
  const max = limits.maxUploadBytes > 0 ? limits.maxUploadBytes : Number.POSITIVE_INFINITY;
  const { multiFile, pieceLength } = checkRequest(req, max, limits.maxFiles ?? DEFAULT_MAX_TORRENT_FILES);
  const fits = fitsStore(store, req, multiFile);
  const format = req.format ?? 'v1';
  const writer = await store.stage();
  try {
    const local = req.files.every((f) => !(f instanceof Promise) && f.localPath !== undefined && f.size !== undefined);
    const how = { multiFile, pieceLength, format, v2: v2Options(format, req.files.length) };
    const entries = local ? await stageLocal(writer, req.files as PublishFile[], how, max, req.link === true, fits)
      : await stageStreams(writer, req.files, how, max, fits);
    return { writer, multiFile, pieceLength, format, ...entries };
  } catch (e) {
    await writer.abort();
    throw asPublishError(e);
  }
}

/** What the file system answers when a file and a folder of one path meet (`a`, then `a/b`, or the other way round). */
const FILE_FOLDER_CLASH = new Set(['ENOTDIR', 'EISDIR', 'EEXIST']);

interface HashHow {
  multiFile: boolean;
  pieceLength: number;
  format: TorrentFormat;
  v2: V2Options | undefined;
}

async function digestOf(h: PieceHasher, v2: V2Options | undefined): Promise<{ pieces: Buffer; layer: Buffer }> {
  return v2 === undefined ? { pieces: await h.digest(), layer: Buffer.alloc(0) } : h.digestV2();
}

async function stageStreams(writer: ContentWriter, files: PublishRequest['files'], { multiFile, pieceLength, format, v2 }: HashHow, max: number, fits: (p: string) => void): Promise<Hashed> {
  const order = torrentOrder(format);
  const hasher = new PieceHasher(pieceLength, v2);
  const budget = { left: max };
  const entries: TorrentFileEntry[] = [];
  const seen = new Set<string>();
  let ordered = true;
  for (const pending of files) {
    const f = await pending;
    const p = safeRelativePath(f.path);
    fits(p);
    const prev = entries[entries.length - 1];
    if (seen.has(p)) throw new PublishError('BAD_INPUT', `two files have the path ${shown(p)}`);
    seen.add(p);
    if (prev !== undefined && order(prev.path, p) > 0) ordered = false;
    const length = await ingest(f, multiFile ? `files/${p}` : 'file', writer, ordered ? hasher : null, budget).catch((e: NodeJS.ErrnoException) => {
      // the paths so far fit one tree (else staging would have failed before): this one clashes
      if (multiFile && FILE_FOLDER_CLASH.has(e.code ?? '')) {
        // a file staged before is a folder of this path, or this path is a folder of files staged before
        const parts = p.split('/');
        const clash = parts.map((_, k) => parts.slice(0, k + 1).join('/')).find((folder) => folder !== p && seen.has(folder)) ?? p;
        throw new PublishError('BAD_INPUT', `${shown(clash)} is both a file and a folder of this upload`);
      }
      throw e;
    });
    if (ordered) hasher.endFile();
    entries.push({ path: p, length });
  }
  if (ordered) return { entries, ...(await digestOf(hasher, v2)) };
  // files arrived out of torrent order: hash them again from staging, in order (a second read)
  entries.sort((a, b) => order(a.path, b.path));
  const fresh = new PieceHasher(pieceLength, v2);
  for (const e of entries) {
    for await (const chunk of writer.readStaged(`files/${e.path}`, e.length)) await fresh.update(chunk as Buffer);
    fresh.endFile();
  }
  return { entries, ...(await digestOf(fresh, v2)) };
}

/**
 * Local files (in any order): staged files created, then read, hashed and written into them by the
 * hashing threads in torrent order, each byte read once; the pieces describe the bytes written.
 */
async function stageLocal(writer: ContentWriter, files: PublishFile[], { multiFile, pieceLength, format, v2 }: HashHow, max: number, link: boolean, fits: (p: string) => void): Promise<Hashed> {
  const order = torrentOrder(format);
  const todo = files.map((f) => ({ path: safeRelativePath(f.path), length: f.size as number, local: f.localPath as string }))
    .sort((a, b) => order(a.path, b.path));
  for (const f of todo) fits(f.path);
  for (let i = 1; i < todo.length; i++) if (todo[i].path === todo[i - 1].path) throw new PublishError('BAD_INPUT', `two files have the path ${shown(todo[i].path)}`);
  const clash = multiFile ? fileFolderClash(todo.map((f) => f.path)) : null;
  if (clash !== null) throw new PublishError('BAD_INPUT', `${shown(clash)} is both a file and a folder of this torrent`);
  if (todo.reduce((s, f) => s + f.length, 0) > max) throw new PublishError('TOO_LARGE', 'upload exceeds the size limit (MAX_UPLOAD_BYTES)');
  const sources: HashSource[] = [];
  // files stored without copying their bytes (linked, or cloned): the original is hashed, so it
  // must not have changed between the link or clone and the end of hashing
  const unchanged: { path: string; local: string; mtimeMs: number; size: number }[] = [];
  let canClone = true;
  for (const f of todo) {
    const staged = multiFile ? `files/${f.path}` : 'file';
    // taken before a link or clone, so a change after it shows; a plain copy needs none
    const before = f.length > 0 && (link || canClone) ? await stat(f.local) : null;
    let stored = link && await writer.link(staged, f.local);
    if (!stored && canClone && f.length > 0) {
      stored = await writer.clone(staged, f.local);
      canClone = stored; // one refusal (ext4, another file system) is enough to stop asking
    }
    if (!stored) {
      await writer.create(staged, f.length);
      await writer.close(staged); // reopened when its turn to be written comes (fd, directFd)
    }
    const since = stored ? before : null;
    let fh: FileHandle | undefined;
    sources.push({
      size: f.length,
      open: async () => {
        fh = await open(f.local, 'r');
        const st = await fh.stat();
        if (st.size !== f.length || (since !== null && st.mtimeMs !== since.mtimeMs)) {
          await fh.close();
          fh = undefined;
          throw new PublishError('BAD_INPUT', `${f.path}: the file changed ${st.size !== f.length ? 'size ' : ''}before it was read`);
        }
        if (stored) unchanged.push({ path: f.path, local: f.local, mtimeMs: st.mtimeMs, size: st.size });
        return stored ? { from: fh.fd, to: -1 } : { from: fh.fd, to: await writer.fd(staged), direct: await writer.directFd(staged) };
      },
      close: async () => {
        await fh?.close();
        if (!stored) await writer.close(staged);
      },
    });
  }
  const { pieces, layer } = v2 === undefined ? { pieces: await hashFiles(sources, pieceLength), layer: Buffer.alloc(0) } : await hashFilesV2(sources, pieceLength, v2);
  for (const u of unchanged) {
    const st = await stat(u.local);
    if (st.mtimeMs !== u.mtimeMs || st.size !== u.size) throw new PublishError('BAD_INPUT', `${u.path}: the file changed while it was published`);
  }
  return { entries: todo.map((f) => ({ path: f.path, length: f.length })), pieces, layer };
}
