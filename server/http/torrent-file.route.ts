// GET /torrents/<infohash>.torrent: the metainfo file as registered or generated.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DataSource } from 'typeorm';
import { torrentFileOf } from '../services/hosted-files.js';

/** Serves the .torrent; 404 for anything that is not a registered info_hash. */
export async function serveTorrentFile(req: IncomingMessage, res: ServerResponse, rest: string, ds: DataSource): Promise<void> {
  const m = /^([0-9a-fA-F]{40})\.torrent$/.exec(rest);
  const t = m === null ? null : await torrentFileOf(ds, m[1].toLowerCase());
  if (t === null) {
    res.writeHead(404, { 'Content-Type': 'text/plain', 'Content-Length': 10 });
    res.end('not found\n');
    return;
  }
  const ascii = t.name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  res.writeHead(200, {
    'Content-Type': 'application/x-bittorrent',
    'Content-Length': t.metainfo.length,
    'Content-Disposition': `attachment; filename="${ascii}.torrent"; filename*=UTF-8''${encodeURIComponent(t.name)}.torrent`,
    'Cache-Control': 'public, max-age=3600',
  });
  res.end(req.method === 'HEAD' ? undefined : t.metainfo);
}
