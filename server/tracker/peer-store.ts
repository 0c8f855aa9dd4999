// The swarm store behind the tracker: the PeerStore contract every implementation (memory,
// Redis) passes, and the reusable result object announces fill. Counts follow BEP 48 names.
import type { AnnounceEvent } from './announce-request.js';
import { MAX_NUMWANT } from './parse-announce.js';

/** Seeders (`complete`), leechers (`incomplete`) and finished downloads (`downloaded`). */
export interface SwarmCounts {
  complete: number;
  incomplete: number;
  downloaded: number;
}

/** One announce as the store applies it; `ip` is already resolved and normalised. */
export interface PeerAnnounce {
  infoHash: string;
  peerId: Buffer;
  ip: string;
  port: number;
  uploaded: number;
  downloaded: number;
  left: number;
  event: AnnounceEvent;
  numwant: number;
  /** Fill AnnounceResult.ids4/ids6 too (dictionary-model replies that carry peer ids). */
  wantPeerIds: boolean;
  /**
   * The announce's `key` parameter (null or absent: none). With it, the same peer_id and key from
   * a new address of the same family moves the peer instead of adding one (peer-identity.ts).
   */
  key?: string | null;
}

/** A peer as listed for operators (GraphQL swarm, tests); never used on the announce path. */
export interface PeerInfo {
  peerId: Buffer;
  ip: string;
  port: number;
  seeder: boolean;
  uploaded: number;
  downloaded: number;
  left: number;
  /** Milliseconds since the epoch. */
  lastSeen: number;
}

const NO_IDS = Buffer.alloc(0);

/**
 * What an announce produces. Reused across requests by synchronous stores (the caller encodes it
 * before the next announce), so it holds fixed buffers: compact IPv4 peers (6 bytes each) and
 * IPv6 peers (18 bytes each, BEP 7), lengths in bytes.
 */
export class AnnounceResult {
  complete = 0;
  incomplete = 0;
  downloaded = 0;
  peers4Len = 0;
  peers6Len = 0;
  /**
   * Peer ids (20 bytes each) in the order of peers4 / peers6, filled only when asked for: empty
   * until roomForIds() (compact replies, the usual case, never pay for them).
   */
  ids4 = NO_IDS;
  ids6 = NO_IDS;
  /** The swarm's counts changed (a peer joined, left, or changed state; a download completed). */
  changed = false;
  /** This announce was a download completing (counted once per peer). */
  completedNow = false;

  /**
   * `peers4` / `peers6`: where the peers go (at least MAX_NUMWANT * 6 and * 18 bytes), e.g. views
   * into a reply buffer past its header, so a reply is written without a second copy.
   */
  constructor(
    readonly peers4: Buffer = Buffer.alloc(MAX_NUMWANT * 6),
    readonly peers6: Buffer = Buffer.alloc(MAX_NUMWANT * 18),
  ) {}

  /** Gives ids4/ids6 room for MAX_NUMWANT ids each (once per result). */
  roomForIds(): void {
    if (this.ids4.length > 0) return;
    this.ids4 = Buffer.allocUnsafe(MAX_NUMWANT * 20);
    this.ids6 = Buffer.allocUnsafe(MAX_NUMWANT * 20);
  }

  reset(): void {
    this.complete = this.incomplete = this.downloaded = 0;
    this.peers4Len = this.peers6Len = 0;
    this.changed = this.completedNow = false;
  }
}

export type MaybePromise<T> = T | Promise<T>;

/**
 * Peers one client address may hold in one swarm (default of the MAX_PEERS_PER_ADDRESS setting):
 * an IPv4 address, or an IPv6 /64 (one host is given a whole /64). Without it one address fills a
 * swarm with 65,535 ports in seconds; 8 leaves room for a few clients behind one NAT.
 */
export const MAX_PEERS_PER_ADDRESS = 8;

/**
 * Highest per-address limit a store takes: a full address's peers are read in one go on each join
 * (the Redis store: one hash field and one HMGET of their peer data), which must stay small.
 */
export const MAX_PEERS_PER_ADDRESS_CEILING = 1024;

/**
 * An address at its limit loses the least recently announced of its EVICTION_SAMPLE longest-held
 * peers: exactly the least recently announced one up to that many peers per address, and a
 * bounded cost per join (not one proportional to the limit) beyond.
 */
export const EVICTION_SAMPLE = 8;

/** Settings every PeerStore takes. */
export interface PeerStoreOptions {
  /** Default MAX_PEERS_PER_ADDRESS; 1 to MAX_PEERS_PER_ADDRESS_CEILING. */
  maxPeersPerAddress?: number;
}

/** The per-address limit of `opts`, checked. */
export function peersPerAddress(opts: PeerStoreOptions): number {
  const n = opts.maxPeersPerAddress ?? MAX_PEERS_PER_ADDRESS;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PEERS_PER_ADDRESS_CEILING) {
    throw new RangeError(`maxPeersPerAddress must be a whole number from 1 to ${MAX_PEERS_PER_ADDRESS_CEILING} (got ${n})`);
  }
  return n;
}

/**
 * Swarm state for every registered torrent. A store whose `sync` is true returns plain values
 * (the hot path then never awaits); others return promises. The store never decides whether a
 * torrent is registered: the caller checks that first. Peers are keyed by ip:port; one address
 * (IPv4 address or IPv6 /64) holds at most `maxPeersPerAddress` of one swarm: a new ip:port
 * beyond that replaces the address's least recently announced peer (EVICTION_SAMPLE), so a client
 * restarted on a new port is never locked out; found through a per-address index, never a scan.
 * A peer that sent a BEP 7 key is followed to a new ip:port of its family (peer-identity.ts).
 */
export interface PeerStore {
  readonly sync: boolean;
  /** Applies one announce and fills `out` (reset first) with counts and up to numwant peers, never the announcer. */
  announce(a: PeerAnnounce, out: AnnounceResult): MaybePromise<void>;
  /** Counts for each hash, in order; a torrent nobody announced yet has zero peers. */
  scrape(infoHashes: readonly string[]): MaybePromise<SwarmCounts[]>;
  /** Every live peer of one torrent: unbounded, for tests and tools, never for a request. */
  peers(infoHash: string): MaybePromise<PeerInfo[]>;
  /**
   * At most `limit` peers from position `offset` of the store's order (seeders then leechers,
   * IPv4 then IPv6, by slot), read without listing the rest. Positions shift as peers leave, so
   * paging a changing swarm may repeat or miss a peer.
   */
  peerPage(infoHash: string, offset: number, limit: number): MaybePromise<PeerInfo[]>;
  /** Sets the completed count a torrent starts from (loaded from the database), unless already known. */
  seedCompleted(infoHash: string, downloaded: number): MaybePromise<void>;
  /** Forgets a torrent's swarm entirely. */
  removeTorrent(infoHash: string): MaybePromise<void>;
  /** Drops peers not seen since `before` (ms since epoch); returns how many were dropped. */
  expire(before: number): MaybePromise<number>;
  /** Totals over all swarms: torrents with a swarm, peers, seeders, leechers. */
  totals(): MaybePromise<{ swarms: number; peers: number; seeders: number; leechers: number }>;
  close(): MaybePromise<void>;
}
