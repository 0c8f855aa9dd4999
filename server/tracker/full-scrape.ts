// Full scrape: a scrape without info_hash answers counts for every registered torrent (the
// original scrape convention; BEP 48 itself only names info_hash requests). One reply is large
// (about 70 bytes per torrent), so it is built at most once per interval, in steps that each take
// one event-loop turn, served from memory in between, and each address fetches it a bounded
// number of times per interval. opentracker builds it per request on worker threads and can allow
// one per 5 minutes per address (WANT_MODEST_FULLSCRAPES); XBT Tracker has it off by default.
import { addressGroup } from './address-group.js';
import { ClientError } from './errors.js';
import type { PeerStore } from './peer-store.js';
import { encodeScrapeFiles, encodeScrapeReply } from './replies.js';

/** Default of the FULL_SCRAPE_INTERVAL setting, seconds: how long one built reply is served. */
export const FULL_SCRAPE_INTERVAL = 60;
/** Full scrapes one address (IPv4 address, IPv6 /64) gets per interval: the reply does not change within one, 2 leaves room for a retry. */
export const FULL_SCRAPES_PER_ADDRESS = 2;
/** Addresses counted per interval; once full, new addresses are refused until the next one (bounds memory, and the total to 8,192). */
export const MAX_FULL_SCRAPE_ADDRESSES = 4096;
/** Torrents per step of a rebuild: one store.scrape each, and each step in its own event-loop turn. */
export const FULL_SCRAPE_CHUNK = 1000;

export interface FullScrapeOptions {
  /** Seconds a built reply is served; also its `flags.min_request_interval`. */
  intervalSeconds: number;
  /** Milliseconds since the epoch (tests pass their own). */
  clock?: () => number;
  /** Told when a rebuild fails (the previous reply, if any, keeps being served). */
  onError?: (err: unknown) => void;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const hexValue = (c: number): number => (c <= 57 ? c - 48 : c - 87);

/** The cached, rate-limited full-scrape reply of one process. */
export class FullScrape {
  private reply: Buffer | null = null;
  /** When the build of `reply` was started (ms). */
  private builtAt = 0;
  private building: Promise<Buffer> | null = null;
  /** The interval the counts in `fetched` belong to (now / interval, rounded down). */
  private window = -1;
  private readonly fetched = new Map<string, number>();
  private readonly intervalMs: number;
  private readonly clock: () => number;

  constructor(private readonly store: PeerStore, private readonly registered: ReadonlySet<string>, private readonly opts: FullScrapeOptions) {
    this.intervalMs = opts.intervalSeconds * 1000;
    this.clock = opts.clock ?? Date.now;
  }

  /**
   * The bencoded full scrape for a client at `ip`: the built reply while it is younger than the
   * interval (the previous one while a rebuild runs, so at most one interval and one rebuild
   * old), else a promise of a new one. Throws ClientError when the address had its share.
   */
  answer(ip: string): Buffer | Promise<Buffer> {
    const now = this.clock();
    this.admit(addressGroup(ip), now);
    if (this.reply !== null && now - this.builtAt < this.intervalMs) return this.reply;
    const fresh = this.rebuild(now);
    return this.reply ?? fresh;
  }

  /** The rebuild under way, if any (tests wait on it). */
  get pending(): Promise<Buffer> | null {
    return this.building;
  }

  /** Counts one full scrape of address `a`, or refuses it. */
  private admit(a: string, now: number): void {
    const w = Math.floor(now / this.intervalMs);
    if (w !== this.window) {
      this.window = w;
      this.fetched.clear();
    }
    const n = this.fetched.get(a) ?? 0;
    if (n >= FULL_SCRAPES_PER_ADDRESS) {
      throw new ClientError(`too many full scrapes: at most ${FULL_SCRAPES_PER_ADDRESS} per ${this.opts.intervalSeconds} s from one address`);
    }
    if (n === 0 && this.fetched.size >= MAX_FULL_SCRAPE_ADDRESSES) throw new ClientError('too many full scrapes: try again later');
    this.fetched.set(a, n + 1);
  }

  /** The rebuild under way, or a new one started at `now`. */
  private rebuild(now: number): Promise<Buffer> {
    if (this.building !== null) return this.building;
    const p = this.build().then((b) => {
      this.reply = b;
      this.builtAt = now;
      return b;
    });
    this.building = p;
    p.then(() => { this.building = null; }, (err: unknown) => {
      this.building = null;
      this.opts.onError?.(err);
    });
    return p;
  }

  /**
   * Counts of every registered torrent, keyed in byte order as bencode wants a dict: the hashes go
   * into 256 buckets by their first byte and each bucket is sorted alone, so no step sorts them all.
   */
  private async build(): Promise<Buffer> {
    const buckets: string[][] = Array.from({ length: 256 }, () => []);
    let n = 0;
    for (const h of this.registered) {
      buckets[(hexValue(h.charCodeAt(0)) << 4) | hexValue(h.charCodeAt(1))].push(h);
      if (++n % FULL_SCRAPE_CHUNK === 0) await nextTurn();
    }
    const parts: Buffer[] = [];
    let chunk: string[] = [];
    for (const bucket of buckets) {
      bucket.sort();
      for (const h of bucket) {
        chunk.push(h);
        if (chunk.length === FULL_SCRAPE_CHUNK) {
          parts.push(await this.encode(chunk));
          chunk = [];
        }
      }
    }
    if (chunk.length > 0) parts.push(await this.encode(chunk));
    return encodeScrapeReply(parts, this.opts.intervalSeconds);
  }

  /** One step: the counts of `hashes`, encoded; then the next event-loop turn. */
  private async encode(hashes: string[]): Promise<Buffer> {
    const counts = await this.store.scrape(hashes);
    const files = encodeScrapeFiles(hashes, counts);
    if (this.store.sync) await nextTurn();
    return files;
  }
}
