// Plain numeric counters for announces and scrapes, bumped on the hot path (no allocation, no
// label lookup); the metrics endpoint reads them when it is scraped.
import { ClientError, UnregisteredTorrent } from './errors.js';

/** Outcome indexes of TrackerStats.announces / scrapes; OUTCOMES names them. */
export const OK = 0;
export const MALFORMED = 1;
export const UNREGISTERED = 2;
export const INTERNAL = 3;
/** Names of the outcomes, by index (metric label values). */
export const OUTCOMES = ['ok', 'malformed', 'unregistered', 'internal'] as const;

/** Upper bounds (seconds) of the latency buckets; one more bucket holds everything above. */
export const LATENCY_BOUNDS: readonly number[] = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/** A latency histogram over LATENCY_BOUNDS: per-bucket counts (not cumulative), sum and count. */
export class LatencyHistogram {
  readonly counts = new Float64Array(LATENCY_BOUNDS.length + 1);
  sum = 0;
  count = 0;

  /** Records one duration in seconds. */
  observe(seconds: number): void {
    let i = 0;
    while (i < LATENCY_BOUNDS.length && seconds > LATENCY_BOUNDS[i]) i++;
    this.counts[i]++;
    this.sum += seconds;
    this.count++;
  }
}

/** The outcome index of a request that threw `err`. */
export function outcomeOf(err: unknown): number {
  if (err instanceof UnregisteredTorrent) return UNREGISTERED;
  return err instanceof ClientError ? MALFORMED : INTERNAL;
}

/** Announce and scrape counts by outcome (indexed by OK ... INTERNAL) and their latencies. */
export class TrackerStats {
  readonly announces = new Float64Array(OUTCOMES.length);
  readonly scrapes = new Float64Array(OUTCOMES.length);
  readonly announceSeconds = new LatencyHistogram();
  readonly scrapeSeconds = new LatencyHistogram();

  /** Counts one announce answered with `outcome`, begun at `start` (performance.now() ms). */
  announced(outcome: number, start: number): void {
    this.announces[outcome]++;
    this.announceSeconds.observe((performance.now() - start) / 1000);
  }

  /** Counts one scrape answered with `outcome`, begun at `start` (performance.now() ms). */
  scraped(outcome: number, start: number): void {
    this.scrapes[outcome]++;
    this.scrapeSeconds.observe((performance.now() - start) / 1000);
  }
}
