// Bounds of the WebSocket tracker (docs/ws-tracker.md, docs/limits.md). Each is a constant; tests
// shorten the time-based ones through setWsTrackerTimings.

/** Largest message; a larger one closes the socket with 1009 before it is buffered (ws maxPayload). */
export const WS_TRACKER_MAX_MESSAGE_BYTES = 64 * 1024;
/** Offers relayed per announce; more are ignored (webtorrent sends at most 5, bittorrent-tracker relays up to 20). */
export const WS_MAX_OFFERS_RELAYED = 10;
/** Tracker sockets per client address (IPv6: per /64); more are refused with HTTP 429 before the handshake. */
export const WS_TRACKER_SOCKETS_PER_ADDRESS = 32;
/** Tracker sockets in all; more are refused with HTTP 503 before the handshake. */
export const WS_TRACKER_MAX_SOCKETS = 100_000;
/** Torrents one socket may be a member of (webtorrent shares one socket among a page's torrents). */
export const WS_TRACKER_SWARMS_PER_SOCKET = 100;
/** Announces (and scrapes) a socket may send at once, refilled at one per WS_ANNOUNCE_REFILL_MS. */
export const WS_ANNOUNCE_BURST = 20;
export const WS_ANNOUNCE_REFILL_MS = 2_000;
/** Answers a socket may send at once (each answers an offer relayed to it), refilled at WS_ANSWERS_PER_SECOND. */
export const WS_ANSWER_BURST = 100;
export const WS_ANSWERS_PER_SECOND = 10;
/** Messages refused for rate after which the socket is closed (1008). */
export const WS_RATE_STRIKES = 20;
/** Announces or scrapes of unregistered info hashes after which the socket is closed (1008). */
export const WS_UNKNOWN_STRIKES = 5;
/** Relays to a socket whose send buffer holds more than this are dropped (a reader that does not read). */
export const WS_MAX_BUFFERED_BYTES = 1024 * 1024;
/** The `interval` sent (seconds), capped by ANNOUNCE_INTERVAL: offers expire in webtorrent after 50 s, so browsers reannounce often. */
export const WS_ANNOUNCE_INTERVAL = 120;

export const timings = {
  /** A socket with no message for this long is closed (1000, 'idle'): webtorrent reannounces every interval. */
  idleMs: 5 * 60_000,
  /** How often idle sockets are looked for. */
  sweepMs: 30_000,
};

/** Shortens the idle time and the sweep for trackers started from now on (tests). */
export function setWsTrackerTimings(t: Partial<typeof timings>): void {
  Object.assign(timings, t);
}
