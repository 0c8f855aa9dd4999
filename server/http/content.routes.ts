// Routes outside the tracker: webseed content, .torrent downloads and the web UI (the Vite build
// in client/dist/, history-mode fallback to index.html for pages). Unknown paths get 404; an
// unexpected failure 500 with one log line. Webseed and .torrent replies, errors included, are
// readable from any origin, and OPTIONS there answers the CORS preflight (cors.ts).
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import nodePath from 'node:path';
import type { DataSource } from 'typeorm';
import { allowAnyOrigin, answerPreflight } from './cors.js';
import { DEFAULT_SPA_ROOT, serveSpa } from './spa.route.js';
import { serveTorrentFile } from './torrent-file.route.js';
import { serveWebseed, type WebseedDeps } from './webseed.route.js';

export interface ContentDeps extends WebseedDeps {
  ds: DataSource;
  /** Folder of the built web UI; default client/dist/ next to the compiled server (dist/server/http/ → ../../../client/dist/). */
  spaRoot?: string;
}

function send(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** The request listener for every non-tracker route. */
export function contentRoutes(deps: ContentDeps): RequestListener {
  const spaRoot = nodePath.resolve(deps.spaRoot ?? DEFAULT_SPA_ROOT) + nodePath.sep;
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const webseed = path.startsWith('/webseed/');
    if (webseed || path.startsWith('/torrents/')) {
      allowAnyOrigin(res);
      if (req.method === 'OPTIONS') return answerPreflight(req, res);
    }
    let work: Promise<void>;
    if (webseed) work = serveWebseed(req, res, path.slice('/webseed/'.length), deps);
    else if (path.startsWith('/torrents/')) work = serveTorrentFile(req, res, path.slice('/torrents/'.length), deps.ds);
    else if (path.startsWith('/')) work = serveSpa(req, res, path, spaRoot);
    else return send(res, 404, 'not found\n');
    work.catch((err) => {
      deps.log.error({ err, path }, 'request failed');
      send(res, 500, 'internal error\n');
    });
  };
}
