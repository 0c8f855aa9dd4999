// Worker thread entry of parse-off-loop.ts: parses one .torrent per message, so a large file's
// decode never holds the main thread (and its announces).
import { parentPort } from 'node:worker_threads';
import { parseTorrent, TorrentError, type ParseOptions } from './parse-torrent.js';

export interface ParseJob {
  id: number;
  buf: Uint8Array;
  opts: ParseOptions;
}

parentPort?.on('message', ({ id, buf, opts }: ParseJob) => {
  try {
    parentPort?.postMessage({ id, meta: parseTorrent(buf, opts) });
  } catch (e) {
    parentPort?.postMessage({ id, error: (e as Error).message, torrentError: e instanceof TorrentError });
  }
});
