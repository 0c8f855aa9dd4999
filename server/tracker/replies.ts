// Bencoded tracker replies (BEP 3, BEP 23 compact, BEP 7 peers6, BEP 48 scrape), each written by
// hand into one buffer: the announce replies are the hot path, and the generic encoder (the
// `bencode` package) costs 7x the whole compact announce for a dictionary-model peer list.
import { MAX_NUMWANT } from './parse-announce.js';
import type { AnnounceResult, SwarmCounts } from './peer-store.js';

/** `d14:failure reason<len>:<text>e`, the only key BEP 3 allows beside a failure. */
export function encodeFailure(reason: string): Buffer {
  const text = Buffer.from(reason, 'utf8');
  return Buffer.concat([Buffer.from(`d14:failure reason${text.length}:`, 'latin1'), text, Buffer.from('e', 'latin1')]);
}

/** The announce reply's keys before `peers`, in bencode order (a dict's keys sorted as raw bytes). */
function headOf(r: AnnounceResult, interval: number, minInterval: number): string {
  return 'd8:completei' + r.complete + 'e10:downloadedi' + r.downloaded + 'e10:incompletei' + r.incomplete +
    'e8:intervali' + interval + 'e12:min intervali' + minInterval + 'e5:peers';
}

/** Compact announce reply: keys in bencode order; `peers6` only when there are IPv6 peers. */
export function encodeCompactAnnounce(r: AnnounceResult, interval: number, minInterval: number): Buffer {
  const head = headOf(r, interval, minInterval) + r.peers4Len + ':';
  const mid = r.peers6Len > 0 ? '6:peers6' + r.peers6Len + ':' : '';
  const out = Buffer.allocUnsafe(head.length + r.peers4Len + mid.length + r.peers6Len + 1);
  let o = out.write(head, 0, 'latin1');
  o += r.peers4.copy(out, o, 0, r.peers4Len);
  if (mid.length > 0) {
    o += out.write(mid, o, 'latin1');
    o += r.peers6.copy(out, o, 0, r.peers6Len);
  }
  out[o] = 101; // 'e'
  return out;
}

/** Longest dictionary-model peer: `d2:ip39:<IPv6 text>7:peer id20:<id>4:porti65535ee`. */
const DICT_PEER_MAX = 93;
/** Room for the keys before `peers` (five counts of up to 16 digits) and the closing bytes. */
const DICT_HEAD_MAX = 256;
const dictOut = Buffer.allocUnsafe(DICT_HEAD_MAX + MAX_NUMWANT * DICT_PEER_MAX);
const IP_KEY = Buffer.from('d2:ip', 'latin1');
const PEER_ID_KEY = Buffer.from('7:peer id20:', 'latin1');
const PORT_KEY = Buffer.from('4:porti', 'latin1');
const HEX = Buffer.from('0123456789abcdef', 'latin1');

/** Decimal digits of n (0 to 99,999). */
function digits(n: number): number {
  return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : 5;
}

/** Writes n (0 to 99,999) in decimal at o; returns the offset after it. */
function writeDecimal(b: Buffer, o: number, n: number): number {
  const end = o + digits(n);
  for (let k = end - 1; k >= o; k--) {
    const q = (n / 10) | 0;
    b[k] = 48 + n - q * 10;
    n = q;
  }
  return end;
}

/** Writes the text form of the address at p (4 or 16 bytes), as a bencoded string; returns the offset after it. */
function writeIpText(b: Buffer, o: number, a: Buffer, p: number, v6: boolean): number {
  if (!v6) {
    o = writeDecimal(b, o, digits(a[p]) + digits(a[p + 1]) + digits(a[p + 2]) + digits(a[p + 3]) + 3);
    b[o++] = 58; // ':'
    for (let k = 0; k < 4; k++) {
      if (k > 0) b[o++] = 46; // '.'
      o = writeDecimal(b, o, a[p + k]);
    }
    return o;
  }
  // eight groups in lowercase hex without leading zeros, uncompressed (as decodeCompactPeer writes them)
  let len = 7;
  for (let k = 0; k < 16; k += 2) {
    const g = (a[p + k] << 8) | a[p + k + 1];
    len += g < 0x10 ? 1 : g < 0x100 ? 2 : g < 0x1000 ? 3 : 4;
  }
  o = writeDecimal(b, o, len);
  b[o++] = 58;
  for (let k = 0; k < 16; k += 2) {
    if (k > 0) b[o++] = 58;
    let g = (a[p + k] << 8) | a[p + k + 1];
    const end = o + (g < 0x10 ? 1 : g < 0x100 ? 2 : g < 0x1000 ? 3 : 4);
    for (let j = end - 1; j >= o; j--) {
      b[j] = HEX[g & 15];
      g >>>= 4;
    }
    o = end;
  }
  return o;
}

