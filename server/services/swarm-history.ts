// Swarm history: once a minute, the counts of every torrent with peers are sampled from the
// PeerStore and appended to a HistoryLog (this process's memory, or Redis shared by every
// instance); a torrent page reads them back as a chart. See docs/swarm-history.md.
import type { PeerStore } from '../tracker/peer-store.js';

/** Minutes of history kept per torrent: three days of one sample a minute. */
export const HISTORY_MINUTES = 4320;
/** Points one history reply holds at most: longer spans are merged into buckets of several minutes. */
export const MAX_HISTORY_POINTS = 500;
/** Torrents one scrape of the sampler asks the store about. */
const SAMPLE_BATCH = 1000;

/** One minute of one swarm: `minute` is whole minutes since the epoch. */
export interface SwarmSample {
  minute: number;
  seeders: number;
  leechers: number;
  completed: number;
}

/** Where samples are kept; every implementation keeps at most HISTORY_MINUTES per torrent. */
export interface HistoryLog {
  /**
   * Claims the sample of `minute` for this process: false when it was taken already (by another
   * instance sharing the log, or by an earlier call).
   */
  claim(minute: number): Promise<boolean>;
  /** Appends one sample to each torrent's history. */
  append(samples: ReadonlyMap<string, SwarmSample>): Promise<void>;
  /** A torrent's samples from `sinceMinute` on, oldest first. */
  read(infoHash: string, sinceMinute: number): Promise<SwarmSample[]>;
  /** Forgets a torrent's history (it was deleted). */
  forget(infoHash: string): Promise<void>;
  close(): Promise<void>;
}

export const minuteOf = (ms: number): number => Math.floor(ms / 60_000);

/** Samples every registered torrent that has peers into `log`, once a minute. */
export class SwarmHistory {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly store: PeerStore, private readonly registered: ReadonlySet<string>, readonly log: HistoryLog, private readonly onError: (err: unknown) => void) {}

  /** Samples shortly after each minute starts (every instance on the same minute, so one claims it). */
  start(): void {
    const next = (): void => {
      const wait = 60_000 - (Date.now() % 60_000) + 1000;
      this.timer = setTimeout(() => {
        this.sample().catch(this.onError).finally(next);
      }, wait);
      this.timer.unref();
    };
    next();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  /** Takes the sample of the minute `at` falls in, unless that minute was sampled; returns how many torrents it recorded. */
  async sample(at = Date.now()): Promise<number> {
    const minute = minuteOf(at);
    if (!(await this.log.claim(minute))) return 0;
    const hashes = [...this.registered];
    const samples = new Map<string, SwarmSample>();
    for (let i = 0; i < hashes.length; i += SAMPLE_BATCH) {
      const batch = hashes.slice(i, i + SAMPLE_BATCH);
      const counts = await this.store.scrape(batch);
      counts.forEach((c, j) => {
        // only torrents with activity: a minute with no sample reads as no peers
        if (c.complete + c.incomplete > 0) samples.set(batch[j], { minute, seeders: c.complete, leechers: c.incomplete, completed: c.downloaded });
      });
    }
    if (samples.size > 0) await this.log.append(samples);
    return samples.size;
  }

  /**
   * The last `minutes` of a torrent's history ending at `now`, at most MAX_HISTORY_POINTS points:
   * minutes without a sample (no peers) read as zero peers, and a span longer than the bound
   * is merged into buckets of several minutes (the most seeders and leechers of each bucket,
   * its last completed count). Empty when nothing was ever sampled in the span.
   */
  async read(infoHash: string, minutes: number, now = Date.now()): Promise<SwarmSample[]> {
    const end = minuteOf(now);
    const start = end - minutes + 1;
    const samples = await this.log.read(infoHash, start);
    return bucketSamples(samples, start, end);
  }
}

/** Samples over [start, end] minutes into at most MAX_HISTORY_POINTS points, gaps as zero peers. */
export function bucketSamples(samples: readonly SwarmSample[], start: number, end: number): SwarmSample[] {
  if (samples.length === 0) return [];
  const width = Math.max(1, Math.ceil((end - start + 1) / MAX_HISTORY_POINTS));
  const out: SwarmSample[] = [];
  let completed = samples[0].completed;
  let i = 0;
  // buckets start from the first sample: before it nothing is known
  const first = start + Math.floor((samples[0].minute - start) / width) * width;
  for (let b = first; b <= end; b += width) {
    const point: SwarmSample = { minute: b, seeders: 0, leechers: 0, completed };
    while (i < samples.length && samples[i].minute < b + width) {
      const s = samples[i++];
      if (s.minute < b) continue;
      point.seeders = Math.max(point.seeders, s.seeders);
      point.leechers = Math.max(point.leechers, s.leechers);
      point.completed = completed = s.completed;
    }
    out.push(point);
  }
  return out;
}
