// Magnet links (BEP 9): exact topic, display name, length, tracker, webseed (BEP 19 `ws`) and the
// .torrent's URL as exact source (`xs`), which lets a client that reads it start with nobody seeding.

import type { TorrentFormat } from './metainfo.js';

export interface MagnetInput {
  infoHash: string;
  /** Absent: v1. */
  format?: TorrentFormat;
  /** The SHA-256 info hash (64 hex) of a v2 or hybrid torrent. */
  infoHashV2?: string | null;
  name: string;
  totalSize: number;
  announce: string;
  /** Every tracker, in the order to try them (trackerList); undefined: `announce` alone. */
  trackers?: readonly string[];
  webseed?: string;
  /** Where the .torrent file is served (`xs`). */
  torrentUrl: string;
}

/**
 * BEP 52's exact topics: `urn:btih:` (SHA-1) for v1, `urn:btmh:1220` (multihash: SHA-256, 32 bytes)
 * for v2, both for a hybrid (a v1-only client reads the first, a v2 client the second).
 */
function exactTopics(m: MagnetInput): string {
  const btmh = m.infoHashV2 == null ? '' : `xt=urn:btmh:1220${m.infoHashV2}`;
  if (m.format === 'v2' && btmh !== '') return btmh;
  return m.format === 'hybrid' && btmh !== '' ? `xt=urn:btih:${m.infoHash}&${btmh}` : `xt=urn:btih:${m.infoHash}`;
}

/** magnet:?xt=...(one or two, exactTopics)&dn=...&xl=...&tr=...(one per tracker)&ws=...&xs=... (values percent-encoded). */
export function magnetUri(m: MagnetInput): string {
  let s = `magnet:?${exactTopics(m)}&dn=${encodeURIComponent(m.name)}&xl=${m.totalSize}`;
  for (const tr of m.trackers ?? [m.announce]) s += `&tr=${encodeURIComponent(tr)}`;
  if (m.webseed !== undefined) s += `&ws=${encodeURIComponent(m.webseed)}`;
  return `${s}&xs=${encodeURIComponent(m.torrentUrl)}`;
}
