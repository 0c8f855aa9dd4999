// BEP 15 datagrams: the connect, announce and scrape requests parsed from the bytes a client
// sent, and the replies (connect, announce, scrape, error) written big-endian as BEP 15 lays them
// out; BEP 41 options (URL data) after an announce. No socket here: bytes in, values or bytes out.
import type { AnnounceEvent, AnnounceRequest } from '../tracker/announce-request.js';
import { counterFromWords } from '../tracker/counter.js';
import { ClientError } from '../tracker/errors.js';
import { DEFAULT_NUMWANT, MAX_NUMWANT } from '../tracker/parse-announce.js';

/** BEP 15's magic constant opening a connect request (0x41727101980), as two 32-bit words. */
export const PROTOCOL_ID_HI = 0x417, PROTOCOL_ID_LO = 0x27101980;
export const CONNECT = 0, ANNOUNCE = 1, SCRAPE = 2, ERROR = 3;
/** connection_id (8), action (4), transaction_id (4): every request starts so; shorter datagrams are dropped. */
export const HEADER_BYTES = 16;
export const ANNOUNCE_BYTES = 98;
/** BEP 15: "up to about 74 torrents can be scraped at once" (a reply of 8 + 74 * 12 bytes). */
export const MAX_SCRAPE_HASHES = 74;
/** URL data (BEP 41) kept per announce; a longer path is cut here. */
export const MAX_URL_DATA_BYTES = 1024;
/**
 * Peers in one reply to an IPv6 client: 66 * 18 + 20 bytes fit a 1,280-byte IPv6 minimum MTU
 * (opentracker's OT_MAX_PEERS_UDP6 is the same); IPv4 replies take MAX_NUMWANT (200 * 6 + 20 bytes).
 */
export const MAX_PEERS_UDP6 = 66;

const EVENTS: readonly AnnounceEvent[] = ['', 'completed', 'started', 'stopped'];

/** The action of a datagram of at least HEADER_BYTES. */
export function actionOf(msg: Buffer): number {
  return msg.readUInt32BE(8);
}

/** True when a datagram is a connect request (the protocol id and action 0). */
export function isConnect(msg: Buffer): boolean {
  return msg.readUInt32BE(0) === PROTOCOL_ID_HI && msg.readUInt32BE(4) === PROTOCOL_ID_LO && msg.readUInt32BE(8) === CONNECT;
}

/** BEP 41 options from `at`: URL data parts joined; undefined when none. Stops at EndOfOptions or a cut option. */
function urlDataOf(msg: Buffer, at: number): string | undefined {
  let parts: string | undefined;
  while (at < msg.length) {
    const type = msg[at];
    if (type === 0) break; // EndOfOptions
    if (type === 1) { at++; continue; } // NOP
    if (at + 1 >= msg.length) break;
    const len = msg[at + 1];
    const end = at + 2 + len;
    if (end > msg.length) break;
    if (type === 2) {
      const piece = msg.toString('latin1', at + 2, end);
      parts = parts === undefined ? piece : parts + piece;
      if (parts.length > MAX_URL_DATA_BYTES) return parts.slice(0, MAX_URL_DATA_BYTES);
    }
    at = end; // unknown options carry a length too (BEP 41)
  }
  return parts;
}

/** The key as 8 lowercase hex digits, the form libtorrent sends over HTTP, so both protocols name one peer alike. */
function keyText(key: number): string {
  const s = key.toString(16);
  return s.length === 8 ? s : '0'.repeat(8 - s.length) + s;
}

/**
 * Parses an announce datagram (BEP 15, with BEP 41 options after byte 98). `v6` caps num_want at
 * MAX_PEERS_UDP6; -1 (and any negative value) is the default. The IP address field is ignored:
 * the sender's address is the peer's. Throws ClientError for a short packet, a bad event or port 0.
 */
export function parseUdpAnnounce(msg: Buffer, v6: boolean): AnnounceRequest {
  if (msg.length < ANNOUNCE_BYTES) throw new ClientError('malformed announce: too short');
  const ev = msg.readUInt32BE(80);
  if (ev > 3) throw new ClientError('invalid event');
  const port = msg.readUInt16BE(96);
  if (port === 0) throw new ClientError('invalid port: must be 1 to 65535');
  const max = v6 ? MAX_PEERS_UDP6 : MAX_NUMWANT;
  const want = msg.readInt32BE(92);
  const numwant = want < 0 ? DEFAULT_NUMWANT : want > max ? max : want;
  const peerId = msg.subarray(36, 56); // a view: each datagram arrives in a Buffer of its own
  const req: AnnounceRequest = {
    infoHash: msg.toString('hex', 16, 36), peerId, port,
    downloaded: counterFromWords(msg.readUInt32BE(56), msg.readUInt32BE(60)),
    left: counterFromWords(msg.readUInt32BE(64), msg.readUInt32BE(68)),
    uploaded: counterFromWords(msg.readUInt32BE(72), msg.readUInt32BE(76)),
    event: EVENTS[ev], numwant, compact: true, noPeerId: true, ip: null, key: keyText(msg.readUInt32BE(88)),
  };
  if (msg.length > ANNOUNCE_BYTES) req.urlData = urlDataOf(msg, ANNOUNCE_BYTES);
  return req;
}

