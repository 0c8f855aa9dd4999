// What the WebSocket tracker counts for /metrics, bumped on its hot path (plain numbers).
import { TrackerStats } from '../tracker/tracker-stats.js';

export class WsTrackerStats {
  /** Announces and scrapes by outcome, with latencies (as HTTP's and UDP's). */
  readonly tracker = new TrackerStats();
  offersRelayed = 0;
  answersRelayed = 0;
  /** Answers whose target is not connected here (or not reading). */
  answersDropped = 0;
  /** Upgrades refused (sockets per address, sockets in all, shutting down). */
  refusedUpgrades = 0;
  closedIdle = 0;
  closedFlood = 0;
  closedUnknown = 0;
}
