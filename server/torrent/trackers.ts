// Which trackers a generated torrent or magnet names, and in which order (BEP 12 tiers).

/**
 * The WebSocket (webtorrent) tracker beside an HTTP announce URL: the same host and path,
 * http -> ws, https -> wss (a page served over https may only open wss).
 */
export function wsAnnounceOf(httpAnnounce: string): string {
  return httpAnnounce.replace(/^http(s?):/i, (_m, s: string) => `ws${s.toLowerCase()}:`);
}

/**
 * The trackers to list: the UDP tracker first (one datagram each way; clients try tiers in
 * order and stay on the first that answers), then HTTP, which every client speaks and which
 * clients fall back to when UDP is blocked, then the WebSocket tracker, which only browsers
 * (webtorrent) speak; clients that do not know ws:// skip it. Without a UDP URL, HTTP then WS.
 */
export function trackerList(httpAnnounce: string, udpAnnounce: string | undefined): string[] {
  const ws = wsAnnounceOf(httpAnnounce);
  return udpAnnounce === undefined ? [httpAnnounce, ws] : [udpAnnounce, httpAnnounce, ws];
}

/** BEP 12 `announce-list`: one tier per tracker, in trackerList's order; undefined for a single tracker. */
export function announceTiers(trackers: readonly string[]): string[][] | undefined {
  return trackers.length < 2 ? undefined : trackers.map((t) => [t]);
}
