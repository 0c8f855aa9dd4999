// Writes the tracker's completed-download increments to the database in one transaction.
import type { DataSource } from 'typeorm';
import { TorrentEntity } from '../db/entities/torrent.entity.js';
import type { CompletedTally } from '../tracker/completed-tally.js';

/** Adds pending increments to `torrents.completed`; on failure they stay pending for the next try. */
export async function flushCompleted(ds: DataSource, tally: CompletedTally): Promise<number> {
  if (tally.size === 0) return 0;
  const batch = tally.drain();
  try {
    await ds.transaction(async (m) => {
      for (const [infoHash, n] of batch) await m.increment(TorrentEntity, { infoHash }, 'completed', n);
    });
  } catch (e) {
    tally.restore(batch);
    throw e;
  }
  return batch.size;
}

/**
 * Raises `torrents.completed` to each absolute total (never lowers it), in one transaction: how
 * counts kept in Redis by every instance reach the database.
 */
export async function writeCompletedTotals(ds: DataSource, totals: ReadonlyMap<string, number>): Promise<void> {
  await ds.transaction(async (m) => {
    for (const [infoHash, n] of totals) {
      await m.createQueryBuilder().update(TorrentEntity).set({ completed: n })
        .where('info_hash = :infoHash AND completed < :n', { infoHash, n }).execute();
    }
  });
}
