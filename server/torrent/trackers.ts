// Which trackers a generated torrent or magnet names, and in which order (BEP 12 tiers).

/**
 * The trackers to list: the UDP tracker first (one datagram each way; clients try tiers in
 * order and stay on the first that answers), then HTTP, which every client speaks and which
 * clients fall back to when UDP is blocked. Without a UDP URL, HTTP alone.
 */
export function trackerList(httpAnnounce: string, udpAnnounce: string | undefined): string[] {
  return udpAnnounce === undefined ? [httpAnnounce] : [udpAnnounce, httpAnnounce];
}

/** BEP 12 `announce-list`: one tier per tracker, in trackerList's order; undefined for a single tracker. */
export function announceTiers(trackers: readonly string[]): string[][] | undefined {
  return trackers.length < 2 ? undefined : trackers.map((t) => [t]);
}
