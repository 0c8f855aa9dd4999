// Keeps the tracker's in-memory set of registered info_hashes equal to the database: loaded at
// start, changed at once by this process's services, and re-read within one poll interval when
// another process (the command line, another instance) bumps the `torrents` change counter.
import type { DataSource } from 'typeorm';
import type { PeerStore } from '../tracker/peer-store.js';
import type { CatalogEvents } from './catalog-events.js';
import { readCounter, TORRENTS_COUNTER } from './change-counter.js';
import { registeredHashes } from './list-torrents.js';

/** Catalog events that update a live registry and its swarms. */
export function registryEvents(registered: Set<string>, store: PeerStore): CatalogEvents {
  return {
    torrentAdded(infoHash, completed) {
      registered.add(infoHash);
      void store.seedCompleted(infoHash, completed);
    },
    torrentRemoved(infoHash) {
      registered.delete(infoHash);
      void store.removeTorrent(infoHash);
    },
  };
}

export class RegistrySync {
  private seen = -1;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

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
      if (!this.registered.has(r.infoHash)) this.events.torrentAdded(r.infoHash, r.completed);
    }
    for (const h of [...this.registered]) if (!now.has(h)) this.events.torrentRemoved(h);
    this.seen = counter;
  }

  /** Polls every `seconds` until stop(). */
  start(seconds: number): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.refresh().catch(this.onError).finally(() => { this.running = undefined; });
    }, seconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
