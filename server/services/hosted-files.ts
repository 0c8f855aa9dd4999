// Finds the stored file behind a webseed path. The path is matched against the torrent's own file
// list (never joined onto a directory), so no URL can reach outside a torrent. File lists are
// cached per torrent (bounded), and forgotten when a torrent is removed.
import type { DataSource } from 'typeorm';
import { TorrentFileEntity } from '../db/entities/torrent-file.entity.js';
import { TorrentEntity } from '../db/entities/torrent.entity.js';
import type { FileStore } from '../storage/file-store.js';
import { storagePath } from './publish-input.js';

export interface HostedFile {
  infoHash: string;
  /** The torrent path (single file: name; several: name/path). */
  path: string;
  size: number;
  mtime: Date;
  /** Strong validator: content under an info_hash never changes. */
  etag: string;
  /** A BEP 47 padding file of a hybrid torrent: `size` zero bytes, nothing stored. */
  zeros?: boolean;
}

/** `<name>/.pad/<N>`: where libtorrent puts a hybrid's padding files (N without leading zeros). */
const PAD_PATH = /^(.+)\/\.pad\/([1-9][0-9]{0,9})$/;

const CACHE_LIMIT = 2000;

/** A hosted torrent's files: storage path → position; `single` is a single-file torrent's path, else null. */
interface FileList {
  paths: Map<string, number>;
  single: string | null;
  /** A multi-file hybrid torrent's name and piece length (its padding files are shorter than a piece), else null. */
  padded: { name: string; pieceLength: number; createdAt: Date } | null;
}

export class HostedFiles {
  private readonly cache = new Map<string, FileList>();
  private readonly stats = new Map<string, HostedFile>();

  constructor(private readonly ds: DataSource, private readonly files: FileStore) {}

  private async list(infoHash: string): Promise<FileList | null> {
    const cached = this.cache.get(infoHash);
    if (cached !== undefined) return cached;
    const t = await this.ds.getRepository(TorrentEntity).findOneBy({ infoHash });
    // raw rows, not entities: a 20,000-file torrent's list without hydrating 20,000 objects on the loop
    const rows = t === null || !t.hosted ? null : await this.ds.getRepository(TorrentFileEntity).createQueryBuilder('f')
      .select('f.path', 'path').addSelect('f.position', 'position').where('f.torrent_id = :id', { id: t.id }).getRawMany<{ path: string; position: number }>();
    if (t === null || rows === null) return null;
    const list: FileList = { paths: new Map(rows.map((f) => [storagePath(t.name, f.path, t.multiFile), Number(f.position)])), single: t.multiFile ? null : t.name,
      padded: t.format === 'hybrid' && t.multiFile ? { name: t.name, pieceLength: t.pieceLength, createdAt: t.createdAt } : null };
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(infoHash, list);
    return list;
  }

  /** The file at `path` of a hosted torrent, or null (unknown torrent, not hosted, no such path). */
  async resolve(infoHash: string, path: string): Promise<HostedFile | null> {
    const position = (await this.list(infoHash))?.paths.get(path);
    if (position === undefined) return null;
    // content under an info_hash never changes: stat each file once
    const key = `${infoHash}/${path}`;
    let found = this.stats.get(key);
    if (found === undefined) {
      const st = await this.files.stat(infoHash, path);
      if (st === null) return null;
      found = { infoHash, path, size: st.size, mtime: st.mtime, etag: `"${infoHash}-${position}"` };
      if (this.stats.size >= CACHE_LIMIT * 4) this.stats.delete(this.stats.keys().next().value as string);
      this.stats.set(key, found);
    }
    return found;
  }

  /**
   * A padding file of a hosted multi-file hybrid torrent (`<name>/.pad/<N>`, N below the piece
   * length): N zero bytes that a v1 client may ask a webseed for; null for any other path.
   */
  async padding(infoHash: string, path: string): Promise<HostedFile | null> {
    const m = PAD_PATH.exec(path);
    if (m === null) return null;
    const padded = (await this.list(infoHash))?.padded ?? null;
    const size = Number(m[2]);
    if (padded === null || m[1] !== padded.name || size >= padded.pieceLength) return null;
    return { infoHash, path, size, mtime: padded.createdAt, etag: `"${infoHash}-pad-${size}"`, zeros: true };
  }

  /**
   * What the torrent's root URL (the url-list entry itself) holds: a single-file torrent's one file,
   * as `resolve` gives it; null for a multi-file torrent (a folder has no bytes) or anything unknown.
   */
  async resolveRoot(infoHash: string): Promise<HostedFile | null> {
    const single = (await this.list(infoHash))?.single ?? null;
    return single === null ? null : this.resolve(infoHash, single);
  }

  forget(infoHash: string): void {
    this.cache.delete(infoHash);
    for (const k of this.stats.keys()) if (k.startsWith(`${infoHash}/`)) this.stats.delete(k);
  }
}

/** The stored .torrent file of a registered torrent, or null. */
export async function torrentFileOf(ds: DataSource, infoHash: string): Promise<{ name: string; metainfo: Buffer } | null> {
  const t = await ds.getRepository(TorrentEntity).findOne({ where: { infoHash }, select: { name: true, metainfo: true, id: true } });
  return t === null ? null : { name: t.name, metainfo: Buffer.from(t.metainfo) };
}
