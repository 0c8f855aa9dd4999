// The port through which publishing stores a torrent's row: TypeORM in the server
// (publish-torrent.ts), plain SQL in the command line (db/direct/torrent-rows.ts). No TypeORM here.
import type { TorrentFormat } from '../torrent/format.js';
import type { Metainfo, TorrentFileEntry } from '../torrent/metainfo.js';

/** A torrent row about to be inserted, with its files in metainfo order. */
export interface NewTorrent {
  infoHash: string;
  name: string;
  totalSize: number;
  pieceLength: number;
  pieceCount: number;
  multiFile: boolean;
  hosted: boolean;
  description: string | null;
  ownerId: number | null;
  /** The .torrent file as served. */
  metainfo: Buffer;
  createdAt: Date;
  files: TorrentFileEntry[];
  /**
   * Published torrents: the format made (v1 when absent) and, for v2/hybrid, the SHA-256 info hash
   * (64 hex). TODO(lead, issue 17): the registration half (wt-v2track) stores these in the torrent
   * row's `format` / `infoHashV2` columns; insertTorrent (and db/direct/torrent-rows.ts) ignore them until then.
   */
  format?: TorrentFormat;
  infoHashV2?: string | null;
}

export interface TorrentRows {
  /**
   * Inserts the row and its files and bumps the `torrents` change counter, in one transaction.
   * Resolves false, changing nothing, when the info_hash is already registered.
   */
  insert(t: NewTorrent): Promise<boolean>;
  /** Deletes a row inserted by `insert` (its files with it) and bumps the counter again. */
  remove(infoHash: string): Promise<void>;
}

/** The row for a parsed metainfo. */
export function newTorrent(meta: Metainfo, metainfo: Buffer, hosted: boolean, description: string | null, ownerId: number | null = null): NewTorrent {
  return {
    infoHash: meta.infoHash, name: meta.name, totalSize: meta.totalSize, pieceLength: meta.pieceLength, pieceCount: meta.pieceCount,
    multiFile: meta.multiFile, hosted, description, ownerId, metainfo, createdAt: new Date(),
    files: meta.files.map((f) => ({ path: f.path, length: f.length })),
  };
}
