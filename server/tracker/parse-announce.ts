// Parses a BEP 3 announce query string (with BEP 23 compact and BEP 7/BEP 21 extras) into an
// AnnounceRequest. Every problem becomes a ClientError whose text is the `failure reason`.
import type { AnnounceEvent, AnnounceRequest } from './announce-request.js';
import { ClientError } from './errors.js';
import { parseCount } from './counter.js';
import { decodeBytes, decodeText, MAX_QUERY_LENGTH } from './query-string.js';

export const DEFAULT_NUMWANT = 50;
export const MAX_NUMWANT = 200;

const scratch = Buffer.alloc(64);

const SEEN_INFO_HASH = 1, SEEN_PEER_ID = 2, SEEN_PORT = 4, SEEN_UPLOADED = 8, SEEN_DOWNLOADED = 16,
  SEEN_LEFT = 32, SEEN_EVENT = 64, SEEN_NUMWANT = 128, SEEN_COMPACT = 256, SEEN_NO_PEER_ID = 512,
  SEEN_IP = 1024, SEEN_KEY = 2048;

/** Reads a 20-byte string parameter (info_hash, peer_id) or throws with its real length. */
function decode20(query: string, start: number, end: number, name: string): number {
  const n = decodeBytes(query, start, end, scratch, name);
  if (n !== 20) throw new ClientError(`invalid ${name}: must be 20 bytes, got ${n < 0 ? 'more than 64' : n}`);
  return n;
}

function parseEvent(query: string, start: number, end: number): AnnounceEvent {
  const v = query.slice(start, end);
  switch (v) {
    case 'started': case 'completed': case 'stopped': case 'paused': return v;
    case '': case 'empty': return '';
    default: throw new ClientError('invalid event: must be started, completed, stopped or empty');
  }
}

/**
 * Parses the raw query string of an announce (without the leading `?`).
 * Throws ClientError for a missing, doubled, or malformed parameter; unknown parameters are ignored.
 */
export function parseAnnounce(query: string, maxNumwant = MAX_NUMWANT): AnnounceRequest {
  if (query.length > MAX_QUERY_LENGTH) throw new ClientError('request too long');
  let seen = 0;
  let infoHash = '', peerId: Buffer | null = null;
  let port = 0, uploaded = 0, downloaded = 0, left = 0, numwant = DEFAULT_NUMWANT;
  let event: AnnounceEvent = '', compact = true, noPeerId = false;
  let ip: string | null = null, key: string | null = null;
  const len = query.length;
  let i = 0;
  while (i < len) {
    let amp = query.indexOf('&', i);
    if (amp === -1) amp = len;
    let eq = query.indexOf('=', i);
    if (eq === -1 || eq > amp) eq = amp;
    const vs = eq === amp ? amp : eq + 1;
    let bit = 0;
    switch (query.slice(i, eq)) {
      case 'info_hash':
        bit = SEEN_INFO_HASH; decode20(query, vs, amp, 'info_hash');
        infoHash = scratch.toString('hex', 0, 20); break;
      case 'peer_id':
        bit = SEEN_PEER_ID; decode20(query, vs, amp, 'peer_id');
        peerId = Buffer.allocUnsafe(20); scratch.copy(peerId, 0, 0, 20); break;
      case 'port':
        bit = SEEN_PORT; port = parseCount(query, vs, amp, 'port');
        if (port < 1 || port > 65535) throw new ClientError('invalid port: must be 1 to 65535');
        break;
      case 'uploaded': bit = SEEN_UPLOADED; uploaded = parseCount(query, vs, amp, 'uploaded'); break;
      case 'downloaded': bit = SEEN_DOWNLOADED; downloaded = parseCount(query, vs, amp, 'downloaded'); break;
      case 'left': bit = SEEN_LEFT; left = parseCount(query, vs, amp, 'left'); break;
      case 'event': bit = SEEN_EVENT; event = parseEvent(query, vs, amp); break;
      case 'numwant': {
        bit = SEEN_NUMWANT;
        const n = parseCount(query, vs, amp, 'numwant');
        numwant = n > maxNumwant ? maxNumwant : n; break;
      }
      case 'compact': bit = SEEN_COMPACT; compact = !(amp - vs === 1 && query.charCodeAt(vs) === 48); break;
      case 'no_peer_id': bit = SEEN_NO_PEER_ID; noPeerId = !(amp - vs === 1 && query.charCodeAt(vs) === 48); break;
      case 'ip': bit = SEEN_IP; ip = decodeText(query, vs, amp, 'ip', 64); break;
      case 'key': bit = SEEN_KEY; key = decodeText(query, vs, amp, 'key', 64); break;
      default: break;
    }
    if (bit !== 0) {
      if ((seen & bit) !== 0) throw new ClientError(`duplicate parameter ${query.slice(i, eq)}`);
      seen |= bit;
    }
    i = amp + 1;
  }
  if ((seen & SEEN_INFO_HASH) === 0) throw new ClientError('missing info_hash');
  if ((seen & SEEN_PEER_ID) === 0) throw new ClientError('missing peer_id');
  if ((seen & SEEN_PORT) === 0) throw new ClientError('missing port');
  if ((seen & SEEN_UPLOADED) === 0) throw new ClientError('missing uploaded');
  if ((seen & SEEN_DOWNLOADED) === 0) throw new ClientError('missing downloaded');
  if ((seen & SEEN_LEFT) === 0) throw new ClientError('missing left');
  return { infoHash, peerId: peerId as Buffer, port, uploaded, downloaded, left, event, numwant, compact, noPeerId, ip, key };
}
