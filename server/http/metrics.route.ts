// GET /metrics: Prometheus text exposition of this process (or, in a cluster worker, of the whole
// cluster). Off (404) with METRICS=off; with METRICS_TOKEN set, only `Authorization: Bearer <token>`.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

export interface MetricsRouteDeps {
  /** The exposition text and its content type. */
  collect: () => Promise<{ text: string; contentType: string }>;
  /** When set, the bearer token a scraper must send. */
  token: string | undefined;
  log: Logger;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** True when `authorization` is `Bearer <token>`; compares in constant time (over SHA-256 digests, so lengths leak nothing). */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return timingSafeEqual(digest(m?.[1] ?? ''), digest(token)) && m !== null;
}

function send(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

/** The /metrics listener; `deps` null: metrics are off, every request gets 404. */
export function metricsRoute(deps: MetricsRouteDeps | null): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (deps === null) return send(res, 404, 'not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
    if (deps.token !== undefined && !bearerMatches(req.headers.authorization, deps.token)) {
      return send(res, 401, 'unauthorized\n', { 'WWW-Authenticate': 'Bearer realm="metrics"' });
    }
    deps.collect().then(({ text, contentType }) => {
      res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : text);
    }, (err) => {
      deps.log.error({ err }, 'metrics collection failed');
      send(res, 500, 'metrics collection failed\n');
    });
  };
}
