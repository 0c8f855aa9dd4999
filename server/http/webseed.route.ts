// GET|HEAD /webseed/<infohash>/<path>: BEP 19 (GetRight-style) content with Range, ETag,
// Last-Modified, If-None-Match and If-Range. Real HTTP statuses (404, 416); streaming with
// backpressure through fairly shared read buffers (webseed-buffers.ts) and a send timeout, never a
// whole-file read. A single-file torrent's file is also at the url-list URL itself
// (`/webseed/<infohash>/`), which WebTorrent fetches without appending the name.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { HostedFiles } from '../services/hosted-files.js';
import type { FileStore } from '../storage/file-store.js';
import { addressGroup } from '../tracker/address-group.js';
import { normalizeIp } from './client-ip.js';
import { ifRangeTagHits, noneMatchHits } from './conditional.js';
import { contentDisposition, contentTypeOf, isActiveType } from './content-type.js';
import { PUBLIC_METHODS } from './cors.js';
import { parseRange } from './range.js';
import { TurnBudget } from './turn-budget.js';
import { SEND_TIMEOUT_MS, WebseedBuffers } from './webseed-buffers.js';

export interface WebseedDeps {
  hosted: HostedFiles;
  files: FileStore;
  log: Logger;
  /** Counts responses and bytes, when given. */
  stats?: WebseedStats;
  /** Read buffers; default: one pool shared by every route built without one. */
  buffers?: WebseedBuffers;
  /** Bytes written per event-loop turn by all responses; default: one budget shared by every route built without one. */
  budget?: TurnBudget;
  /** Default SEND_TIMEOUT_MS. */
  sendTimeoutMs?: number;
  /** The client address buffers are shared by (behind a trusted proxy, X-Forwarded-For's); default: the socket's. */
  clientIp?: (req: IncomingMessage) => string;
}

/** Webseed responses by final HTTP status, and body bytes handed to the sockets. */
export class WebseedStats {
  readonly byStatus = new Map<number, number>();
  bytes = 0;
  /** Responses cut by the send timeout. */
  sendTimeouts = 0;

  /** Counts one finished (or abandoned) response. */
  answered(status: number): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
  }
}

/** Decodes the path after /webseed/<hash>/ segment by segment; null for anything suspicious. */
export function decodeWebseedPath(raw: string): string | null {
  const out: string[] = [];
  for (const seg of raw.split('/')) {
    let s: string;
    try {
      s = decodeURIComponent(seg);
    } catch {
      return null;
    }
    if (s === '' || s === '.' || s === '..' || /[/\\\0]/.test(s)) return null;
    out.push(s);
  }
  return out.join('/');
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain', 'Content-Length': 10 });
  res.end('not found\n');
}

/** Serves one webseed request; `rest` is the URL path after `/webseed/` (no query). */
export async function serveWebseed(req: IncomingMessage, res: ServerResponse, rest: string, deps: WebseedDeps): Promise<void> {
  const stats = deps.stats;
  if (stats !== undefined) res.once('close', () => stats.answered(res.statusCode));
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: PUBLIC_METHODS, 'Content-Length': 0 });
    res.end();
    return;
  }
  const slash = rest.indexOf('/');
  const infoHash = (slash === -1 ? rest : rest.slice(0, slash)).toLowerCase();
  const tail = slash === -1 ? '' : rest.slice(slash + 1);
  if (!/^[0-9a-f]{40}$/.test(infoHash)) return notFound(res);
  // '' is the url-list URL itself, with or without its slash: a single-file torrent's file
  const path = tail === '' ? '' : decodeWebseedPath(tail);
  if (path === null) return notFound(res);
  const f = path === '' ? await deps.hosted.resolveRoot(infoHash) : await deps.hosted.resolve(infoHash, path) ?? await deps.hosted.padding(infoHash, path);
  if (f === null) return notFound(res);
  const lastModified = f.mtime.toUTCString();
  const name = f.path.slice(f.path.lastIndexOf('/') + 1);
  const type = contentTypeOf(name);
  const common = {
    'Accept-Ranges': 'bytes', ETag: f.etag, 'Last-Modified': lastModified,
    'Cache-Control': 'public, max-age=31536000, immutable', 'Content-Type': type,
    // a publisher's document never runs as this origin: sandboxed (an opaque origin, no script),
    // and HTML/SVG/XML downloaded rather than shown
    'Content-Disposition': contentDisposition(isActiveType(type) ? 'attachment' : 'inline', name),
    'Content-Security-Policy': 'sandbox', 'X-Content-Type-Options': 'nosniff',
  };
  if (noneMatchHits(req.headers['if-none-match'], f.etag)) {
    res.writeHead(304, { ETag: f.etag, 'Last-Modified': lastModified });
    res.end();
    return;
  }
  const ifRange = req.headers['if-range'];
  const rangeAllowed = ifRange === undefined || (typeof ifRange === 'string' && (ifRangeTagHits(ifRange, f.etag) || ifRange === lastModified));
  const range = rangeAllowed ? parseRange(req.headers.range, f.size) : null;
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...common, 'Content-Range': `bytes */${f.size}`, 'Content-Length': 0 });
    res.end();
    return;
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? f.size - 1;
  const length = end - start + 1;
  if (range !== null) res.writeHead(206, { ...common, 'Content-Range': `bytes ${start}-${end}/${f.size}`, 'Content-Length': length });
  else res.writeHead(200, { ...common, 'Content-Length': f.size });
  if (req.method === 'HEAD' || length <= 0) {
    res.end();
    return;
  }
  if (f.zeros === true) await sendZeros(res, length);
  else await sendRange(req, res, f.infoHash, f.path, start, end, deps);
}

