// Use case: publish content. The bytes are staged and hashed in one pass (stage-content.ts); then
// the info dict, the .torrent and the database row are made, the content is moved into place, and
// the tracker serves the torrent at once. Any failure leaves no row, no file and no tracker entry
// behind.
import type { DataSource } from 'typeorm';
import { TorrentEntity } from '../db/entities/torrent.entity.js';
import type { FileStore } from '../storage/file-store.js';
import type { CatalogEvents } from './catalog-events.js';
import { bumpCounter, TORRENTS_COUNTER } from './change-counter.js';
import { finishPublish } from './finish-publish.js';
import { PublishError } from './publish-input.js';
import type { PublishStats } from './publish-stats.js';
import { insertTorrent } from './insert-torrent.js';
import type { TorrentRows } from './torrent-rows.js';
import { stageContent, type PublishRequest, type StagedContent } from './stage-content.js';

export { PublishError } from './publish-input.js';
export type { PublishFile, PublishRequest, StagedContent } from './stage-content.js';

export interface PublishDeps {
  ds: DataSource;
  files: FileStore;
  events: CatalogEvents;
  publicUrl: string;
  /** PUBLIC_UDP_URL, listed in new torrents' announce-list beside HTTP; undefined: none. */
  udpAnnounceUrl?: string;
  /** 0: no limit. */
  maxUploadBytes: number;
  /** MAX_TORRENT_FILES (default DEFAULT_MAX_TORRENT_FILES). */
  maxFiles?: number;
  /** Counts publishes by result, when given. */
  stats?: PublishStats;
}

/** Publishes files as a new hosted torrent. Throws PublishError for bad input, size, duplicates or storage failures. */
export async function publishTorrent(deps: PublishDeps, req: PublishRequest): Promise<TorrentEntity> {
  try {
    const row = await publishStaged(deps, req, await stageContent(deps.files, req, { maxUploadBytes: deps.maxUploadBytes, maxFiles: deps.maxFiles }));
    deps.stats?.published('ok', row.totalSize);
    return row;
  } catch (e) {
    deps.stats?.published(e instanceof PublishError ? (e.code.toLowerCase() as Lowercase<PublishError['code']>) : 'internal');
    throw e;
  }
}

/** TorrentRows on TypeORM; `saved` is the entity of the last insert. */
export function typeormTorrentRows(ds: DataSource): TorrentRows & { saved?: TorrentEntity } {
  const repo = ds.getRepository(TorrentEntity);
  const rows: TorrentRows & { saved?: TorrentEntity } = {
    async insert(t) {
      if (await repo.existsBy({ infoHash: t.infoHash })) return false;
      try {
        rows.saved = await insertTorrent(ds, t);
      } catch (e) {
        if (await repo.existsBy({ infoHash: t.infoHash })) return false; // a concurrent publish won
        throw e;
      }
      return true;
    },
    async remove(infoHash) {
      await ds.transaction(async (m) => {
        await m.delete(TorrentEntity, { infoHash });
        await bumpCounter(m, TORRENTS_COUNTER);
      });
    },
  };
  return rows;
}

/**
 * Publishes content staged by stageContent(deps.files, req, ...) for the same request: commits it,
 * or aborts it on any failure. Throws as publishTorrent does.
 */
export async function publishStaged(deps: PublishDeps, req: PublishRequest, staged: StagedContent): Promise<TorrentEntity> {
  const rows = typeormTorrentRows(deps.ds);
  const { infoHash, infoHashV2 } = await finishPublish(rows, deps.publicUrl, req, staged, deps.udpAnnounceUrl);
  deps.events.torrentAdded(infoHash, 0, infoHashV2);
  return rows.saved as TorrentEntity;
}
