// Live events for subscriptions. The tracker core only calls onSwarmChange(infoHash); this adapter
// coalesces bursts (at most one update per torrent per COALESCE_MS, the first one at once) and
// publishes the swarm's current counts.
import { setMaxListeners } from 'node:events';
import { createPubSub, type PubSubEventTarget } from '@graphql-yoga/subscription';
import type { PeerStore } from '../tracker/peer-store.js';
import type { Torrent } from './types/torrent.type.js';
import type { SwarmUpdate } from './types/swarm.type.js';

/** Per-torrent topic (routing id = info_hash), so a subscriber never filters others' events. */
export const SWARM_UPDATED = 'SWARM_UPDATED';
/** Every torrent's updates, for subscriptions without an infoHash. */
export const SWARM_UPDATED_ALL = 'SWARM_UPDATED_ALL';
export const TORRENT_ADDED = 'TORRENT_ADDED';
export const TORRENT_REMOVED = 'TORRENT_REMOVED';

type BusEvents = {
  [SWARM_UPDATED]: [infoHash: string, update: SwarmUpdate];
  [SWARM_UPDATED_ALL]: [SwarmUpdate];
  [TORRENT_ADDED]: [Torrent];
  [TORRENT_REMOVED]: [{ infoHash: string }];
};

/** The in-process bus; listeners per topic are bounded by the WebSocket limits, not by Node's warning at 10. */
export function createEventBus() {
  const target = new EventTarget();
  // one listener per live subscription: many viewers of one torrent are normal, not a leak
  setMaxListeners(0, target);
  return createPubSub<BusEvents>({ eventTarget: target as PubSubEventTarget<BusEvents> });
}
export type EventBus = ReturnType<typeof createEventBus>;

export const COALESCE_MS = 250;

/** Live swarmUpdated subscriptions per torrent ('' = every torrent), so idle swarms cost nothing. */
export class SwarmWatchers {
  private readonly counts = new Map<string, number>();

  /** Counts a subscription while `source` is iterated; the count drops when the client leaves. */
  watch<T>(infoHash: string, source: AsyncIterable<T>): AsyncIterable<T> {
    const counts = this.counts;
    return {
      [Symbol.asyncIterator]() {
        counts.set(infoHash, (counts.get(infoHash) ?? 0) + 1);
        const it = source[Symbol.asyncIterator]();
        let open = true;
        const close = (): void => {
          if (!open) return;
          open = false;
          const n = (counts.get(infoHash) ?? 1) - 1;
          if (n <= 0) counts.delete(infoHash);
          else counts.set(infoHash, n);
        };
        return {
          next: () => it.next().then((r) => { if (r.done) close(); return r; }),
          return: (v?: unknown) => { close(); return it.return ? it.return(v) : Promise.resolve({ done: true as const, value: v as T }); },
          throw: (e?: unknown) => { close(); return it.throw ? it.throw(e) : Promise.reject(e); },
        };
      },
    };
  }

  /** Counts a subscription to each of `infoHashes` while `source` is iterated. */
  watchMany<T>(infoHashes: string[], source: AsyncIterable<T>): AsyncIterable<T> {
    let inner: AsyncIterable<T> = source;
    for (const h of infoHashes) inner = this.watch(h, inner);
    return inner;
  }

  /** true when someone listens to this torrent or to every torrent. */
  wanted(infoHash: string): boolean {
    return this.counts.size > 0 && (this.counts.has(infoHash) || this.counts.has(''));
  }

  get size(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }
}

/** Turns per-announce change signals into at most one SwarmUpdate per torrent per COALESCE_MS. */
export class SwarmUpdates {
  private readonly lastSent = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly store: PeerStore,
    private readonly publish: (u: SwarmUpdate) => void,
    private readonly watchers: SwarmWatchers,
    private readonly intervalMs = COALESCE_MS,
  ) {}

  /** Called by the tracker after an announce changed a swarm; nothing happens unless someone watches it. */
  changed(infoHash: string): void {
    if (!this.watchers.wanted(infoHash) || this.timers.has(infoHash)) return;
    const wait = Math.max(0, (this.lastSent.get(infoHash) ?? 0) + this.intervalMs - Date.now());
    const t = setTimeout(() => {
      this.timers.delete(infoHash);
      this.lastSent.set(infoHash, Date.now());
      // a failed read (Redis away) skips this update; the swarm's next change sends fresh counts
      this.emit(infoHash).catch(() => undefined);
    }, wait);
    t.unref();
    this.timers.set(infoHash, t);
  }

  private async emit(infoHash: string): Promise<void> {
    const [c] = await this.store.scrape([infoHash]);
    this.publish({ infoHash, seeders: c.complete, leechers: c.incomplete, completed: c.downloaded });
  }

  /** Forgets per-torrent state (a removed torrent) and cancels a pending update. */
  forget(infoHash: string): void {
    clearTimeout(this.timers.get(infoHash));
    this.timers.delete(infoHash);
    this.lastSent.delete(infoHash);
  }

  close(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
