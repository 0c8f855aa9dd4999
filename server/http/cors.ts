// Cross-origin reads of public content (Fetch standard, CORS protocol): the webseed and the .torrent
// files may be read by a page on any origin, PeerTube-style, so a browser client (WebTorrent in a
// page, a player) can fetch ranges and metainfo. No credentials are involved: `*` is enough and
// nothing here depends on who asks. The GraphQL API and the web UI stay same-origin (docs/clients.md).
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Methods the public routes answer; also their `Allow` header. */
export const PUBLIC_METHODS = 'GET, HEAD, OPTIONS';

/** How long (seconds) a browser may cache a preflight answer; Chromium caps it at 7,200. */
export const PREFLIGHT_MAX_AGE = 86_400;

// Content-Length, Content-Type and Last-Modified are CORS-safelisted already; listed for older browsers.
const EXPOSED = 'Accept-Ranges, Content-Range, Content-Length, Content-Type, Content-Disposition, ETag, Last-Modified';
const REQUEST_HEADERS = 'Range, If-Range, If-None-Match, If-Modified-Since, If-Match, If-Unmodified-Since, Cache-Control';

/** Sets the headers that let any origin read this reply, whatever its status (404 and 416 too). */
export function allowAnyOrigin(res: ServerResponse): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', EXPOSED);
}

/** Answers an `OPTIONS` request (a CORS preflight or a plain one) with 204 and what may be asked. */
export function answerPreflight(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(204, {
    Allow: PUBLIC_METHODS,
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': PUBLIC_METHODS,
    'Access-Control-Allow-Headers': REQUEST_HEADERS,
    'Access-Control-Max-Age': PREFLIGHT_MAX_AGE,
  });
  res.end();
}
