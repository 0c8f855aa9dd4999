// The shape of a parsed BEP 3 announce, shared by the parser, the handler and the peer stores.

/** BEP 3 events; `paused` is BEP 21 and counts as a regular update. */
export type AnnounceEvent = 'started' | 'completed' | 'stopped' | 'paused' | '';

/** A validated announce. Byte strings are kept as they travel: info_hash as lowercase hex. */
export interface AnnounceRequest {
  /** 40 lowercase hex characters. */
  infoHash: string;
  /** The raw 20-byte peer_id. */
  peerId: Buffer;
  port: number;
  /** Bytes; the client may send up to 2^64-1, stored saturated at MAX_COUNTER (2^53-1, counter.ts). */
  uploaded: number;
  /** Bytes, saturated like `uploaded`. */
  downloaded: number;
  /** Bytes still wanted, saturated like `uploaded`: 0 is a seeder, anything else a leecher. */
  left: number;
  event: AnnounceEvent;
  /** Already capped to the tracker's maximum. */
  numwant: number;
  /** false only when the client sent compact=0. */
  compact: boolean;
  noPeerId: boolean;
  /** The `ip` parameter, or null; the HTTP layer decides whether to trust it. */
  ip: string | null;
  key: string | null;
  /**
   * BEP 41 URL data of a UDP announce (the tracker URL's path and query, e.g. `/announce`), as
   * sent; undefined over HTTP or when the client sent none. Kept for later features (keys in paths).
   */
  urlData?: string;
}
