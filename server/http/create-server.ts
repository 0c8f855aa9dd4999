// The one HTTP server. Connections meet the tracker fast path first (plain GET /announce and
// /scrape answered from raw bytes); everything else goes through Node's http: the tracker routes
// again for odd requests, /healthz, /metrics, and `fallback` (GraphQL, webseed, SPA in later layers).
import http, { type IncomingMessage, type RequestListener, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { encodeFailure } from '../tracker/replies.js';
import { serveHealth, type HealthCheck } from './health.route.js';
import type { TrackerRouteDeps } from './tracker-answers.js';
import { installTrackerFastPath, MALFORMED, MAX_HEAD_BYTES, type FastPath, type FastPathOptions } from './tracker-fast-path.js';
import { serveTracker } from './tracker.routes.js';

export interface HttpDeps extends TrackerRouteDeps {
  health: HealthCheck;
  /** GET /metrics; default: 404. */
  metrics?: RequestListener;
  /** Every other route; default: 404. */
  fallback?: RequestListener;
  fastPath?: FastPathOptions;
}

export interface HttpServer {
  server: http.Server;
  fastPath: FastPath;
  /**
   * Answers an upgrade request that no WebSocket serves as a plain request, then closes the
   * connection (RFC 9110 §7.8 lets a server ignore Upgrade; a silent close would read as a dead
   * instance to a proxy in front).
   */
  ignoreUpgrade(req: IncomingMessage, socket: Duplex): void;
}

/** A reply to an ignored upgrade must be written within this long, or the connection is cut. */
const UPGRADE_REPLY_TIMEOUT_MS = 30_000;
const closingReply = (body: Buffer): string => `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.toString('latin1')}`;
const MALFORMED_REPLY = closingReply(MALFORMED);
const TOO_LONG_REPLY = closingReply(encodeFailure('request too long'));

function notFound(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'application/json' });
  res.end('{"error":"not found"}');
}

/**
 * The origin form of a request target: `http://host/announce?x` (absolute form, which servers must
 * accept: RFC 9112 §3.2.2) becomes `/announce?x`; anything else is returned as is.
 */
export function originForm(url: string): string {
  const c = url.charCodeAt(0);
  if (c === 47 || !/^https?:\/\//i.test(url)) return url; // '/': the usual case, tested first
  const start = url.indexOf(':') + 3;
  let end = start;
  while (end < url.length && url[end] !== '/' && url[end] !== '?' && url[end] !== '#') end++;
  return url[end] === '/' ? url.slice(end) : `/${url.slice(end)}`;
}

/** Builds (does not start) the server, with its tracker fast path. */
export function createHttpServer(deps: HttpDeps): HttpServer {
  const fallback = deps.fallback ?? notFound;
  // connections whose reply closes them: requests Node already parsed behind it are not run
  const closing = new WeakSet<Socket>();
  const listener: RequestListener = (req, res) => {
    if (closing.has(req.socket)) return; // never answered: the connection ends after the reply before
    const url = originForm(req.url ?? '/');
    req.url = url;
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (path === '/announce' || path === '/scrape') serveTracker(req, res, path, q === -1 ? '' : url.slice(q + 1), deps);
    else if (path === '/healthz') void serveHealth(res, deps.health);
    else if (path === '/metrics') (deps.metrics ?? notFound)(req, res);
    else fallback(req, res);
    if (!res.shouldKeepAlive) closing.add(req.socket);
  };
  const server = http.createServer({ maxHeaderSize: MAX_HEAD_BYTES, requestTimeout: 0, headersTimeout: 20_000 }, listener);
  server.keepAliveTimeout = 30_000;
  // By default Node's server ends a connection when the client half-closes (sends FIN): the request
  // is aborted and a reply still being prepared (webseed, UI, /metrics) is lost. With this
  // (undocumented, untyped, in Node since 0.x; tests pin it) the reply is sent, then the socket ends.
  (server as http.Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  // A request Node cannot parse (overlong headers, garbage) still gets a bencoded answer, then close
  // (the fast path hands such requests here, so both answer them alike).
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(err.code === 'HPE_HEADER_OVERFLOW' ? TOO_LONG_REPLY : MALFORMED_REPLY, 'latin1');
  });
  const fastPath = installTrackerFastPath(server, deps, deps.fastPath);
  const ignoreUpgrade = (req: IncomingMessage, duplex: Duplex): void => {
    const socket = duplex as Socket;
    socket.on('error', () => socket.destroy()); // Node's own handlers left with the upgrade
    socket.setTimeout(UPGRADE_REPLY_TIMEOUT_MS, () => socket.destroy());
    if (!req.complete) req.push(null); // no body is read: whatever follows the head is dropped
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    res.on('finish', () => {
      res.detachSocket(socket);
      socket.end();
      socket.resume(); // read on and drop, so the close is a FIN and not a reset
    });
    listener(req, res);
  };
  return { server, fastPath, ignoreUpgrade };
}
