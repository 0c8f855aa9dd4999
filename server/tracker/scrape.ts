// The scrape use case (BEP 48): counts for the asked info_hashes, or with none a full scrape of
// every registered torrent when the tracker offers it (full-scrape.ts).
import { ClientError } from './errors.js';
import { encodeScrape } from './replies.js';
import type { TrackerContext } from './tracker-context.js';

/**
 * Returns the bencoded scrape reply, its files in byte order of the info_hash; unregistered
 * hashes are left out. An empty request is a full scrape from the client at `clientIp`; throws
 * ClientError when full scrapes are off or that client had its share.
 */
export function handleScrape(requested: readonly string[], ctx: TrackerContext, clientIp: string): Buffer | Promise<Buffer> {
  if (requested.length === 0) {
    if (ctx.fullScrape === undefined) throw new ClientError('full scrape is off: ask for one or more info_hash');
    return ctx.fullScrape.answer(clientIp);
  }
  // lowercase hex sorts as the raw bytes do, the order bencode wants a dict's keys in
  const hashes = requested.filter((h) => ctx.registered.has(h) || ctx.v2Aliases?.has(h) === true).sort();
  // a hybrid asked for by its v2 hash reads its one swarm
  const counts = ctx.store.scrape(hashes.map((h) => swarmOf(h, ctx)));
  return Array.isArray(counts) ? encodeScrape(hashes, counts) : counts.then((c) => encodeScrape(hashes, c));
}

/** The swarm a registered or aliased announce hash counts in (scrape, announce). */
export function swarmOf(h: string, ctx: TrackerContext): string {
  return ctx.registered.has(h) ? h : ctx.v2Aliases?.get(h) ?? h;
}
