// Use case: publish content. One pass while the bytes arrive: each chunk is written to a staging
// area and fed to the piece hasher; then the info dict, the .torrent and the database row are
// made, the content is moved into place, and the tracker serves the torrent at once. Any failure
// leaves no row, no file and no tracker entry behind.
import type { DataSource } from 'typeorm';
import { TorrentEntity } from '../db/entities/torrent.entity.js';
import type { ContentWriter, FileStore } from '../storage/file-store.js';
import { encodeInfo, compareByteWise, isCanonicalOrder } from '../torrent/info-dict.js';
import type { TorrentFileEntry } from '../torrent/metainfo.js';
import { choosePieceLength, isValidPieceLength, MAX_PIECE_LENGTH, MIN_PIECE_LENGTH } from '../torrent/piece-length.js';
import { PieceHasher } from '../torrent/piece-hasher.js';
import { parseTorrent } from '../torrent/parse-torrent.js';
import { encodeTorrentFile } from '../torrent/torrent-file.js';
import type { CatalogEvents } from './catalog-events.js';
import { bumpCounter, TORRENTS_COUNTER } from './change-counter.js';
import { PublishError, safeRelativePath, storagePath } from './publish-input.js';
import { torrentRow } from './register-torrent.js';

export { PublishError } from './publish-input.js';

export interface PublishFile {
  /** Relative to the torrent's root, `/`-separated (a single file: its file name). */
  path: string;
  /** Declared size, when known up front (lets the piece length fit the total). */
  size?: number;
  stream: AsyncIterable<Uint8Array>;
}

export interface PublishRequest {
  /** Torrent name; defaults to the file name for one file. Required for several files. */
  name?: string;
  description?: string | null;
  pieceLength?: number;
  /** The publishing user (null: the command line). */
  ownerId?: number | null;
  /** Default: true for several files. A folder holding one file is still multi-file. */
  multiFile?: boolean;
  files: PublishFile[];
}

export interface PublishDeps {
  ds: DataSource;
  files: FileStore;
  events: CatalogEvents;
  publicUrl: string;
  /** 0: no limit. */
  maxUploadBytes: number;
}

const WRITE_WINDOW = 8;

/** Streams one file into staging and the hasher; returns its length. */
async function ingest(f: PublishFile, rel: string, w: ContentWriter, hasher: PieceHasher | null, budget: { left: number }): Promise<number> {
  await w.create(rel);
  let pos = 0;
  const inFlight: Promise<void>[] = [];
  for await (const chunk of f.stream) {
    budget.left -= chunk.length;
    if (budget.left < 0) throw new PublishError('TOO_LARGE', 'upload exceeds the size limit (MAX_UPLOAD_BYTES)');
    if (hasher !== null) await hasher.update(chunk);
    inFlight.push(w.write(rel, pos, chunk));
    pos += chunk.length;
    if (inFlight.length >= WRITE_WINDOW) await inFlight.shift();
  }
  await Promise.all(inFlight);
  if (f.size !== undefined && f.size !== pos) throw new PublishError('BAD_INPUT', `${f.path}: received ${pos} bytes, ${f.size} were declared`);
  return pos;
}

/** Publishes files as a new hosted torrent. Throws PublishError for bad input, size, duplicates or storage failures. */
export async function publishTorrent(deps: PublishDeps, req: PublishRequest): Promise<TorrentEntity> {
  if (req.files.length === 0) throw new PublishError('BAD_INPUT', 'no files');
  const multiFile = req.multiFile ?? req.files.length > 1;
  if (!multiFile && req.files.length > 1) throw new PublishError('BAD_INPUT', 'several files make a multi-file torrent');
  const paths = req.files.map((f) => safeRelativePath(f.path));
  if (new Set(paths).size !== paths.length) throw new PublishError('BAD_INPUT', 'two files have the same path');
  const name = req.name ?? (multiFile ? undefined : paths[0].split('/').pop());
  if (name === undefined) throw new PublishError('BAD_INPUT', 'a name is required for several files');
  safeRelativePath(name, 'name', true);
  const declared = req.files.every((f) => f.size !== undefined) ? req.files.reduce((s, f) => s + (f.size as number), 0) : undefined;
  const max = deps.maxUploadBytes > 0 ? deps.maxUploadBytes : Number.POSITIVE_INFINITY;
  if (declared !== undefined && declared > max) throw new PublishError('TOO_LARGE', `upload of ${declared} bytes exceeds the limit of ${deps.maxUploadBytes} (MAX_UPLOAD_BYTES)`);
  if (req.pieceLength !== undefined && !isValidPieceLength(req.pieceLength)) {
    throw new PublishError('BAD_INPUT', `pieceLength must be a power of two from ${MIN_PIECE_LENGTH} to ${MAX_PIECE_LENGTH}`);
  }
  const pieceLength = req.pieceLength ?? choosePieceLength(declared);
  const ordered = isCanonicalOrder(paths.map((path) => ({ path })));
  const writer = await deps.files.stage();
  try {
    const hasher = new PieceHasher(pieceLength);
    const budget = { left: max };
    const entries: TorrentFileEntry[] = [];
    for (let i = 0; i < req.files.length; i++) {
      const rel = storagePath(name, paths[i], multiFile);
      entries.push({ path: paths[i], length: await ingest(req.files[i], rel, writer, ordered ? hasher : null, budget) });
    }
    if (!ordered) {
      // files arrived out of torrent order: hash them again from staging, in order (a second read)
      entries.sort((a, b) => compareByteWise(a.path, b.path));
      for (const e of entries) for await (const chunk of writer.readStaged(storagePath(name, e.path, multiFile))) await hasher.update(chunk as Buffer);
    }
    const totalSize = entries.reduce((s, e) => s + e.length, 0);
    if (totalSize === 0) throw new PublishError('BAD_INPUT', 'nothing to publish: every file is empty');
    const { bytes, infoHash } = encodeInfo({ name, pieceLength, pieces: await hasher.digest(), files: entries, multiFile });
    const file = encodeTorrentFile({
      infoBytes: bytes, announce: `${deps.publicUrl}/announce`, urlList: [`${deps.publicUrl}/webseed/${infoHash}/`],
      creationDate: Math.floor(Date.now() / 1000),
    });
    const row = torrentRow(parseTorrent(file), file, true, req.description ?? null);
    row.ownerId = req.ownerId ?? null;
    if (await deps.ds.getRepository(TorrentEntity).existsBy({ infoHash })) throw new PublishError('DUPLICATE', `torrent ${infoHash} is already registered`);
    try {
      await deps.ds.transaction(async (m) => {
        await m.save(row);
        await bumpCounter(m, TORRENTS_COUNTER);
      });
    } catch (e) {
      if (await deps.ds.getRepository(TorrentEntity).existsBy({ infoHash })) throw new PublishError('DUPLICATE', `torrent ${infoHash} is already registered`);
      throw e;
    }
    try {
      await writer.commit(infoHash);
    } catch (e) {
      await deps.ds.transaction(async (m) => {
        await m.delete(TorrentEntity, { infoHash });
        await bumpCounter(m, TORRENTS_COUNTER);
      });
      throw new PublishError('STORAGE', `could not store the content: ${(e as Error).message}`);
    }
    deps.events.torrentAdded(infoHash, 0);
    return row;
  } catch (e) {
    await writer.abort();
    if (e instanceof PublishError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') throw new PublishError('STORAGE', 'not enough disk space for this upload');
    throw e;
  }
}
