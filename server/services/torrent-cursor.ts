// Opaque page cursors of the torrent catalogue: base64url JSON, validated field by field on the
// way back in, so a forged cursor is refused as BAD_USER_INPUT and never reaches SQL as a value
// it cannot hold (Infinity, a fraction, an object).

/**
 * Keyset (sort value + id) for database orders, so a torrent added while someone pages shifts
 * nothing; an offset for the live SEEDERS order, which only memory knows.
 */
export type Cursor = { k: string | number; i: number } | { o: number };

/** Longest cursor accepted, in characters: a NAME key of 1,024 characters escaped, in base64. */
export const MAX_CURSOR_LENGTH = 12_000;

/** What the sort key of an order is: a whole number (ids, sizes) or text (names). */
export type KeyKind = 'number' | 'string';

export const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify(c)).toString('base64url');

const wholeNumber = (v: unknown, min: number): v is number => Number.isSafeInteger(v) && (v as number) >= min;

/**
 * The cursor of `cursor`, for an order whose keys are `kind` (null: the offset order); null when
 * it is not one this server could have written, or belongs to another order.
 */
export function decodeCursor(cursor: string, kind: KeyKind | null): Cursor | null {
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]*$/.test(cursor)) return null;
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return null;
  const { o, k, i } = c as Record<string, unknown>;
  if (kind === null) return wholeNumber(o, 0) && Object.keys(c).length === 1 ? { o } : null;
  if (!wholeNumber(i, 1) || Object.keys(c).length !== 2) return null;
  if (kind === 'number' ? !wholeNumber(k, 0) : typeof k !== 'string') return null;
  return { k: k as string | number, i };
}

/** The cursor of a file page: the file's position, in decimal. */
export const fileCursor = (position: number): string => String(position);

/** The position of a file cursor, or null when it is not one (digits only, below 2^31). */
export function decodeFileCursor(cursor: string): number | null {
  if (!/^(0|[1-9]\d{0,9})$/.test(cursor)) return null;
  const n = Number(cursor);
  return n < 2 ** 31 ? n : null;
}
