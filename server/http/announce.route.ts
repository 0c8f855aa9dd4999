// GET /announce: raw query -> parseAnnounce -> handleAnnounce -> bencoded reply. No framework.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BlockList } from 'node:net';
import type { Logger } from 'pino';
import { handleAnnounce } from '../tracker/announce.js';
import { parseAnnounce } from '../tracker/parse-announce.js';
import type { TrackerContext } from '../tracker/tracker-context.js';
import { announceIp, resolveClientIp } from './client-ip.js';
import { sendBencoded, sendFailure } from './tracker-response.js';

export interface TrackerRouteDeps {
  tracker: TrackerContext;
  trustedProxies: BlockList | undefined;
  log: Logger;
}

/** Answers one announce; `query` is the raw query string without `?`. Never throws. */
export function serveAnnounce(req: IncomingMessage, res: ServerResponse, query: string, deps: TrackerRouteDeps): void {
  try {
    const a = parseAnnounce(query);
    const ip = announceIp(resolveClientIp(req, deps.trustedProxies), a.ip, deps.trustedProxies);
    const body = handleAnnounce(a, ip, deps.tracker);
    if (!(body instanceof Promise)) sendBencoded(res, body);
    else body.then((b) => sendBencoded(res, b), (e) => sendFailure(res, e, deps.log));
  } catch (e) {
    sendFailure(res, e, deps.log);
  }
}
