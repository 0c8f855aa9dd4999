// Use cases for managing torrents from the API: search and paginate, read one, edit, delete,
// with ownership rules (uploaders manage their own torrents, admins every torrent).
import type { DataSource } from 'typeorm';
import { TorrentEntity } from '../db/entities/torrent.entity.js';
import type { FileStore } from '../storage/file-store.js';
import type { SwarmCounts } from '../tracker/peer-store.js';
import type { AuthUser } from './auth.js';
import type { CatalogEvents } from './catalog-events.js';
import { removeTorrent } from './remove-torrent.js';

export type TorrentOrder = 'CREATED_AT' | 'NAME' | 'SIZE' | 'SEEDERS';

export interface TorrentPageQuery {
  search?: string | null;
  first?: number | null;
  after?: string | null;
  orderBy?: TorrentOrder;
  descending?: boolean;
}

export interface TorrentPage {
  rows: TorrentEntity[];
  totalCount: number;
  /** Offset of rows[0] in the whole ordered result. */
  offset: number;
  hasNextPage: boolean;
}

export class CatalogError extends Error {
  constructor(readonly code: 'NOT_FOUND' | 'FORBIDDEN' | 'BAD_USER_INPUT', message: string) {
    super(message);
  }
}

export const MAX_PAGE = 100;

/** Opaque cursor for an offset in an ordered result. */
export function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const m = /^o:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (m === null) throw new CatalogError('BAD_USER_INPUT', 'invalid cursor');
  return Number(m[1]);
}

/** A page of torrents matching `search` (name, case-insensitive), in the asked order. */
export async function findTorrents(ds: DataSource, q: TorrentPageQuery, counts: (hashes: string[]) => Promise<SwarmCounts[]>): Promise<TorrentPage> {
  const first = q.first ?? 20;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE) throw new CatalogError('BAD_USER_INPUT', `first must be 0 to ${MAX_PAGE}`);
  const offset = q.after ? decodeCursor(q.after) + 1 : 0;
  const dir = q.descending === false ? 'ASC' : 'DESC';
  const qb = ds.getRepository(TorrentEntity).createQueryBuilder('t');
  const search = q.search?.trim();
  if (search) {
    const like = `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    qb.where("LOWER(COALESCE(t.display_name, t.name)) LIKE :like ESCAPE '\\'", { like });
  }
  const totalCount = await qb.getCount();
  let rows: TorrentEntity[];
  if (q.orderBy === 'SEEDERS') {
    // live counts are not in the database: order the matching hashes in memory, then load the page
    const all = await qb.clone().select(['t.id', 't.infoHash', 't.createdAt']).getMany();
    const c = await counts(all.map((t) => t.infoHash));
    const order = all.map((t, i) => ({ t, s: c[i].complete })).sort((a, b) => (dir === 'DESC' ? b.s - a.s : a.s - b.s) || b.t.id - a.t.id);
    const ids = order.slice(offset, offset + first).map((x) => x.t.id);
    const loaded = ids.length === 0 ? [] : await ds.getRepository(TorrentEntity).findBy(ids.map((id) => ({ id })));
    rows = ids.map((id) => loaded.find((t) => t.id === id) as TorrentEntity);
  } else {
    const column = q.orderBy === 'NAME' ? 't.name' : q.orderBy === 'SIZE' ? 't.totalSize' : 't.createdAt';
    rows = await qb.orderBy(column, dir).addOrderBy('t.id', dir).skip(offset).take(first).getMany();
  }
  return { rows, totalCount, offset, hasNextPage: offset + rows.length < totalCount };
}

/** One torrent with its files, or null. */
export function getTorrent(ds: DataSource, infoHash: string): Promise<TorrentEntity | null> {
  return ds.getRepository(TorrentEntity).findOne({ where: { infoHash: infoHash.toLowerCase() }, relations: { files: true }, order: { files: { position: 'ASC' } } });
}

/** Throws unless `actor` may manage `t`. */
export function assertCanManage(actor: AuthUser, t: TorrentEntity): void {
  if (actor.role !== 'admin' && t.ownerId !== actor.id) throw new CatalogError('FORBIDDEN', 'only the owner or an admin may change this torrent');
}

/** Changes the shown name and/or description. */
export async function updateTorrent(ds: DataSource, actor: AuthUser, infoHash: string, patch: { name?: string | null; description?: string | null }): Promise<TorrentEntity> {
  const t = await getTorrent(ds, infoHash);
  if (t === null) throw new CatalogError('NOT_FOUND', 'no such torrent');
  assertCanManage(actor, t);
  if (patch.name !== undefined) {
    const name = patch.name?.trim() ?? '';
    if (name.length > 1024) throw new CatalogError('BAD_USER_INPUT', 'name is too long');
    t.displayName = name === '' ? null : name;
  }
  if (patch.description !== undefined) {
    if ((patch.description ?? '').length > 20_000) throw new CatalogError('BAD_USER_INPUT', 'description is too long');
    t.description = patch.description;
  }
  await ds.getRepository(TorrentEntity).update({ id: t.id }, { displayName: t.displayName, description: t.description });
  return t;
}

/** Deletes a torrent (row, swarm, content) if `actor` may. */
export async function deleteTorrent(ds: DataSource, events: CatalogEvents, files: FileStore, actor: AuthUser, infoHash: string): Promise<boolean> {
  const t = await getTorrent(ds, infoHash);
  if (t === null) throw new CatalogError('NOT_FOUND', 'no such torrent');
  assertCanManage(actor, t);
  return removeTorrent(ds, events, files, t.infoHash);
}