/** Writes `len` bytes of compact peers (width 6 or 18) as dictionaries {ip, peer id, port}; returns the offset after them. */
function writeDictPeers(b: Buffer, o: number, addrs: Buffer, len: number, w: number, ids: Buffer | null): number {
  for (let p = 0, i = 0; p < len; p += w, i++) {
    o += IP_KEY.copy(b, o);
    o = writeIpText(b, o, addrs, p, w === 18);
    if (ids !== null) {
      o += PEER_ID_KEY.copy(b, o);
      o += ids.copy(b, o, i * 20, i * 20 + 20);
    }
    o += PORT_KEY.copy(b, o);
    o = writeDecimal(b, o, (addrs[p + w - 2] << 8) | addrs[p + w - 1]);
    b[o++] = 101; // 'e' of the port
    b[o++] = 101; // 'e' of the peer's dict
  }
  return o;
}

/**
 * Original BEP 3 dictionary-model reply: `peers` is a list of {ip, peer id, port} (keys in bencode
 * order; `peer id` left out with no_peer_id or when the store gave no ids), IPv4 peers then IPv6.
 */
export function encodeDictAnnounce(r: AnnounceResult, interval: number, minInterval: number, noPeerId: boolean): Buffer {
  const b = dictOut;
  let o = b.write(headOf(r, interval, minInterval), 0, 'latin1');
  b[o++] = 108; // 'l'
  const withIds = !noPeerId && r.ids4.length > 0;
  o = writeDictPeers(b, o, r.peers4, r.peers4Len, 6, withIds ? r.ids4 : null);
  o = writeDictPeers(b, o, r.peers6, r.peers6Len, 18, withIds ? r.ids6 : null);
  b[o++] = 101; // end of the list
  b[o++] = 101; // end of the reply
  return Buffer.from(b.subarray(0, o));
}

/** Longest scrape entry: `20:<hash>d8:completei<n>e10:downloadedi<n>e10:incompletei<n>ee`, counts of up to 16 digits. */
const SCRAPE_ENTRY_MAX = 3 + 20 + 12 + 15 + 15 + 2 + 3 * 16;

/** The entries of a scrape reply's `files` dict (BEP 48), keyed by the raw 20-byte info_hash, in the order given. */
export function encodeScrapeFiles(hashes: readonly string[], counts: readonly SwarmCounts[]): Buffer {
  const b = Buffer.allocUnsafe(hashes.length * SCRAPE_ENTRY_MAX);
  let o = 0;
  for (let i = 0; i < hashes.length; i++) {
    const c = counts[i];
    b[o] = 50; b[o + 1] = 48; b[o + 2] = 58; // '20:'
    o += 3 + b.write(hashes[i], o + 3, 20, 'hex');
    o += b.write('d8:completei' + c.complete + 'e10:downloadedi' + c.downloaded + 'e10:incompletei' + c.incomplete + 'ee', o, 'latin1');
  }
  return b.subarray(0, o);
}

/**
 * A whole scrape reply from `files` entries (encodeScrapeFiles, in one or several parts); with
 * `minRequestInterval` (seconds) also `flags: {min_request_interval}`, as full scrapes carry it.
 */
export function encodeScrapeReply(files: readonly Buffer[], minRequestInterval?: number): Buffer {
  const tail = minRequestInterval === undefined ? 'ee' : `e5:flagsd20:min_request_intervali${minRequestInterval}eee`;
  return Buffer.concat([Buffer.from('d5:filesd', 'latin1'), ...files, Buffer.from(tail, 'latin1')]);
}

/** BEP 48 scrape reply; `files` is keyed by the raw 20-byte info_hash. */
export function encodeScrape(hashes: readonly string[], counts: readonly SwarmCounts[]): Buffer {
  return encodeScrapeReply([encodeScrapeFiles(hashes, counts)]);
}
