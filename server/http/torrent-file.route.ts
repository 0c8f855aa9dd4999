// GET|HEAD /torrents/<infohash>.torrent: the metainfo file as registered or generated. Readable
// cross-origin (content.routes.ts sets the CORS headers and answers OPTIONS).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DataSource } from 'typeorm';
import { torrentFileOf } from '../services/hosted-files.js';
import { contentDisposition } from './content-type.js';
import { PUBLIC_METHODS } from './cors.js';

/** Serves the .torrent; 404 for anything that is not a registered info_hash, 405 for methods other than GET and HEAD. */
export async function serveTorrentFile(req: IncomingMessage, res: ServerResponse, rest: string, ds: DataSource): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: PUBLIC_METHODS, 'Content-Length': 0 });
    res.end();
    return;
  }
  const m = /^([0-9a-fA-F]{40})\.torrent$/.exec(rest);
  const t = m === null ? null : await torrentFileOf(ds, m[1].toLowerCase());
  if (t === null) {
    res.writeHead(404, { 'Content-Type': 'text/plain', 'Content-Length': 10 });
    res.end('not found\n');
    return;
  }
  res.writeHead(200, {
    'Content-Type': 'application/x-bittorrent',
    'Content-Length': t.metainfo.length,
    'Content-Disposition': contentDisposition('attachment', `${t.name}.torrent`),
    'Cache-Control': 'public, max-age=3600',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : t.metainfo);
}
