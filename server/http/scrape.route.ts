// GET /scrape (BEP 48): one or more info_hash parameters, or none for a full scrape.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseScrape } from '../tracker/parse-scrape.js';
import { handleScrape } from '../tracker/scrape.js';
import type { TrackerRouteDeps } from './announce.route.js';
import { sendBencoded, sendFailure } from './tracker-response.js';

/** Answers one scrape. Never throws. */
export function serveScrape(_req: IncomingMessage, res: ServerResponse, query: string, deps: TrackerRouteDeps): void {
  try {
    const body = handleScrape(parseScrape(query), deps.tracker);
    if (!(body instanceof Promise)) sendBencoded(res, body);
    else body.then((b) => sendBencoded(res, b), (e) => sendFailure(res, e, deps.log));
  } catch (e) {
    sendFailure(res, e, deps.log);
  }
}
