// Use cases for managing torrents from the API: search and paginate, read one, edit, delete,
// with ownership rules (uploaders manage their own torrents, admins every torrent).
import type { DataSource, Repository } from 'typeorm';
import { TorrentFileEntity } from '../db/entities/torrent-file.entity.js';
import { TorrentEntity } from '../db/entities/torrent.entity.js';
import { MAX_SEARCH_TEXT_LENGTH, renamedSearchText, searchPattern, searchText } from '../db/search-text.js';
import type { FileStore } from '../storage/file-store.js';
import type { SwarmCounts } from '../tracker/peer-store.js';
import type { AuthUser } from './auth.js';
import type { CatalogEvents } from './catalog-events.js';
import { descriptionProblem, normalizeDescription, searchProblem, torrentNameProblem } from './input-limits.js';
import { removeTorrent } from './remove-torrent.js';
import { decodeCursor, decodeFileCursor, encodeCursor, fileCursor, type Cursor, type KeyKind } from './torrent-cursor.js';

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

/** Files per page of Torrent.files: the default and the most. */
export const MAX_FILE_PAGE = 1000;

const SORT: Record<Exclude<TorrentOrder, 'SEEDERS'>, { expr: string; kind: KeyKind; key: (t: TorrentEntity) => string | number }> = {
  CREATED_AT: { expr: 't.id', kind: 'number', key: (t) => t.id }, // ids grow with creation time
  NAME: { expr: 'COALESCE(t.display_name, t.name)', kind: 'string', key: (t) => t.displayName ?? t.name },
  SIZE: { expr: 't.total_size', kind: 'number', key: (t) => t.totalSize },
};

/** The cursor `after` for `order`; throws BAD_USER_INPUT for one this server did not write for it. */
function afterCursor(after: string, order: TorrentOrder): Cursor {
  const c = decodeCursor(after, order === 'SEEDERS' ? null : SORT[order].kind);
  if (c === null) throw new CatalogError('BAD_USER_INPUT', 'invalid cursor (not one from this order)');
  return c;
}

/** A page of torrents whose name or a file path contains `search` (folded: any script, any case), in the asked order. */
export async function findTorrents(ds: DataSource, q: TorrentPageQuery, counts: (hashes: string[]) => Promise<SwarmCounts[]>): Promise<TorrentPage> {
  const first = q.first ?? 20;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE) throw new CatalogError('BAD_USER_INPUT', `first must be 0 to ${MAX_PAGE}`);
  const order = q.orderBy ?? 'CREATED_AT';
  const after = q.after ? afterCursor(q.after, order) : null;
  const desc = q.descending !== false;
  const qb = ds.getRepository(TorrentEntity).createQueryBuilder('t');
  const search = q.search?.trim();
  const problem = search ? searchProblem(search) : null;
  if (problem !== null) throw new CatalogError('BAD_USER_INPUT', problem);
  if (search) {
    // '!' escapes: a backslash would need different quoting in MySQL and SQLite. Both sides are
    // folded already: MySQL compares byte-wise (its _ci collation would also ignore accents)
    const text = ds.options.type === 'better-sqlite3' ? 't.search_text' : 't.search_text COLLATE utf8mb4_bin';
    qb.where(`${text} LIKE :like ESCAPE '!'`, { like: searchPattern(search) });
  }
  const totalCount = await qb.getCount();
  if (order === 'SEEDERS') {
    const offset = after === null ? 0 : (after as { o: number }).o + 1;
    const all = await qb.clone().select(['t.id', 't.infoHash']).getMany();
    const c = await counts(all.map((t) => t.infoHash));
    const order = all.map((t, i) => ({ id: t.id, s: c[i].complete })).sort((a, b) => (desc ? b.s - a.s : a.s - b.s) || b.id - a.id);
    const ids = order.slice(offset, offset + first).map((x) => x.id);
    const loaded = ids.length === 0 ? [] : await ds.getRepository(TorrentEntity).findBy(ids.map((id) => ({ id })));
    const rows = ids.map((id) => loaded.find((t) => t.id === id) as TorrentEntity);
    return { rows, cursors: rows.map((_, i) => encodeCursor({ o: offset + i })), totalCount, hasNextPage: offset + rows.length < order.length, hasPreviousPage: offset > 0 };
  }
  const sort = SORT[order];
  if (after !== null && 'k' in after) {
    const op = desc ? '<' : '>';
    qb.andWhere(`(${sort.expr} ${op} :ck OR (${sort.expr} = :ck AND t.id ${op} :ci))`, { ck: after.k, ci: after.i });
  }
  const dir = desc ? 'DESC' : 'ASC';
  const found = await qb.orderBy(sort.expr, dir).addOrderBy('t.id', dir).limit(first + 1).getMany();
  const rows = found.slice(0, first);
  return { rows, cursors: rows.map((t) => encodeCursor({ k: sort.key(t), i: t.id })), totalCount, hasNextPage: found.length > first, hasPreviousPage: after !== null };
}

/**
 * One torrent (without its files: see torrentFiles), or null, by either hash: 40 hex is the
 * infoHash, else a hybrid's v2 hash cut to 20 bytes (a prefix of info_hash_v2); 64 hex is infoHashV2.
 */
