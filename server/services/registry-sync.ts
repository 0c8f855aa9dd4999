// Keeps the tracker's in-memory set of registered info_hashes equal to the database: loaded at
// start, changed at once by this process's services, and re-read within one poll interval when
// another process (the command line, another instance) bumps the `torrents` change counter.
import type { DataSource } from 'typeorm';
import type { PeerStore } from '../tracker/peer-store.js';
import type { CatalogEvents } from './catalog-events.js';
import { readCounter, TORRENTS_COUNTER } from './change-counter.js';
import { registeredHashes } from './list-torrents.js';

/** The hash a hybrid's v2 peers announce (its SHA-256 cut to 40 hex) when it is not `infoHash` itself (v2-only), else null. */
export function v2AliasOf(infoHash: string, infoHashV2: string | null | undefined): string | null {
  const cut = infoHashV2 == null ? null : infoHashV2.slice(0, 40);
  return cut === null || cut === infoHash ? null : cut;
}

/**
 * Catalog events that update a live registry and its swarms; a failing (Redis) store call goes to
 * onError. `aliases` (the tracker's v2Aliases) maps a hybrid's v2 announce hash to its infoHash.
 */
export function registryEvents(registered: Set<string>, store: PeerStore, onError: (e: unknown) => void = () => undefined, aliases = new Map<string, string>()): CatalogEvents {
  const settle = (r: unknown): void => {
    if (r instanceof Promise) r.catch(onError);
  };
  const aliasOf = new Map<string, string>();
  return {
    torrentAdded(infoHash, completed, infoHashV2) {
      registered.add(infoHash);
      const alias = v2AliasOf(infoHash, infoHashV2);
      if (alias !== null) {
        aliases.set(alias, infoHash);
        aliasOf.set(infoHash, alias);
      }
      settle(store.seedCompleted(infoHash, completed));
    },
    torrentRemoved(infoHash) {
      registered.delete(infoHash);
      const alias = aliasOf.get(infoHash);
      if (alias !== undefined) {
        aliases.delete(alias);
        aliasOf.delete(infoHash);
      }
      settle(store.removeTorrent(infoHash));
    },
  };
}

export class RegistrySync {
  private seen = -1;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly ds: DataSource,
    private readonly registered: Set<string>,
    private readonly events: CatalogEvents,
    private readonly onError: (e: unknown) => void,
  ) {}

  /** Reads the registered set if the change counter moved since the last read (always, the first time). */
  async refresh(): Promise<void> {
    const counter = await readCounter(this.ds, TORRENTS_COUNTER);
    if (counter === this.seen) return;
    const rows = await registeredHashes(this.ds);
    const now = new Set<string>();
    for (const r of rows) {
      now.add(r.infoHash);
      if (!this.registered.has(r.infoHash)) this.events.torrentAdded(r.infoHash, r.completed, r.infoHashV2);
    }
    for (const h of [...this.registered]) if (!now.has(h)) this.events.torrentRemoved(h);
    this.seen = counter;
  }

  /**
   * Gives the swarm store every torrent's completed count again (it keeps the larger): after Redis
   * restarted empty, counts then go on from the database's instead of from zero.
   */
  async reseedCompleted(store: PeerStore): Promise<void> {
    const rows = await registeredHashes(this.ds);
    // a thousand at a time in flight: a Redis store sends each batch in one pipelined write
    for (let i = 0; i < rows.length; i += 1000) {
      await Promise.all(rows.slice(i, i + 1000).map((r) => store.seedCompleted(r.infoHash, r.completed)));
    }
  }

  /** Polls every `seconds` until stop(). */
  start(seconds: number): void {
    this.timer = setInterval(() => {
      if (!this.running) this.refreshSoon();
    }, seconds * 1000);
    this.timer.unref();
  }

  /** Re-reads now (another instance changed the registry); after a read in progress, once more. */
  refreshSoon(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.refresh().catch(this.onError).finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.refreshSoon();
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }
}
