// Worker thread entry of parse-off-loop.ts: parses one .torrent per message, so a large file's
// decode never holds the main thread (and its announces). The file list goes back packed: as
// 20,000 objects its clone alone held the main thread tens of ms.
import { parentPort } from 'node:worker_threads';
import { packFiles, type PackedFiles } from './packed-files.js';
import { parseTorrent, TorrentError, type ParseOptions } from './parse-torrent.js';
import type { Metainfo } from './metainfo.js';

export interface ParseJob {
  id: number;
  buf: Uint8Array;
  opts: ParseOptions;
}

/** A parse's answer: the metainfo without its files (`files` empty) and the files packed, or the error. */
export type ParseReply = { id: number; meta?: Metainfo; packed?: PackedFiles; error?: string; torrentError?: boolean };

parentPort?.on('message', ({ id, buf, opts }: ParseJob) => {
  let reply: ParseReply;
  try {
    const meta = parseTorrent(buf, opts);
    const packed = packFiles(meta.files);
    meta.files = [];
    reply = { id, meta, packed };
  } catch (e) {
    reply = { id, error: (e as Error).message, torrentError: e instanceof TorrentError };
  }
  const moved = reply.packed === undefined ? [] : [reply.packed.pathLengths.buffer as ArrayBuffer, reply.packed.sizes.buffer as ArrayBuffer];
  parentPort?.postMessage(reply, moved);
});
