// Use case: the registered torrents, newest first.
import type { DataSource } from 'typeorm';
import { TorrentEntity } from '../db/entities/torrent.entity.js';

/** Every registered torrent without files or metainfo, newest first. */
export function listTorrents(ds: DataSource): Promise<TorrentEntity[]> {
  return ds.getRepository(TorrentEntity).find({ order: { createdAt: 'DESC', id: 'DESC' } });
}

/** info_hash and completed count of every registered torrent (what the tracker loads). */
export async function registeredHashes(ds: DataSource): Promise<{ infoHash: string; completed: number; infoHashV2: string | null }[]> {
  return ds.getRepository(TorrentEntity).find({ select: { infoHash: true, completed: true, infoHashV2: true } });
}
