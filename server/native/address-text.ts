// Peer addresses as the text Node gives them (libuv's inet_ntop: dgram's rinfo, a socket's
// remoteAddress), from the bytes the native addons read (the UDP batch socket, the HTTP accept
// loop): the tracker core keys peers, connection ids and per-address limits by that text.

const cache = new Map<number, string>();
/** Addresses kept as text at most; the map starts over beyond it. */
const CACHE_MAX = 65_536;

/** a.b.c.d of an IPv4 address given as a uint32 (network order), the text of recent senders cached. */
export function ipv4Text(a: number): string {
  let s = cache.get(a);
  if (s === undefined) {
    s = `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(a, s);
  }
  return s;
}

/**
 * The 16 bytes at `at` as libuv's inet_ntop6 writes them (RFC 5952): lowercase hex groups without
 * leading zeros, the longest run of two or more zero groups (the first of equal runs) as `::`, and
 * an IPv4-compatible (::a.b.c.d) or IPv4-mapped (::ffff:a.b.c.d) address with a dotted tail.
 */
export function ipv6Text(b: Uint8Array, at: number): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push((b[at + 2 * i] << 8) | b[at + 2 * i + 1]);
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) best = -1;
  // the output loop of inet_ntop6, line for line
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (best !== -1 && i >= best && i < best + bestLen) {
      if (i === best) s += ':';
      continue;
    }
    if (i !== 0) s += ':';
    if (i === 6 && best === 0 && (bestLen === 6 || (bestLen === 7 && w[7] !== 1) || (bestLen === 5 && w[5] === 0xffff))) {
      return `${s}${b[at + 12]}.${b[at + 13]}.${b[at + 14]}.${b[at + 15]}`;
    }
    s += w[i].toString(16);
  }
  if (best !== -1 && best + bestLen === 8) s += ':';
  return s;
}
