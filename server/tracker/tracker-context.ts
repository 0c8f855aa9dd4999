// What the announce and scrape handlers need, wired once by main.ts.
import type { CompletedTally } from './completed-tally.js';
import type { AnnounceRate } from './announce-rate.js';
import type { FullScrape } from './full-scrape.js';
import type { PeerStore } from './peer-store.js';
import type { TrackerStats } from './tracker-stats.js';

export interface TrackerContext {
  store: PeerStore;
  /** Info_hashes (lowercase hex) this tracker serves; everything else is refused (closed tracker). */
  registered: ReadonlySet<string>;
  /**
   * A hybrid torrent's v2 info hash cut to 40 hex (what its v2 peers announce, BEP 52) -> its
   * infoHash: both announce into the torrent's one swarm. Read only for hashes `registered` lacks,
   * so a v1 announce costs what it did (docs/v2-torrents.md).
   */
  v2Aliases?: ReadonlyMap<string, string>;
  completed: CompletedTally;
  /** Seconds. */
  interval: number;
  minInterval: number;
  /** Counts announces for statistics. */
  announces?: AnnounceRate;
  /** Counts and latencies of announces and scrapes (bumped by the HTTP answers). */
  stats: TrackerStats;
  /** Answers scrapes without info_hash; undefined: full scrape is off (FULL_SCRAPE). */
  fullScrape?: FullScrape;
  /** Called after an announce that changed a swarm's counts. */
  onSwarmChange?: (infoHash: string) => void;
}
