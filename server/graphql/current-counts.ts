// swarmsUpdated(current: true): a subscription that first pushes the followed torrents' counts as
// they are now, then the live updates. The bus subscription starts before the counts are read, so
// an announce between a page's query and its subscription is never lost: it is either in the
// counts read or pushed after them.
import { Repeater } from '@graphql-yoga/subscription';
import type { PeerStore } from '../tracker/peer-store.js';
import type { SwarmUpdate } from './types/swarm.type.js';

/** The counts of `infoHashes` now, as SwarmUpdates (one store round trip for all of them). */
export async function currentCounts(store: PeerStore, infoHashes: string[]): Promise<SwarmUpdate[]> {
  if (infoHashes.length === 0) return [];
  const counts = await store.scrape(infoHashes);
  return infoHashes.map((infoHash, i) => ({ infoHash, seeders: counts[i].complete, leechers: counts[i].incomplete, completed: counts[i].downloaded }));
}

/** `live`, preceded by what `now()` reads once `live` listens; ends when the client leaves. */
export function startingWithCurrent(live: AsyncIterable<SwarmUpdate>, now: () => Promise<SwarmUpdate[]>): AsyncIterable<SwarmUpdate> {
  return new Repeater<SwarmUpdate>(async (push, stop) => {
    const it = live[Symbol.asyncIterator]();
    let stopped = false;
    void stop.then(() => { stopped = true; });
    // a pubsub Repeater listens from its first next(): ask for it before reading the counts
    let next = it.next();
    try {
      // a failed read (Redis away) leaves only the live updates, as swarmUpdated gives
      for (const u of await now().catch(() => [])) if (!stopped) await push(u);
      while (!stopped) {
        const r = await Promise.race([next, stop.then(() => null)]);
        if (r === null || r.done) break;
        await push(r.value);
        next = it.next();
      }
    } finally {
      stop();
      await it.return?.();
    }
  });
}
