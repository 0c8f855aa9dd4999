// The BEP 3 info dictionary of a new torrent, laid out exactly as mktorrent writes it: single
// file {length, name, piece length, pieces}; several files {files, name, piece length, pieces}
// with files ordered by full path, byte-wise. info_hash = SHA-1 of its bencoding.
import { createHash } from 'node:crypto';
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

/** A bencoded string: its length in bytes of UTF-8, a colon, the text. */
const str = (s: string): string => `${Buffer.byteLength(s)}:${s}`;

/**
 * The bencoded info dict and its info_hash (40 lowercase hex). Written directly (keys in sorted
 * order, as bencode requires) rather than through bencode.encode: 20,000 files in about 10 ms
 * instead of 0.1-0.25 s, on the thread that answers announces.
 */
export function encodeInfo(i: InfoInput): { bytes: Buffer; infoHash: string } {
  const tail = `4:name${str(i.name)}12:piece lengthi${i.pieceLength}e6:pieces${i.pieces.length}:`;
  const head = i.multiFile
    ? `d5:filesl${i.files.map((f) => `d6:lengthi${f.length}e4:pathl${f.path.split('/').map(str).join('')}ee`).join('')}e${tail}`
    : `d6:lengthi${i.files[0].length}e${tail}`;
  const bytes = Buffer.concat([Buffer.from(head, 'utf8'), i.pieces, Buffer.from('e')]);
  return { bytes, infoHash: createHash('sha1').update(bytes).digest('hex') };
}
