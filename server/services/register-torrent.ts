// Use case: track an existing .torrent whose content is not hosted here.
import { In, type DataSource } from 'typeorm';
import { TorrentEntity } from '../db/entities/torrent.entity.js';
import { parseTorrentOffLoop } from '../torrent/parse-off-loop.js';
import { DEFAULT_MAX_FILES, TorrentError } from '../torrent/parse-torrent.js';
import type { CatalogEvents } from './catalog-events.js';
import { descriptionProblem, normalizeDescription } from './input-limits.js';
import { insertTorrent } from './insert-torrent.js';
import { newTorrent } from './torrent-rows.js';

export { torrentEntity } from './insert-torrent.js';

export interface RegisterResult {
  torrent: TorrentEntity;
  /** false when the torrent was already registered (nothing changed). */
  created: boolean;
}

export interface RegisterOptions {
  description?: string | null;
  ownerId?: number | null;
  /** MAX_TORRENT_FILES (default DEFAULT_MAX_FILES). */
  maxFiles?: number;
}

/**
 * Validates a .torrent file and registers it (idempotent: an already registered info_hash is
 * returned unchanged). Throws TorrentError for a file that is not valid v1 metainfo, has too many
 * files, or comes with a description that is too long or holds control characters.
 */
export async function registerTorrent(ds: DataSource, events: CatalogEvents, file: Buffer, opts: RegisterOptions = {}): Promise<RegisterResult> {
  const description = opts.description == null ? null : normalizeDescription(opts.description);
  const problem = description === null ? null : descriptionProblem(description);
  if (problem !== null) throw new TorrentError(problem);
  const meta = await parseTorrentOffLoop(file, { maxFiles: opts.maxFiles ?? DEFAULT_MAX_FILES });
  const repo = ds.getRepository(TorrentEntity);
  const existing = await repo.findOneBy({ infoHash: meta.infoHash });
  if (existing !== null) return { torrent: existing, created: false };
  let row: TorrentEntity;
  try {
    row = await insertTorrent(ds, newTorrent(meta, file, false, description, opts.ownerId ?? null));
  } catch (e) {
    // a concurrent registration of the same torrent won the race
    const again = await repo.findOneBy({ infoHash: meta.infoHash });
    if (again !== null) return { torrent: again, created: false };
    throw e;
  }
  events.torrentAdded(row.infoHash, 0, row.infoHashV2);
  return { torrent: row, created: true };
}

/** The info_hashes among `hashes` that are registered already (looked up 500 at a time). */
export async function registeredAmong(ds: DataSource, hashes: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < hashes.length; i += 500) {
    const rows = await ds.getRepository(TorrentEntity).find({ select: { infoHash: true }, where: { infoHash: In(hashes.slice(i, i + 500)) } });
    for (const r of rows) found.add(r.infoHash);
  }
  return found;
}
