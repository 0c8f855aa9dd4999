// GET /announce and GET /scrape through Node's http (the fast path in tracker-fast-path.ts answers
// most of them before they get here; this serves HEAD, odd requests and handed-over connections).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeFailure } from '../tracker/replies.js';
import { answerAnnounce, answerScrape, type TrackerRouteDeps } from './tracker-answers.js';
import { sendBencoded } from './tracker-response.js';

/** Refuses tracker requests that are not a plain GET; returns true when it answered. */
function refuseOddRequest(req: IncomingMessage, res: ServerResponse): boolean {
  let reason: string | null = null;
  if (req.method !== 'GET' && req.method !== 'HEAD') reason = 'method not allowed: use GET';
  else if (req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0') reason = 'request body not allowed';
  if (reason === null) return false;
  res.shouldKeepAlive = false;
  sendBencoded(res, encodeFailure(reason));
  return true;
}

/** Answers an announce or scrape (`path` is exactly /announce or /scrape). Never throws. */
export function serveTracker(req: IncomingMessage, res: ServerResponse, path: string, query: string, deps: TrackerRouteDeps): void {
  if (refuseOddRequest(req, res)) return;
  const xff = req.headers['x-forwarded-for'];
  if (path === '/announce') {
    sendBencoded(res, answerAnnounce(query, req.socket.remoteAddress, typeof xff === 'string' ? xff : undefined, deps));
  } else {
    sendBencoded(res, answerScrape(query, deps, req.socket.remoteAddress, typeof xff === 'string' ? xff : undefined));
  }
}