export async function getTorrent(ds: DataSource, infoHash: string): Promise<TorrentEntity | null> {
  const h = infoHash.toLowerCase();
  const repo = ds.getRepository(TorrentEntity);
  if (h.length === 64) return repo.findOneBy({ infoHashV2: h });
  const row = await repo.findOneBy({ infoHash: h });
  if (row !== null || !/^[0-9a-f]{40}$/.test(h)) return row;
  // hex sorts as its bytes: the rows whose v2 hash starts with h lie in [h, h + 'g')
  return repo.createQueryBuilder('t').where('t.info_hash_v2 >= :lo AND t.info_hash_v2 < :hi', { lo: h, hi: `${h}g` }).getOne();
}

export interface FilePage {
  files: { path: string; length: number; cursor: string }[];
}

/**
 * A page of a torrent's files in metainfo order: `first` (default and most MAX_FILE_PAGE) after the
 * file of cursor `after`. Reads only that page. Throws BAD_USER_INPUT for a bad size or cursor.
 */
export async function torrentFiles(ds: DataSource, torrentId: number, first: number | null | undefined, after: string | null | undefined): Promise<FilePage> {
  const n = first ?? MAX_FILE_PAGE;
  if (!Number.isInteger(n) || n < 0 || n > MAX_FILE_PAGE) throw new CatalogError('BAD_USER_INPUT', `first must be 0 to ${MAX_FILE_PAGE}`);
  const from = after === null || after === undefined ? -1 : decodeFileCursor(after);
  if (from === null) throw new CatalogError('BAD_USER_INPUT', 'invalid file cursor');
  if (n === 0) return { files: [] };
  // raw rows: a page of 1,000 hydrated as entities costs several times the query itself
  const rows: { position: number | string; path: string; length: number | string }[] = await ds.getRepository(TorrentFileEntity).createQueryBuilder('f')
    .select('f.position', 'position').addSelect('f.path', 'path').addSelect('f.length', 'length')
    .where('f.torrent_id = :id AND f.position > :from', { id: torrentId, from })
    .orderBy('f.position', 'ASC').limit(n).getRawMany();
  return { files: rows.map((f) => ({ path: f.path, length: Number(f.length), cursor: fileCursor(Number(f.position)) })) };
}

/** How many files each torrent of `torrentIds` has, in their order (one query for all). */
export async function fileCounts(ds: DataSource, torrentIds: readonly number[]): Promise<number[]> {
  const rows: { id: number | string; n: number | string }[] = await ds.getRepository(TorrentFileEntity).createQueryBuilder('f')
    .select('f.torrent_id', 'id').addSelect('COUNT(*)', 'n')
    .where('f.torrent_id IN (:...ids)', { ids: [...new Set(torrentIds)] })
    .groupBy('f.torrent_id').getRawMany();
  const byId = new Map(rows.map((r) => [Number(r.id), Number(r.n)]));
  return torrentIds.map((id) => byId.get(id) ?? 0);
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
    const problem = torrentNameProblem(name);
    if (problem !== null) throw new CatalogError('BAD_USER_INPUT', problem);
    t.displayName = name === '' ? null : name;
  }
  if (patch.description !== undefined) {
    const description = patch.description === null ? null : normalizeDescription(patch.description);
    const problem = description === null ? null : descriptionProblem(description);
    if (problem !== null) throw new CatalogError('BAD_USER_INPUT', problem);
    t.description = description;
  }
  await ds.transaction(async (m) => {
    const repo = m.getRepository(TorrentEntity);
    const patchRow: Partial<TorrentEntity> = { displayName: t.displayName, description: t.description };
    if (patch.name !== undefined) patchRow.searchText = await shownNameText(m.getRepository(TorrentFileEntity), repo, t);
    await repo.update({ id: t.id }, patchRow);
  });
  return t;
}

/** The search text of `t` under its (new) shown name. */
async function shownNameText(files: Repository<TorrentFileEntity>, torrents: Repository<TorrentEntity>, t: TorrentEntity): Promise<string> {
  const name = t.displayName ?? t.name;
  const row = await torrents.createQueryBuilder('t').select('t.search_text', 'text').where('t.id = :id', { id: t.id }).getRawOne<{ text: string | null }>();
  if (row?.text != null) return renamedSearchText(row.text, name);
  // a row written before search_text existed
  const paths = await files.createQueryBuilder('f').select('f.path', 'path').where('f.torrent_id = :id', { id: t.id }).orderBy('f.position').limit(MAX_SEARCH_TEXT_LENGTH / 2).getRawMany<{ path: string }>();
  return searchText(name, paths.map((p) => p.path));
}

/** Deletes a torrent (row, swarm, content) if `actor` may. */
export async function deleteTorrent(ds: DataSource, events: CatalogEvents, files: FileStore, actor: AuthUser, infoHash: string): Promise<boolean> {
  const t = await getTorrent(ds, infoHash);
  if (t === null) throw new CatalogError('NOT_FOUND', 'no such torrent');
  assertCanManage(actor, t);
  return removeTorrent(ds, events, files, t.infoHash);
}
