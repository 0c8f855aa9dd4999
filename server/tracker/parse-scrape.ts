// Parses a BEP 48 scrape query: zero or more info_hash parameters (none means a full scrape).
import { ClientError } from './errors.js';
import { decodeBytes, MAX_QUERY_LENGTH } from './query-string.js';

/** Most info_hashes one scrape may ask for. */
export const MAX_SCRAPE_HASHES = 128;

const scratch = Buffer.alloc(64);

/**
 * Returns the requested info_hashes as lowercase hex, duplicates removed, in request order;
 * an empty array asks for a full scrape. Throws ClientError on a malformed info_hash.
 */
export function parseScrape(query: string): string[] {
  if (query.length > MAX_QUERY_LENGTH) throw new ClientError('request too long');
  const hashes: string[] = [];
  const len = query.length;
  let i = 0;
  while (i < len) {
    let amp = query.indexOf('&', i);
    if (amp === -1) amp = len;
    if (query.startsWith('info_hash=', i) && i + 10 <= amp) {
      const n = decodeBytes(query, i + 10, amp, scratch, 'info_hash');
      if (n !== 20) throw new ClientError(`invalid info_hash: must be 20 bytes, got ${n < 0 ? 'more than 64' : n}`);
      const hex = scratch.toString('hex', 0, 20);
      if (!hashes.includes(hex)) {
        if (hashes.length === MAX_SCRAPE_HASHES) throw new ClientError(`too many info_hash values (at most ${MAX_SCRAPE_HASHES})`);
        hashes.push(hex);
      }
    }
    i = amp + 1;
  }
  return hashes;
}
