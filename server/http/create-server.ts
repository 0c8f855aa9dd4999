// The one HTTP server: /announce, /scrape and /healthz go to plain handlers (no framework on the
// hot path); everything else goes to `fallback` (GraphQL, webseed, SPA in later layers).
import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { encodeFailure } from '../tracker/replies.js';
import { serveAnnounce, type TrackerRouteDeps } from './announce.route.js';
import { serveHealth, type HealthCheck } from './health.route.js';
import { serveScrape } from './scrape.route.js';
import { sendBencoded } from './tracker-response.js';

export interface HttpDeps extends TrackerRouteDeps {
  health: HealthCheck;
  /** Every other route; default: 404. */
  fallback?: RequestListener;
}

const BAD_REQUEST = encodeFailure('malformed HTTP request');

function notFound(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'application/json' });
  res.end('{"error":"not found"}');
}

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

/** Builds (does not start) the server. */
export function createHttpServer(deps: HttpDeps): http.Server {
  const fallback = deps.fallback ?? notFound;
  const server = http.createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 0, headersTimeout: 20_000 }, (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? '' : url.slice(q + 1);
    if (path === '/announce') {
      if (!refuseOddRequest(req, res)) serveAnnounce(req, res, query, deps);
    } else if (path === '/scrape') {
      if (!refuseOddRequest(req, res)) serveScrape(req, res, query, deps);
    } else if (path === '/healthz') {
      void serveHealth(res, deps.health);
    } else {
      fallback(req, res);
    }
  });
  server.keepAliveTimeout = 30_000;
  server.timeout = 120_000;
  // A request Node cannot parse (overlong headers, garbage) still gets a bencoded answer, then close.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${BAD_REQUEST.length}\r\nConnection: close\r\n\r\n${BAD_REQUEST.toString('latin1')}`, 'latin1');
  });
  return server;
}
