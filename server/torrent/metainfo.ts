// The metainfo a tracker keeps about a torrent (BEP 3 v1, BEP 52 v2 or hybrid), independent of where it came from.
import type { PackedFiles } from './packed-files.js';

/** v1: SHA-1 pieces only; v2: merkle trees only; hybrid: both, over the same files. */
export type TorrentFormat = 'v1' | 'v2' | 'hybrid';

/** One file of a torrent; `path` is relative to the torrent's root, `/`-separated. */
export interface TorrentFileEntry {
  path: string;
  length: number;
}

export interface Metainfo {
  /**
   * 40 lowercase hex characters: the SHA-1 of the bencoded info dict (v1, hybrid), or for a v2-only
   * torrent its SHA-256 cut to 20 bytes, which v2 peers announce (BEP 52).
   */
  infoHash: string;
  /** SHA-256 of the bencoded info dict, 64 lowercase hex characters; null or absent for v1. */
  infoHashV2?: string | null;
  /** Absent: v1. */
  format?: TorrentFormat;
  name: string;
  pieceLength: number;
  pieceCount: number;
  totalSize: number;
  /** A single-file torrent has one entry whose path is its name. */
  files: TorrentFileEntry[];
  /** The same list packed, when it came from another thread packed (then `files` unpacks on first read). */
  packedFiles?: PackedFiles;
  multiFile: boolean;
  private: boolean;
}
