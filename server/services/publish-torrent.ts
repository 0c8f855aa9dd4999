// Use case: publish content. The bytes are staged and hashed in one pass (stage-content.ts); then
// the info dict, the .torrent and the database row are made, the content is moved into place, and
// the tracker serves the torrent at once. Any failure leaves no row, no file and no tracker entry
// behind.
import type { DataSource } from 'typeorm';
import { TorrentEntity } from '../db/entities/torrent.entity.js';
import type { FileStore } from '../storage/file-store.js';
import { encodeInfo } from '../torrent/info-dict.js';
import type { TorrentFileEntry } from '../torrent/metainfo.js';
import { parseTorrent } from '../torrent/parse-torrent.js';
import { encodeTorrentFile } from '../torrent/torrent-file.js';
import type { CatalogEvents } from './catalog-events.js';
import { bumpCounter, TORRENTS_COUNTER } from './change-counter.js';
import { asPublishError, PublishError, safeRelativePath } from './publish-input.js';
import type { PublishStats } from './publish-stats.js';
import { torrentRow } from './register-torrent.js';
import { stageContent, type PublishRequest, type StagedContent } from './stage-content.js';

export { PublishError } from './publish-input.js';
export type { PublishFile, PublishRequest, StagedContent } from './stage-content.js';

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

/** The torrent name and the staging folder that becomes its root, once every path is known. */
function rootOf(req: PublishRequest, entries: TorrentFileEntry[], multiFile: boolean): { name: string; from: string } {
  if (!multiFile) return { name: req.name ?? (entries[0].path.split('/').pop() as string), from: 'file' };
  if (req.name !== undefined) return { name: req.name, from: 'files' };
  const top = entries[0].path.split('/')[0];
  if (!entries.every((e) => e.path.startsWith(`${top}/`))) throw new PublishError('BAD_INPUT', 'a name is required for several files');
  for (const e of entries) e.path = e.path.slice(top.length + 1);
  return { name: top, from: `files/${top}` };
}

/** Publishes files as a new hosted torrent. Throws PublishError for bad input, size, duplicates or storage failures. */
export async function publishTorrent(deps: PublishDeps, req: PublishRequest): Promise<TorrentEntity> {
  try {
    const row = await publishStaged(deps, req, await stageContent(deps.files, req, deps.maxUploadBytes));
    deps.stats?.published('ok', row.totalSize);
    return row;
  } catch (e) {
    deps.stats?.published(e instanceof PublishError ? (e.code.toLowerCase() as Lowercase<PublishError['code']>) : 'internal');
    throw e;
  }
}

/**
 * Publishes content staged by stageContent(deps.files, req, ...) for the same request: commits it,
 * or aborts it on any failure. Throws as publishTorrent does.
 */
export async function publishStaged(deps: PublishDeps, req: PublishRequest, staged: StagedContent): Promise<TorrentEntity> {
  try {
    return await finish(deps, req, staged);
  } catch (e) {
    await staged.writer.abort();
    throw asPublishError(e);
  }
}

/** After the bytes: info dict, .torrent, row, content in place, tracker told. */
async function finish(deps: PublishDeps, req: PublishRequest, { writer, entries, pieces, multiFile, pieceLength }: StagedContent): Promise<TorrentEntity> {
  if (entries.every((e) => e.length === 0)) throw new PublishError('BAD_INPUT', 'nothing to publish: every file is empty');
  const { name, from } = rootOf(req, entries, multiFile);
  safeRelativePath(name, 'name', true);
  const { bytes, infoHash } = encodeInfo({ name, pieceLength, pieces, files: entries, multiFile });
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
