// Routes outside the tracker: webseed content and .torrent downloads (GraphQL and the web UI
// join later). Unknown paths get 404; an unexpected failure 500 with one log line.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { DataSource } from 'typeorm';
import { serveTorrentFile } from './torrent-file.route.js';
import { serveWebseed, type WebseedDeps } from './webseed.route.js';

export interface ContentDeps extends WebseedDeps {
  ds: DataSource;
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
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    let work: Promise<void>;
    if (path.startsWith('/webseed/')) work = serveWebseed(req, res, path.slice('/webseed/'.length), deps);
    else if (path.startsWith('/torrents/')) work = serveTorrentFile(req, res, path.slice('/torrents/'.length), deps.ds);
    else return send(res, 404, 'not found\n');
    work.catch((err) => {
      deps.log.error({ err, path }, 'request failed');
      send(res, 500, 'internal error\n');
    });
  };
}
