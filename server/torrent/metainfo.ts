// The metainfo a tracker keeps about a v1 torrent (BEP 3), independent of where it came from.

/** One file of a torrent; `path` is relative to the torrent's root, `/`-separated. */
export interface TorrentFileEntry {
  path: string;
  length: number;
}

export interface Metainfo {
  /** SHA-1 of the bencoded info dict, 40 lowercase hex characters. */
  infoHash: string;
  name: string;
  pieceLength: number;
  pieceCount: number;
  totalSize: number;
  /** A single-file torrent has one entry whose path is its name. */
  files: TorrentFileEntry[];
  multiFile: boolean;
  private: boolean;
}
