// Use case: stop tracking a torrent (its row, its files list, its swarm) and delete its content.
import type { DataSource } from 'typeorm';
import { TorrentEntity } from '../db/entities/torrent.entity.js';
import type { FileStore } from '../storage/file-store.js';
import type { CatalogEvents } from './catalog-events.js';
import { bumpCounter, TORRENTS_COUNTER } from './change-counter.js';

/** Removes a torrent by info_hash, content included; returns false when it was not registered. */
export async function removeTorrent(ds: DataSource, events: CatalogEvents, files: FileStore, infoHash: string): Promise<boolean> {
  const removed = await ds.transaction(async (m) => {
    const res = await m.delete(TorrentEntity, { infoHash });
    if (!res.affected) return false;
    await bumpCounter(m, TORRENTS_COUNTER);
    return true;
  });
  if (removed) {
    events.torrentRemoved(infoHash);
    await files.delete(infoHash);
  }
  return removed;
}
