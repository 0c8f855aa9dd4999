// Use case: track an existing .torrent whose content is not hosted here.
import type { DataSource } from 'typeorm';
import { TorrentFileEntity } from '../db/entities/torrent-file.entity.js';
import { TorrentEntity } from '../db/entities/torrent.entity.js';
import type { Metainfo } from '../torrent/metainfo.js';
import { parseTorrent } from '../torrent/parse-torrent.js';
import type { CatalogEvents } from './catalog-events.js';
import { bumpCounter, TORRENTS_COUNTER } from './change-counter.js';

export interface RegisterResult {
  torrent: TorrentEntity;
  /** false when the torrent was already registered (nothing changed). */
  created: boolean;
}

/** Builds the row (with its files) for a parsed metainfo. */
export function torrentRow(meta: Metainfo, metainfo: Buffer, hosted: boolean, description: string | null): TorrentEntity {
  const t = new TorrentEntity();
  Object.assign(t, {
    infoHash: meta.infoHash, name: meta.name, totalSize: meta.totalSize, pieceLength: meta.pieceLength,
    pieceCount: meta.pieceCount, multiFile: meta.multiFile, hosted, description, completed: 0, displayName: null, ownerId: null,
    metainfo, createdAt: new Date(),
  });
  t.files = meta.files.map((f, position) => Object.assign(new TorrentFileEntity(), { position, path: f.path, length: f.length }));
  return t;
}

/**
 * Validates a .torrent file and registers it (idempotent: an already registered info_hash is
 * returned unchanged). Throws TorrentError for a file that is not valid v1 metainfo.
 */
export async function registerTorrent(ds: DataSource, events: CatalogEvents, file: Buffer, description: string | null = null, ownerId: number | null = null): Promise<RegisterResult> {
  const meta = parseTorrent(file);
  const repo = ds.getRepository(TorrentEntity);
  const existing = await repo.findOneBy({ infoHash: meta.infoHash });
  if (existing !== null) return { torrent: existing, created: false };
  const row = torrentRow(meta, file, false, description);
  row.ownerId = ownerId;
  try {
    await ds.transaction(async (m) => {
      await m.save(row);
      await bumpCounter(m, TORRENTS_COUNTER);
    });
  } catch (e) {
    // a concurrent registration of the same torrent won the race
    const again = await repo.findOneBy({ infoHash: meta.infoHash });
    if (again !== null) return { torrent: again, created: false };
    throw e;
  }
  events.torrentAdded(row.infoHash, 0);
  return { torrent: row, created: true };
}
