// The formats seedhost publishes: v1 (BEP 3, as mktorrent writes it), v2 (BEP 52 only) and hybrid
// (BEP 52 with BEP 3 pieces and BEP 47 padding files, as libtorrent 2.0 writes it).

export const TORRENT_FORMATS = ['v1', 'v2', 'hybrid'] as const;
export type TorrentFormat = (typeof TORRENT_FORMATS)[number];

/** The format named `s` (exactly `v1`, `v2` or `hybrid`), or null. */
export function parseTorrentFormat(s: string): TorrentFormat | null {
  return (TORRENT_FORMATS as readonly string[]).includes(s) ? (s as TorrentFormat) : null;
}

/**
 * The order of a v2 or hybrid torrent's files: path components compared one by one, byte-wise
 * (UTF-8), as the bencoded `file tree` lists them and libtorrent lays out hybrid `files`. (v1
 * follows mktorrent: whole paths compared byte-wise, so `a-b` comes before `a/c` there, after it here.)
 */
export function compareTreeOrder(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const c = Buffer.compare(Buffer.from(x[i], 'utf8'), Buffer.from(y[i], 'utf8'));
    if (c !== 0) return c;
  }
  return x.length - y.length;
}
