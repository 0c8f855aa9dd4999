// The scrape use case (BEP 48): counts for the asked info_hashes, or for every registered torrent.
import type { TrackerContext } from './tracker-context.js';
import { encodeScrape } from './replies.js';

/**
 * Returns the bencoded scrape reply. Unregistered hashes are left out; an empty request is a
 * full scrape of every registered torrent.
 */
export function handleScrape(requested: readonly string[], ctx: TrackerContext): Buffer | Promise<Buffer> {
  const hashes = requested.length === 0 ? [...ctx.registered] : requested.filter((h) => ctx.registered.has(h));
  const counts = ctx.store.scrape(hashes);
  return Array.isArray(counts) ? encodeScrape(hashes, counts) : counts.then((c) => encodeScrape(hashes, c));
}
