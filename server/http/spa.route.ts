// GET|HEAD of the web UI: files of the Vite build (client/dist/), hashed /assets/ cached for a
// year, index.html always revalidated, and index.html for any page URL (history-mode routing).
// Text files are served precompressed (the build writes `.br` and `.gz` beside them) to clients
// whose Accept-Encoding allows it, with `Vary: Accept-Encoding` either way.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { acceptedEncodings } from './accept-encoding.js';
import { noneMatchHits } from './conditional.js';

/** client/dist/ next to the compiled server (dist/server/http/ -> ../../../client/dist/). */
export const DEFAULT_SPA_ROOT = fileURLToPath(new URL('../../../client/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.map': 'application/json', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp',
  '.ico': 'image/x-icon', '.woff': 'font/woff', '.woff2': 'font/woff2', '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json', '.wasm': 'application/wasm',
};

/** Types the build precompresses (client/vite.config.ts); others (images, fonts) are served as they are. */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt', '.webmanifest', '.wasm']);
const SUFFIX = { br: '.br', gzip: '.gz' } as const;

/** A file of the build folder for a URL path, or null when the path is malformed or leaves the folder. */
function fileInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const file = nodePath.resolve(root, '.' + nodePath.posix.normalize('/' + decoded));
  return file.startsWith(root) ? file : null;
}

async function fileStat(file: string): Promise<{ size: number; mtime: Date } | null> {
  try {
    const st = await stat(file);
    return st.isFile() ? st : null;
  } catch {
    return null;
  }
}

/**
 * Serves the web UI: files of the build (hashed /assets/ cached for a year, index.html never
 * without revalidation), and index.html for any other GET/HEAD that accepts text/html. 404 when
 * nothing matches or no build exists.
 */
export async function serveSpa(req: IncomingMessage, res: ServerResponse, urlPath: string, root: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return notFound(res, 'not found\n');
  let file = urlPath === '/' ? nodePath.join(root, 'index.html') : fileInside(root, urlPath);
  let st = file === null ? null : await fileStat(file);
  if (st === null) {
    const wantsPage = /text\/html/.test(req.headers.accept ?? '') && !urlPath.startsWith('/assets/');
    if (!wantsPage) return notFound(res, 'not found\n');
    file = nodePath.join(root, 'index.html');
    st = await fileStat(file);
    if (st === null) return notFound(res, 'web UI not built (run npm run build)\n');
  }
  const original = file as string;
  const ext = nodePath.extname(original).toLowerCase();
  const isIndex = original === nodePath.join(root, 'index.html');
  const compressible = COMPRESSIBLE.has(ext);
  let f = original;
  let encoding: 'br' | 'gzip' | null = null;
  for (const e of compressible ? acceptedEncodings(req.headers['accept-encoding']) : []) {
    const packed = await fileStat(original + SUFFIX[e]);
    if (packed === null) continue;
    [f, st, encoding] = [original + SUFFIX[e], packed, e];
    break;
  }
  const etag = `"${st.size.toString(16)}-${Math.floor(st.mtime.getTime()).toString(16)}${encoding === null ? '' : `-${encoding}`}"`;
  const headers: Record<string, string | number> = {
    'Content-Type': TYPES[ext] ?? 'application/octet-stream',
    'Cache-Control': isIndex ? 'no-cache' : urlPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
    'Last-Modified': st.mtime.toUTCString(),
    ETag: etag,
    'X-Content-Type-Options': 'nosniff',
  };
  if (compressible) headers.Vary = 'Accept-Encoding';
  if (encoding !== null) headers['Content-Encoding'] = encoding;
  if (noneMatchHits(req.headers['if-none-match'], etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  headers['Content-Length'] = st.size;
  if (req.method === 'HEAD') {
    res.writeHead(200, headers);
    res.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(f);
    stream.once('open', () => res.writeHead(200, headers));
    stream.once('error', reject);
    res.once('close', () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(res);
  });
}


function notFound(res: ServerResponse, text: string): void {
  res.writeHead(404, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
