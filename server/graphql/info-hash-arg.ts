// The infoHash argument of queries: 40 hex characters, any case (torrent(infoHash:) takes 64 too).
import { fail } from './errors.js';

/** The lowercase hash; BAD_USER_INPUT unless `h` is 40 hex characters. */
export function infoHashArg(h: string): string {
  if (!/^[0-9a-fA-F]{40}$/.test(h)) fail('BAD_USER_INPUT', 'infoHash must be 40 hex characters');
  return h.toLowerCase();
}

/** The lowercase hash; BAD_USER_INPUT unless `h` is 40 hex (v1, or a v2 hash cut to 20 bytes) or 64 hex (v2) characters. */
export function anyInfoHashArg(h: string): string {
  if (!/^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/.test(h)) fail('BAD_USER_INPUT', 'infoHash must be 40 hex characters (v1, or v2 cut to 20 bytes) or 64 (v2)');
  return h.toLowerCase();
}
