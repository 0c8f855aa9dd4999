// The BEP 3 info dictionary of a new torrent, laid out exactly as mktorrent writes it: single
// file {length, name, piece length, pieces}; several files {files, name, piece length, pieces}
// with files ordered by full path, byte-wise. info_hash = SHA-1 of its bencoding.
import { createHash } from 'node:crypto';
import bencode from 'bencode';
import type { TorrentFileEntry } from './metainfo.js';

/** Byte-wise (UTF-8) order of full paths, as mktorrent sorts them. */
export function compareByteWise(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** true when `files` are already in the order a torrent must list (and hash) them. */
export function isCanonicalOrder(files: readonly { path: string }[]): boolean {
  for (let i = 1; i < files.length; i++) if (compareByteWise(files[i - 1].path, files[i].path) >= 0) return false;
  return true;
}

export interface InfoInput {
  name: string;
  pieceLength: number;
  /** Concatenated 20-byte SHA-1 digests. */
  pieces: Buffer;
  /** A single-file torrent has one entry (its path is ignored; `name` names the file). */
  files: TorrentFileEntry[];
  multiFile: boolean;
}

/** The bencoded info dict and its info_hash (40 lowercase hex). */
export function encodeInfo(i: InfoInput): { bytes: Buffer; infoHash: string } {
  const info: Record<string, unknown> = { name: i.name, 'piece length': i.pieceLength, pieces: i.pieces };
  if (i.multiFile) info.files = i.files.map((f) => ({ length: f.length, path: f.path.split('/') }));
  else info.length = i.files[0].length;
  const bytes = Buffer.from(bencode.encode(info));
  return { bytes, infoHash: createHash('sha1').update(bytes).digest('hex') };
}
