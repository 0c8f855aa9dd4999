// Entity-tag comparisons of conditional requests (RFC 9110 §8.8.3.2, §13.1.2, §13.1.5).

/** The entity-tags of a list header (`"a", W/"b"`), as written; null when it does not parse. */
function entityTags(header: string): string[] | null {
  const tags: string[] = [];
  const list = header.replace(/[\s,]+$/, '');
  // etagc may be a comma, so the list is read tag by tag, not split at commas
  const re = /[\s,]*((?:W\/)?"[\x21\x23-\x7e\x80-\xff]*")[ \t]*(?:,|$)/y;
  while (re.lastIndex < list.length) {
    const m = re.exec(list);
    if (m === null) return null;
    tags.push(m[1]);
  }
  return tags;
}

const opaque = (tag: string): string => (tag.startsWith('W/') ? tag.slice(2) : tag);

/**
 * True when `If-None-Match` matches `etag` (then a GET or HEAD answers 304): `*`, or any listed
 * tag by weak comparison, so `W/"x"` matches `"x"`.
 */
export function noneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const tags = entityTags(header);
  return tags !== null && tags.some((t) => opaque(t) === opaque(etag));
}

/** True when an entity-tag `If-Range` matches `etag` by strong comparison: a weak tag never does. */
export function ifRangeTagHits(value: string, etag: string): boolean {
  return !value.startsWith('W/') && !etag.startsWith('W/') && value === etag;
}
