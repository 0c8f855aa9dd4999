// GET|HEAD /webseed/<infohash>/<path>: BEP 19 (GetRight-style) content with Range, ETag,
// Last-Modified, If-None-Match and If-Range. Real HTTP statuses (404, 416); streaming with
// backpressure, never a whole-file read.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { HostedFiles } from '../services/hosted-files.js';
import type { FileStore } from '../storage/file-store.js';
import { parseRange } from './range.js';

export interface WebseedDeps {
  hosted: HostedFiles;
  files: FileStore;
  log: Logger;
  /** Counts responses and bytes, when given. */
  stats?: WebseedStats;
}

/** Webseed responses by final HTTP status, and body bytes handed to the sockets. */
export class WebseedStats {
  readonly byStatus = new Map<number, number>();
  bytes = 0;

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

const CHUNK = 1024 * 1024;
/** Buffers in use at once across all webseed responses: memory stays bounded however many clients read. */
const MAX_BUFFERS = 64;
const pool: Buffer[] = [];
const waiting: ((b: Buffer) => void)[] = [];
let inUse = 0;

/** A 1 MiB buffer; waits when MAX_BUFFERS are in use (clients then share the bandwidth). */
function takeBuffer(): Buffer | Promise<Buffer> {
  if (inUse >= MAX_BUFFERS) return new Promise((resolve) => waiting.push(resolve));
  inUse++;
  return pool.pop() ?? Buffer.allocUnsafeSlow(CHUNK);
}

function giveBuffer(b: Buffer): void {
  const next = waiting.shift();
  if (next !== undefined) next(b);
  else {
    inUse--;
    pool.push(b);
  }
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
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': 0 });
    res.end();
    return;
  }
  const slash = rest.indexOf('/');
  const infoHash = slash === -1 ? '' : rest.slice(0, slash).toLowerCase();
  const path = slash === -1 ? null : decodeWebseedPath(rest.slice(slash + 1));
  if (!/^[0-9a-f]{40}$/.test(infoHash) || path === null) return notFound(res);
  const f = await deps.hosted.resolve(infoHash, path);
  if (f === null) return notFound(res);
  const lastModified = f.mtime.toUTCString();
  const common = {
    'Accept-Ranges': 'bytes', ETag: f.etag, 'Last-Modified': lastModified,
    'Cache-Control': 'public, max-age=31536000, immutable', 'Content-Type': 'application/octet-stream',
  };
  if (req.headers['if-none-match'] !== undefined && req.headers['if-none-match'].split(',').some((t) => t.trim() === f.etag || t.trim() === '*')) {
    res.writeHead(304, { ETag: f.etag, 'Last-Modified': lastModified });
    res.end();
    return;
  }
  const ifRange = req.headers['if-range'];
  const rangeAllowed = ifRange === undefined || ifRange === f.etag || ifRange === lastModified;
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
  // pread into pooled 1 MiB buffers, each returned when the socket has taken it: no fresh
  // buffer per read, which made V8 collect in a loop under load (measured)
  let pos = start;
  try {
    while (pos <= end && !res.destroyed) {
      const buf = await takeBuffer();
      const n = await deps.files.readAt(infoHash, path, buf, Math.min(buf.length, end - pos + 1), pos).catch((e: unknown) => {
        giveBuffer(buf);
        throw e;
      });
      if (n === 0) {
        giveBuffer(buf);
        break;
      }
      pos += n;
      if (stats !== undefined) stats.bytes += n;
      if (!res.write(buf.subarray(0, n), () => giveBuffer(buf))) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
    }
    if (pos <= end) res.destroy(); // the file shrank or the client left
    else res.end();
  } catch (err) {
    deps.log.warn({ err, infoHash, path }, 'webseed read failed');
    res.destroy();
  }
}
