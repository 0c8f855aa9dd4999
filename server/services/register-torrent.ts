// Use case: track an existing .torrent whose content is not hosted here.
import type { DataSource } from 'typeorm';
import { TorrentFileEntity } from '../db/entities/torrent-file.entity.js';
import { TorrentEntity } from '../db/entities/torrent.entity.js';
import { parseTorrent } from '../torrent/parse-torrent.js';
import type { CatalogEvents } from './catalog-events.js';
import { bumpCounter, TORRENTS_COUNTER } from './change-counter.js';
import { newTorrent, type NewTorrent } from './torrent-rows.js';

export interface RegisterResult {
  torrent: TorrentEntity;
  /** false when the torrent was already registered (nothing changed). */
  created: boolean;
}

/** The entity (with its files) of a new row. */
export function torrentEntity(t: NewTorrent): TorrentEntity {
  const { files, ...fields } = t;
  const e = Object.assign(new TorrentEntity(), fields, { completed: 0, displayName: null });
  e.files = files.map((f, position) => Object.assign(new TorrentFileEntity(), { position, path: f.path, length: f.length }));
  return e;
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
  const row = torrentEntity(newTorrent(meta, file, false, description, ownerId));
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
