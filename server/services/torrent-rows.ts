// The port through which publishing stores a torrent's row: TypeORM in the server
// (publish-torrent.ts), plain SQL in the command line (db/direct/torrent-rows.ts). No TypeORM here.
import type { Metainfo, TorrentFileEntry, TorrentFormat } from '../torrent/metainfo.js';
import { lazyFiles, unpackFiles, type PackedFiles } from '../torrent/packed-files.js';

/** A torrent row about to be inserted, with its files in metainfo order. */
export interface NewTorrent {
  infoHash: string;
  /** Absent: v1 (the creation code of v1 torrents need not name it). */
  format?: TorrentFormat;
  /** 64 hex of a v2 or hybrid torrent; absent or null for v1. */
  infoHashV2?: string | null;
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
  /** The same list packed, when the metainfo came packed (then `files` unpacks on first read). */
  packedFiles?: PackedFiles;
}

/** The row's fields but its file list (which a spread would unpack). */
export function rowFields(t: NewTorrent): Omit<NewTorrent, 'files' | 'packedFiles'> {
  const { infoHash, format, infoHashV2, name, totalSize, pieceLength, pieceCount, multiFile, hosted, description, ownerId, metainfo, createdAt } = t;
  return { infoHash, format, infoHashV2, name, totalSize, pieceLength, pieceCount, multiFile, hosted, description, ownerId, metainfo, createdAt };
}

/** How many files `t` has, without unpacking a packed list. */
export const fileCount = (t: Pick<NewTorrent, 'files' | 'packedFiles'>): number => t.packedFiles?.sizes.length ?? t.files.length;

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
  const row = {
    infoHash: meta.infoHash, format: meta.format ?? 'v1', infoHashV2: meta.infoHashV2 ?? null, name: meta.name, totalSize: meta.totalSize, pieceLength: meta.pieceLength, pieceCount: meta.pieceCount,
    multiFile: meta.multiFile, hosted, description, ownerId, metainfo, createdAt: new Date(),
  };
  const packed = meta.packedFiles;
  if (packed !== undefined) return lazyFiles(Object.assign(row, { packedFiles: packed }), () => unpackFiles(packed));
  return Object.assign(row, { files: meta.files.map((f) => ({ path: f.path, length: f.length })) });
}
