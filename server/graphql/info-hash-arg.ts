// The infoHash argument of queries: 40 hex characters, any case.
import { fail } from './errors.js';

/** The lowercase hash; BAD_USER_INPUT unless `h` is 40 hex characters. */
export function infoHashArg(h: string): string {
  if (!/^[0-9a-fA-F]{40}$/.test(h)) fail('BAD_USER_INPUT', 'infoHash must be 40 hex characters');
  return h.toLowerCase();
}
