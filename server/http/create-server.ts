// The one HTTP server. Connections meet the tracker fast path first (plain GET /announce and
// /scrape answered from raw bytes); everything else goes through Node's http: the tracker routes
// again for odd requests, /healthz, /metrics, and `fallback` (GraphQL, webseed, SPA in later layers).
import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { encodeFailure } from '../tracker/replies.js';
import { serveHealth, type HealthCheck } from './health.route.js';
import type { TrackerRouteDeps } from './tracker-answers.js';
import { installTrackerFastPath, type FastPath } from './tracker-fast-path.js';
import { serveTracker } from './tracker.routes.js';

export interface HttpDeps extends TrackerRouteDeps {
  health: HealthCheck;
  /** GET /metrics; default: 404. */
  metrics?: RequestListener;
  /** Every other route; default: 404. */
  fallback?: RequestListener;
}

const BAD_REQUEST = encodeFailure('malformed HTTP request');

function notFound(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'application/json' });
  res.end('{"error":"not found"}');
}

/** Builds (does not start) the server, with its tracker fast path. */
export function createHttpServer(deps: HttpDeps): { server: http.Server; fastPath: FastPath } {
  const fallback = deps.fallback ?? notFound;
  const server = http.createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 0, headersTimeout: 20_000 }, (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (path === '/announce' || path === '/scrape') serveTracker(req, res, path, q === -1 ? '' : url.slice(q + 1), deps);
    else if (path === '/healthz') void serveHealth(res, deps.health);
    else if (path === '/metrics') (deps.metrics ?? notFound)(req, res);
    else fallback(req, res);
  });
  server.keepAliveTimeout = 30_000;
  // By default Node's server ends a connection when the client half-closes (sends FIN): the request
  // is aborted and a reply still being prepared (webseed, UI, /metrics) is lost. With this
  // (undocumented, untyped, in Node since 0.x; tests pin it) the reply is sent, then the socket ends.
  (server as http.Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  // A request Node cannot parse (overlong headers, garbage) still gets a bencoded answer, then close.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${BAD_REQUEST.length}\r\nConnection: close\r\n\r\n${BAD_REQUEST.toString('latin1')}`, 'latin1');
  });
  const fastPath = installTrackerFastPath(server, deps);
  return { server, fastPath };
}
