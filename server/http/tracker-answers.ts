// Announce and scrape answers as bytes, shared by the Node http routes and the raw fast path.
// Never throws: a ClientError becomes its `failure reason`, anything else "internal error" + a log line.
// Each answer is counted by outcome with its latency in TrackerContext.stats.
import type { BlockList } from 'node:net';
import type { Logger } from 'pino';
import { handleAnnounce } from '../tracker/announce.js';
import { ClientError } from '../tracker/errors.js';
import { parseAnnounce } from '../tracker/parse-announce.js';
import { parseScrape } from '../tracker/parse-scrape.js';
import { encodeFailure } from '../tracker/replies.js';
import { handleScrape } from '../tracker/scrape.js';
import type { TrackerContext } from '../tracker/tracker-context.js';
import { OK, outcomeOf } from '../tracker/tracker-stats.js';
import { announceIp, clientIpFrom } from './client-ip.js';

export interface TrackerRouteDeps {
  tracker: TrackerContext;
  trustedProxies: BlockList | undefined;
  log: Logger;
}

const INTERNAL = encodeFailure('internal error');

/** The bencoded failure for any thrown value; logs only unexpected ones. */
export function failureBody(err: unknown, log: Logger): Buffer {
  if (err instanceof ClientError) return encodeFailure(err.message);
  log.error({ err }, 'tracker request failed');
  return INTERNAL;
}

/** Which TrackerStats counter an answer is recorded in. */
type Counted = 'announced' | 'scraped';

/** Records a failed answer and gives its failure body. */
function failed(e: unknown, counted: Counted, start: number, deps: TrackerRouteDeps): Buffer {
  deps.tracker.stats[counted](outcomeOf(e), start);
  return failureBody(e, deps.log);
}

/** Records an answer once its body is ready (now, or when the promise settles). */
function recorded(body: Buffer | Promise<Buffer>, counted: Counted, start: number, deps: TrackerRouteDeps): Buffer | Promise<Buffer> {
  if (body instanceof Promise) {
    return body.then((b) => {
      deps.tracker.stats[counted](OK, start);
      return b;
    }, (e) => failed(e, counted, start, deps));
  }
  deps.tracker.stats[counted](OK, start);
  return body;
}

/** Body for GET /announce?query from a connection at remoteIp (X-Forwarded-For as sent, if any). */
export function answerAnnounce(query: string, remoteIp: string | undefined, xff: string | undefined, deps: TrackerRouteDeps): Buffer | Promise<Buffer> {
  const start = performance.now();
  try {
    const a = parseAnnounce(query);
    const ip = announceIp(clientIpFrom(remoteIp, xff, deps.trustedProxies), a.ip, deps.trustedProxies);
    return recorded(handleAnnounce(a, ip, deps.tracker), 'announced', start, deps);
  } catch (e) {
    return failed(e, 'announced', start, deps);
  }
}

/**
 * Body for GET /scrape?query from a connection at remoteIp (X-Forwarded-For as sent, if any); the
 * client address counts full scrapes, so a caller that passes none puts all of them on one count.
 */
export function answerScrape(query: string, deps: TrackerRouteDeps, remoteIp?: string, xff?: string): Buffer | Promise<Buffer> {
  const start = performance.now();
  try {
    const hashes = parseScrape(query);
    const ip = hashes.length === 0 ? clientIpFrom(remoteIp, xff, deps.trustedProxies) : '';
    return recorded(handleScrape(hashes, deps.tracker, ip), 'scraped', start, deps);
  } catch (e) {
    return failed(e, 'scraped', start, deps);
  }
}
