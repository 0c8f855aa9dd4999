// Use case: stop tracking a torrent (its row, its files list, its swarm).
import type { DataSource } from 'typeorm';
import { TorrentEntity } from '../db/entities/torrent.entity.js';
import type { CatalogEvents } from './catalog-events.js';
import { bumpCounter, TORRENTS_COUNTER } from './change-counter.js';

/** Removes a torrent by info_hash; returns false when it was not registered. */
export async function removeTorrent(ds: DataSource, events: CatalogEvents, infoHash: string): Promise<boolean> {
  const removed = await ds.transaction(async (m) => {
    const res = await m.delete(TorrentEntity, { infoHash });
    if (!res.affected) return false;
    await bumpCounter(m, TORRENTS_COUNTER);
    return true;
  });
  if (removed) events.torrentRemoved(infoHash);
  return removed;
}
