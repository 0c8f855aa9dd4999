// Use case: publish content. One pass while the bytes arrive: each chunk is written to a staging
// area and fed to the piece hasher; then the info dict, the .torrent and the database row are
// made, the content is moved into place, and the tracker serves the torrent at once. Any failure
// leaves no row, no file and no tracker entry behind.
import type { DataSource } from 'typeorm';
import { TorrentEntity } from '../db/entities/torrent.entity.js';
import type { ContentWriter, FileStore } from '../storage/file-store.js';
import { compareByteWise, encodeInfo } from '../torrent/info-dict.js';
import type { TorrentFileEntry } from '../torrent/metainfo.js';
import { parseTorrent } from '../torrent/parse-torrent.js';
import { PieceHasher } from '../torrent/piece-hasher.js';
import { choosePieceLength, isValidPieceLength, MAX_PIECE_LENGTH, MIN_PIECE_LENGTH } from '../torrent/piece-length.js';
import { encodeTorrentFile } from '../torrent/torrent-file.js';
import type { CatalogEvents } from './catalog-events.js';
import { bumpCounter, TORRENTS_COUNTER } from './change-counter.js';
import { PublishError, safeRelativePath } from './publish-input.js';
import type { PublishStats } from './publish-stats.js';
import { torrentRow } from './register-torrent.js';

export { PublishError } from './publish-input.js';

export interface PublishFile {
  /** Relative to the torrent's root, `/`-separated (a single file: its file name). */
  path: string;
  /** Declared size, when known up front. */
  size?: number;
  /** The bytes; the publisher is done with a chunk (hashed, written) before it asks for the next, so a source may reuse its buffer. */
  stream: AsyncIterable<Uint8Array>;
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
}

export interface PublishDeps {
  ds: DataSource;
  files: FileStore;
  events: CatalogEvents;
  publicUrl: string;
  /** 0: no limit. */
  maxUploadBytes: number;
  /** Counts publishes by result, when given. */
  stats?: PublishStats;
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
  if (f.size !== undefined && f.size !== pos) throw new PublishError('BAD_INPUT', `${f.path}: received ${pos} bytes, ${f.size} were declared`);
  return pos;
}

/** The torrent name and the staging folder that becomes its root, once every path is known. */
function rootOf(req: PublishRequest, entries: TorrentFileEntry[], multiFile: boolean): { name: string; from: string } {
  if (!multiFile) return { name: req.name ?? (entries[0].path.split('/').pop() as string), from: 'file' };
  if (req.name !== undefined) return { name: req.name, from: 'files' };
  const top = entries[0].path.split('/')[0];
  if (!entries.every((e) => e.path.startsWith(`${top}/`))) throw new PublishError('BAD_INPUT', 'a name is required for several files');
  for (const e of entries) e.path = e.path.slice(top.length + 1);
  return { name: top, from: `files/${top}` };
}

function checkRequest(req: PublishRequest, max: number): { multiFile: boolean; pieceLength: number } {
  if (req.files.length === 0) throw new PublishError('BAD_INPUT', 'no files');
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

/** Publishes files as a new hosted torrent. Throws PublishError for bad input, size, duplicates or storage failures. */
export async function publishTorrent(deps: PublishDeps, req: PublishRequest): Promise<TorrentEntity> {
  try {
    const row = await publish(deps, req);
    deps.stats?.published('ok', row.totalSize);
    return row;
  } catch (e) {
    deps.stats?.published(e instanceof PublishError ? (e.code.toLowerCase() as Lowercase<PublishError['code']>) : 'internal');
    throw e;
  }
}

async function publish(deps: PublishDeps, req: PublishRequest): Promise<TorrentEntity> {
  const max = deps.maxUploadBytes > 0 ? deps.maxUploadBytes : Number.POSITIVE_INFINITY;
  const { multiFile, pieceLength } = checkRequest(req, max);
  const writer = await deps.files.stage();
  try {
    const hasher = new PieceHasher(pieceLength);
    const budget = { left: max };
    const entries: TorrentFileEntry[] = [];
    let ordered = true;
    for (const pending of req.files) {
      const f = await pending;
      const p = safeRelativePath(f.path);
      const prev = entries[entries.length - 1];
      if (entries.some((e) => e.path === p)) throw new PublishError('BAD_INPUT', `two files have the path '${p}'`);
      if (prev !== undefined && compareByteWise(prev.path, p) > 0) ordered = false;
      entries.push({ path: p, length: await ingest(f, multiFile ? `files/${p}` : 'file', writer, ordered ? hasher : null, budget) });
    }
    if (!ordered) {
      // files arrived out of torrent order: hash them again from staging, in order (a second read)
      entries.sort((a, b) => compareByteWise(a.path, b.path));
      const fresh = new PieceHasher(pieceLength);
      for (const e of entries) for await (const chunk of writer.readStaged(`files/${e.path}`)) await fresh.update(chunk as Buffer);
      return await finish(deps, req, writer, fresh, entries, multiFile, pieceLength);
    }
    return await finish(deps, req, writer, hasher, entries, multiFile, pieceLength);
  } catch (e) {
    await writer.abort();
    if (e instanceof PublishError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') throw new PublishError('STORAGE', 'not enough disk space for this upload');
    throw e;
  }
}

/** After the bytes: info dict, .torrent, row, content in place, tracker told. */
async function finish(deps: PublishDeps, req: PublishRequest, writer: ContentWriter, hasher: PieceHasher, entries: TorrentFileEntry[], multiFile: boolean, pieceLength: number): Promise<TorrentEntity> {
  if (entries.every((e) => e.length === 0)) throw new PublishError('BAD_INPUT', 'nothing to publish: every file is empty');
  const { name, from } = rootOf(req, entries, multiFile);
  safeRelativePath(name, 'name', true);
  const { bytes, infoHash } = encodeInfo({ name, pieceLength, pieces: await hasher.digest(), files: entries, multiFile });
  const file = encodeTorrentFile({
    infoBytes: bytes, announce: `${deps.publicUrl}/announce`, urlList: [`${deps.publicUrl}/webseed/${infoHash}/`],
    creationDate: Math.floor(Date.now() / 1000),
  });
  const row = torrentRow(parseTorrent(file), file, true, req.description ?? null);
  row.ownerId = req.ownerId ?? null;
  const repo = deps.ds.getRepository(TorrentEntity);
  if (await repo.existsBy({ infoHash })) throw new PublishError('DUPLICATE', `torrent ${infoHash} is already registered`);
  try {
    await deps.ds.transaction(async (m) => {
      await m.save(row);
      await bumpCounter(m, TORRENTS_COUNTER);
    });
  } catch (e) {
    if (await repo.existsBy({ infoHash })) throw new PublishError('DUPLICATE', `torrent ${infoHash} is already registered`);
    throw e;
  }
  try {
    await writer.commit(infoHash, from, name);
  } catch (e) {
    await deps.ds.transaction(async (m) => {
      await m.delete(TorrentEntity, { infoHash });
      await bumpCounter(m, TORRENTS_COUNTER);
    });
    // the cause (with file system paths) stays in the server's log, not in the client's message
    throw new PublishError('STORAGE', 'could not store the content', { cause: e });
  }
  deps.events.torrentAdded(infoHash, 0);
  return row;
}
