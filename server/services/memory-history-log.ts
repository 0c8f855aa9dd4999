// Swarm history in this process's memory (no REDIS_URL): per torrent a ring of HISTORY_MINUTES
// samples in typed arrays, and a bound on the torrents kept (the least recently active go first).
import { HISTORY_MINUTES, type HistoryLog, type SwarmSample } from './swarm-history.js';

/** Torrents whose history one process keeps at most (each up to 4320 samples of 16 bytes: ~69 kB). */
export const MAX_HISTORY_TORRENTS = 2000;

class Ring {
  // minute, seeders, leechers, completed per sample; grows by doubling up to HISTORY_MINUTES
  data = new Float64Array(4 * 16);
  start = 0;
  length = 0;

  push(s: SwarmSample): void {
    const cap = this.data.length / 4;
    if (this.length === cap && cap < HISTORY_MINUTES) {
      const grown = new Float64Array(4 * Math.min(HISTORY_MINUTES, cap * 2));
      for (let i = 0; i < this.length; i++) grown.set(this.data.subarray(4 * ((this.start + i) % cap), 4 * ((this.start + i) % cap) + 4), 4 * i);
      this.data = grown;
      this.start = 0;
    }
    const size = this.data.length / 4;
    const at = this.length < size ? (this.start + this.length++) % size : (this.start++ % size);
    if (this.start >= size) this.start -= size;
    this.data.set([s.minute, s.seeders, s.leechers, s.completed], 4 * at);
  }

  since(minute: number): SwarmSample[] {
    const size = this.data.length / 4;
    const out: SwarmSample[] = [];
    for (let i = 0; i < this.length; i++) {
      const o = 4 * ((this.start + i) % size);
      if (this.data[o] >= minute) out.push({ minute: this.data[o], seeders: this.data[o + 1], leechers: this.data[o + 2], completed: this.data[o + 3] });
    }
    return out;
  }
}

export class MemoryHistoryLog implements HistoryLog {
  // insertion order is recency of the last append: the first entry is the one to evict
  private readonly rings = new Map<string, Ring>();
  private lastMinute = -1;

  constructor(private readonly maxTorrents = MAX_HISTORY_TORRENTS) {}

  async claim(minute: number): Promise<boolean> {
    if (minute <= this.lastMinute) return false;
    this.lastMinute = minute;
    return true;
  }

  async append(samples: ReadonlyMap<string, SwarmSample>): Promise<void> {
    for (const [h, s] of samples) {
      const ring = this.rings.get(h) ?? new Ring();
      this.rings.delete(h);
      ring.push(s);
      this.rings.set(h, ring);
    }
    for (const h of this.rings.keys()) {
      if (this.rings.size <= this.maxTorrents) break;
      this.rings.delete(h);
    }
  }

  async read(infoHash: string, sinceMinute: number): Promise<SwarmSample[]> {
    return this.rings.get(infoHash)?.since(sinceMinute) ?? [];
  }

  async forget(infoHash: string): Promise<void> {
    this.rings.delete(infoHash);
  }

  async close(): Promise<void> {
    this.rings.clear();
  }

  /** Torrents with a history (for tests and metrics). */
  get size(): number {
    return this.rings.size;
  }
}
