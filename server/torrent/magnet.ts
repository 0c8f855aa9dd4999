// Magnet links (BEP 9): exact topic, display name, length, tracker, webseed (BEP 19 `ws`) and the
// .torrent's URL as exact source (`xs`), which lets a client that reads it start with nobody seeding.

export interface MagnetInput {
  infoHash: string;
  name: string;
  totalSize: number;
  announce: string;
  /** Every tracker, in the order to try them (trackerList); undefined: `announce` alone. */
  trackers?: readonly string[];
  webseed?: string;
  /** Where the .torrent file is served (`xs`). */
  torrentUrl: string;
}

/** magnet:?xt=urn:btih:<hex>&dn=...&xl=...&tr=...(one per tracker)&ws=...&xs=... (values percent-encoded). */
export function magnetUri(m: MagnetInput): string {
  let s = `magnet:?xt=urn:btih:${m.infoHash}&dn=${encodeURIComponent(m.name)}&xl=${m.totalSize}`;
  for (const tr of m.trackers ?? [m.announce]) s += `&tr=${encodeURIComponent(tr)}`;
  if (m.webseed !== undefined) s += `&ws=${encodeURIComponent(m.webseed)}`;
  return `${s}&xs=${encodeURIComponent(m.torrentUrl)}`;
}