const ZEROS = Buffer.alloc(64 * 1024);

/** `length` zero bytes (a hybrid's padding file), 64 KiB at a time as the socket takes them. */
async function sendZeros(res: ServerResponse, length: number): Promise<void> {
  for (let left = length; left > 0 && !res.destroyed;) {
    const n = Math.min(left, ZEROS.length);
    left -= n;
    if (!res.write(ZEROS.subarray(0, n)) && left > 0) await new Promise((r) => { res.once('drain', r); res.once('close', r); });
  }
  res.end();
}

const sharedBuffers = new WebseedBuffers();
const sharedBudget = new TurnBudget();

/**
 * Streams bytes start..end (inclusive) of a stored file: `pread` into a lent buffer, written, the
 * buffer returned once the socket has taken it, then the next. A socket that takes none of a chunk
 * within the send timeout is destroyed (the lease goes back at once).
 */
async function sendRange(req: IncomingMessage, res: ServerResponse, infoHash: string, path: string, start: number, end: number, deps: WebseedDeps): Promise<void> {
  const buffers = deps.buffers ?? sharedBuffers;
  const budget = deps.budget ?? sharedBudget;
  const stats = deps.stats;
  const address = addressGroup(deps.clientIp?.(req) ?? normalizeIp(req.socket.remoteAddress ?? ''));
  const gone = new AbortController();
  res.once('close', () => gone.abort());
  // a pipelined response waits for the ones before it: it takes a buffer only once it is writing
  if (res.socket === null && !(await attached(res))) return;
  let pos = start;
  try {
    while (pos <= end && !res.destroyed) {
      const want = Math.min(buffers.limits.chunkBytes, end - pos + 1);
      const lease = await buffers.take(req.socket, address, want, gone.signal);
      if (lease === null) break;
      const turn = budget.take(want);
      if (turn !== null) await turn;
      try {
        const n = await deps.files.readAt(infoHash, path, lease.buf, want, pos);
        if (n === 0 || res.destroyed) break;
        pos += n;
        if (stats !== undefined) stats.bytes += n;
        if (!(await written(res, lease.buf.subarray(0, n), deps.sendTimeoutMs ?? SEND_TIMEOUT_MS)) && !res.destroyed) {
          if (stats !== undefined) stats.sendTimeouts++;
          res.destroy();
        }
      } finally {
        // after the write callback, or after the socket closed: nothing reads the buffer any more
        lease.release();
      }
    }
    if (pos <= end) res.destroy(); // the file shrank, the client left or stalled
    else res.end();
  } catch (err) {
    deps.log.warn({ err, infoHash, path }, 'webseed read failed');
    res.destroy();
  }
}

/** Resolves true once `res` has its socket, false if it closes first. */
function attached(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => (): void => {
      res.off('socket', onSocket);
      res.off('close', onClose);
      resolve(ok);
    };
    const onSocket = done(true);
    const onClose = done(false);
    res.once('socket', onSocket);
    res.once('close', onClose);
  });
}

/** Writes `chunk`; true once the socket has taken all of it, false when it closed or `timeoutMs` passed first. */
function written(res: ServerResponse, chunk: Buffer, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      res.off('close', onClose);
      resolve(ok);
    };
    const onClose = (): void => settle(false);
    const timer = setTimeout(() => settle(false), timeoutMs);
    res.once('close', onClose);
    res.write(chunk, (err) => settle(err === null || err === undefined));
  });
}
