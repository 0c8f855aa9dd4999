// The torrent list's search and order as they appear in the URL's query string (?q=…&sort=name&dir=asc),
// so that a reload, a shared link or the back button shows the same list.

export interface ListQuery {
  search: string;
  orderBy: 'CREATED_AT' | 'NAME' | 'SIZE' | 'SEEDERS';
  descending: boolean;
}

/** The orders offered, their URL names and default directions (newest, largest, most seeded first; names A to Z). */
export const SORTS = [
  { value: 'CREATED_AT', param: 'newest', label: 'Newest', descending: true },
  { value: 'NAME', param: 'name', label: 'Name', descending: false },
  { value: 'SIZE', param: 'size', label: 'Size', descending: true },
  { value: 'SEEDERS', param: 'seeders', label: 'Seeders', descending: true },
] as const;

type QueryValue = string | null | (string | null)[] | undefined;
const one = (v: QueryValue): string => (Array.isArray(v) ? v[0] ?? '' : v ?? '');

/** Reads a route's query; unknown values fall back to the defaults. */
export function parseListQuery(query: Record<string, QueryValue>): ListQuery {
  const sort = SORTS.find((s) => s.param === one(query.sort)) ?? SORTS[0];
  const dir = one(query.dir);
  return { search: one(query.q).trim(), orderBy: sort.value, descending: dir === 'asc' ? false : dir === 'desc' ? true : sort.descending };
}

/** The query string for a list: defaults are left out, so the plain list stays at `/`. */
export function listQueryString(q: ListQuery): Record<string, string> {
  const sort = SORTS.find((s) => s.value === q.orderBy) ?? SORTS[0];
  const out: Record<string, string> = {};
  if (q.search) out.q = q.search;
  if (sort !== SORTS[0]) out.sort = sort.param;
  if (q.descending !== sort.descending) out.dir = q.descending ? 'desc' : 'asc';
  return out;
}

/** Whether a torrent published now belongs at the top of this list (newest first, no search). */
export function newGoesOnTop(q: ListQuery): boolean {
  return q.search === '' && q.orderBy === 'CREATED_AT' && q.descending;
}
