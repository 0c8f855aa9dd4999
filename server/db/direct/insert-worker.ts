// The thread that inserts large torrents into SQLite (insert-off-loop.ts): its own connection to
// the same file (WAL: the server's connection keeps reading meanwhile), the same SQL as the command
// line (torrent-rows.ts). Each job is answered with the new row's id or the error.
import { parentPort, workerData } from 'node:worker_threads';
import type { NewTorrent } from '../../services/torrent-rows.js';
import { unpackFiles, type PackedFiles } from '../../torrent/packed-files.js';
import { openSqlClient, type SqlClient } from './sql-client.js';
import { insertTorrentRow } from './torrent-rows.js';

/**
 * A torrent without its file list, which travels packed (packed-files.ts): cloning 20,000 objects
 * cost the sending thread ~9 ms.
 */
export type InsertJob = { id: number; torrent: Omit<NewTorrent, 'files' | 'packedFiles'>; packed: PackedFiles };
export type InsertReply = { id: number; rowId?: number; error?: string; code?: string };

function serve(port: NonNullable<typeof parentPort>, file: string): void {
  const opened: Promise<SqlClient | null> = openSqlClient(`sqlite:${file}`);
  const insert = async (job: InsertJob): Promise<InsertReply> => {
    try {
      const db = await opened;
      if (db === null) throw new Error('the SQLite database file does not exist');
      const m = job.torrent.metainfo; // cloning gives a Uint8Array: the driver binds Buffers
      const metainfo = Buffer.from(m.buffer, m.byteOffset, m.byteLength);
      return { id: job.id, rowId: await insertTorrentRow(db, { ...job.torrent, metainfo, files: unpackFiles(job.packed) }) };
    } catch (e) {
      const err = e as { message?: string; code?: string };
      return { id: job.id, error: err.message ?? String(e), code: err.code };
    }
  };
  port.on('message', (job: InsertJob) => void insert(job).then((reply) => port.postMessage(reply)));
}

if (parentPort !== null) serve(parentPort, (workerData as { file: string }).file);
