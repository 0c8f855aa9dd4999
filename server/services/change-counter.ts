// The `torrents` change counter: bumped inside every transaction that changes the registered set,
// polled by running servers (see registry-sync.ts).
import type { DataSource, EntityManager } from 'typeorm';
import { ChangeCounterEntity } from '../db/entities/change-counter.entity.js';

export const TORRENTS_COUNTER = 'torrents';

/** Increments a counter within the caller's transaction. */
export async function bumpCounter(m: EntityManager, name: string): Promise<void> {
  await m.increment(ChangeCounterEntity, { name }, 'value', 1);
}

/** Current value of a counter (0 if missing). */
export async function readCounter(ds: DataSource, name: string): Promise<number> {
  const row = await ds.getRepository(ChangeCounterEntity).findOneBy({ name });
  return row?.value ?? 0;
}