/** The info_hashes (lowercase hex) of a scrape datagram, in order; throws ClientError for none, more than 74, or a cut hash. */
export function parseUdpScrape(msg: Buffer): string[] {
  const bytes = msg.length - HEADER_BYTES;
  if (bytes === 0) throw new ClientError('scrape needs at least one info_hash');
  if (bytes % 20 !== 0) throw new ClientError('malformed scrape: info_hashes are 20 bytes each');
  if (bytes / 20 > MAX_SCRAPE_HASHES) throw new ClientError(`too many info_hashes: at most ${MAX_SCRAPE_HASHES}`);
  const out: string[] = [];
  for (let o = HEADER_BYTES; o < msg.length; o += 20) out.push(msg.toString('hex', o, o + 20));
  return out;
}

/** Bytes before the peers of an announce reply: action, transaction id, interval, leechers, seeders. */
export const ANNOUNCE_HEADER_BYTES = 20;

/** The request's transaction id (msg[12..16)) into b[4..8) (byte by byte: Buffer#copy of a part allocates a view). */
function copyTransactionId(msg: Buffer, b: Buffer): void {
  b[4] = msg[12]; b[5] = msg[13]; b[6] = msg[14]; b[7] = msg[15];
}

/** Connect reply: action 0, the request's transaction id, the connection id (16 bytes, as long as the request). */
export function encodeConnect(msg: Buffer, connectionId: Buffer): Buffer {
  const b = Buffer.allocUnsafe(16);
  b.writeUInt32BE(CONNECT, 0);
  copyTransactionId(msg, b);
  for (let i = 0; i < 8; i++) b[8 + i] = connectionId[i];
  return b;
}

/** Writes an announce reply's first ANNOUNCE_HEADER_BYTES into b: action 1, transaction id, interval, leechers, seeders. */
export function writeAnnounceHeader(b: Buffer, msg: Buffer, interval: number, leechers: number, seeders: number): void {
  b.writeUInt32BE(ANNOUNCE, 0);
  copyTransactionId(msg, b);
  b.writeUInt32BE(interval, 8);
  b.writeUInt32BE(clamp32(leechers), 12);
  b.writeUInt32BE(clamp32(seeders), 16);
}

/** Announce reply: action 1, transaction id, interval, leechers, seeders, then `peersLen` bytes of compact peers. */
export function encodeAnnounce(msg: Buffer, interval: number, leechers: number, seeders: number, peers: Buffer, peersLen: number): Buffer {
  const b = Buffer.allocUnsafe(ANNOUNCE_HEADER_BYTES + peersLen);
  writeAnnounceHeader(b, msg, interval, leechers, seeders);
  peers.copy(b, ANNOUNCE_HEADER_BYTES, 0, peersLen);
  return b;
}

/** Counts do not exceed a uint32 on the wire. */
function clamp32(n: number): number {
  return n > 0xffffffff ? 0xffffffff : n;
}

/** Scrape reply: action 2, transaction id, then seeders, completed, leechers per hash, in the request's order. */
export function encodeScrape(msg: Buffer, counts: readonly { complete: number; downloaded: number; incomplete: number }[]): Buffer {
  const b = Buffer.allocUnsafe(8 + counts.length * 12);
  b.writeUInt32BE(SCRAPE, 0);
  msg.copy(b, 4, 12, 16);
  for (let i = 0, o = 8; i < counts.length; i++, o += 12) {
    b.writeUInt32BE(clamp32(counts[i].complete), o);
    b.writeUInt32BE(clamp32(counts[i].downloaded), o + 4);
    b.writeUInt32BE(clamp32(counts[i].incomplete), o + 8);
  }
  return b;
}

/**
 * Error reply: action 3, transaction id, the message; never longer than the request (`msg`), so
 * a forged source address gets no more bytes than the forger sent: the message is cut to fit.
 */
export function encodeError(msg: Buffer, message: string): Buffer {
  const text = Buffer.from(message, 'utf8');
  const room = Math.max(0, Math.min(text.length, msg.length - 8));
  const b = Buffer.allocUnsafe(8 + room);
  b.writeUInt32BE(ERROR, 0);
  msg.copy(b, 4, 12, 16);
  text.copy(b, 8, 0, room);
  return b;
}
