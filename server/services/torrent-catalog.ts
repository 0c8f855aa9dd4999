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
  /** Cursor of each row, for `after`. */
  cursors: string[];
  totalCount: number;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export class CatalogError extends Error {
  constructor(readonly code: 'NOT_FOUND' | 'FORBIDDEN' | 'BAD_USER_INPUT', message: string) {
    super(message);
  }
}

export const MAX_PAGE = 100;

/**
 * Cursors: keyset (sort value + id) for database orders, so a torrent added while someone pages
 * shifts nothing; an offset for the live SEEDERS order, which only memory knows.
 */
type Cursor = { k: string | number; i: number } | { o: number };

const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify(c)).toString('base64url');

function decodeCursor(cursor: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (Number.isInteger(c?.o) && c.o >= 0) return { o: c.o };
    if (Number.isInteger(c?.i) && (typeof c.k === 'string' || typeof c.k === 'number')) return { k: c.k, i: c.i };
  } catch { /* fall through */ }
  throw new CatalogError('BAD_USER_INPUT', 'invalid cursor');
}

const SORT: Record<Exclude<TorrentOrder, 'SEEDERS'>, { expr: string; key: (t: TorrentEntity) => string | number }> = {
  CREATED_AT: { expr: 't.id', key: (t) => t.id }, // ids grow with creation time
  NAME: { expr: 'COALESCE(t.display_name, t.name)', key: (t) => t.displayName ?? t.name },
  SIZE: { expr: 't.total_size', key: (t) => t.totalSize },
};

/** A page of torrents matching `search` (name, case-insensitive), in the asked order. */
export async function findTorrents(ds: DataSource, q: TorrentPageQuery, counts: (hashes: string[]) => Promise<SwarmCounts[]>): Promise<TorrentPage> {
  const first = q.first ?? 20;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE) throw new CatalogError('BAD_USER_INPUT', `first must be 0 to ${MAX_PAGE}`);
  const after = q.after ? decodeCursor(q.after) : null;
  const desc = q.descending !== false;
  const qb = ds.getRepository(TorrentEntity).createQueryBuilder('t');
  const search = q.search?.trim();
  if (search) {
    // '!' escapes: a backslash would need different quoting in MySQL and SQLite
    const like = `%${search.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
    qb.where("LOWER(COALESCE(t.display_name, t.name)) LIKE :like ESCAPE '!'", { like });
  }
  const totalCount = await qb.getCount();
  if (q.orderBy === 'SEEDERS') {
    if (after !== null && !('o' in after)) throw new CatalogError('BAD_USER_INPUT', 'cursor is from another order');
    const offset = after === null ? 0 : (after as { o: number }).o + 1;
    const all = await qb.clone().select(['t.id', 't.infoHash']).getMany();
    const c = await counts(all.map((t) => t.infoHash));
    const order = all.map((t, i) => ({ id: t.id, s: c[i].complete })).sort((a, b) => (desc ? b.s - a.s : a.s - b.s) || b.id - a.id);
    const ids = order.slice(offset, offset + first).map((x) => x.id);
    const loaded = ids.length === 0 ? [] : await ds.getRepository(TorrentEntity).findBy(ids.map((id) => ({ id })));
    const rows = ids.map((id) => loaded.find((t) => t.id === id) as TorrentEntity);
    return { rows, cursors: rows.map((_, i) => encodeCursor({ o: offset + i })), totalCount, hasNextPage: offset + rows.length < order.length, hasPreviousPage: offset > 0 };
  }
  const sort = SORT[q.orderBy ?? 'CREATED_AT'];
  if (after !== null) {
    if ('o' in after) throw new CatalogError('BAD_USER_INPUT', 'cursor is from another order');
    const op = desc ? '<' : '>';
    qb.andWhere(`(${sort.expr} ${op} :ck OR (${sort.expr} = :ck AND t.id ${op} :ci))`, { ck: after.k, ci: after.i });
  }
  const dir = desc ? 'DESC' : 'ASC';
  const found = await qb.orderBy(sort.expr, dir).addOrderBy('t.id', dir).limit(first + 1).getMany();
  const rows = found.slice(0, first);
  return { rows, cursors: rows.map((t) => encodeCursor({ k: sort.key(t), i: t.id })), totalCount, hasNextPage: found.length > first, hasPreviousPage: after !== null };
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
