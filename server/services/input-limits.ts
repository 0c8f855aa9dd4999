// What a publisher or editor may type: caps and refused characters for torrent names, file paths,
// descriptions and searches, the same on upload, register and update. Pure: each caller throws
// its own error type with the problem this returns.

/** Longest torrent name in bytes of UTF-8: it names the content's file or folder on disk (NAME_MAX). */
export const MAX_NAME_BYTES = 255;

/**
 * Longest description in UTF-16 code units (JavaScript's length). At most 3 bytes of UTF-8 each,
 * so 60,000 bytes: within the TEXT column's 65,535 bytes on MariaDB/MySQL.
 */
export const MAX_DESCRIPTION_LENGTH = 20_000;

/** Longest search string (characters); longer ones are refused before any query. */
export const MAX_SEARCH_LENGTH = 100;

/**
 * Refused in names and paths: C0 controls (CR, LF, ESC...), DEL, C1 controls, the line and
 * paragraph separators, and the bidirectional embeddings, overrides and isolates (U+202A-202E,
 * U+2066-2069), which can make `exe.txt` look like `txt.exe`.
 */
const NAME_REFUSED = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Refused in descriptions: control characters except tab and line feed (text stays free prose, right-to-left too). */
const DESCRIPTION_REFUSED = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const codePoint = (c: string): string => `U+${(c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;

/** Why `s` cannot be a name or path component (`what` names it in the message), or null. */
export function nameProblem(s: string, what = 'name'): string | null {
  const bad = NAME_REFUSED.exec(s);
  if (bad !== null) return `${what} contains a control or direction character (${codePoint(bad[0])}), which is not allowed`;
  return null;
}

/** Why `s` cannot be a torrent name (length in bytes, characters), or null. */
export function torrentNameProblem(s: string): string | null {
  if (Buffer.byteLength(s) > MAX_NAME_BYTES) return `name is longer than ${MAX_NAME_BYTES} bytes`;
  return nameProblem(s);
}

/** A description as stored: CRLF line breaks as LF. */
export function normalizeDescription(s: string): string {
  return s.replace(/\r\n/g, '\n');
}

/** Why a (normalised) description cannot be stored, or null. */
export function descriptionProblem(s: string): string | null {
  if (s.length > MAX_DESCRIPTION_LENGTH) return `description is longer than ${MAX_DESCRIPTION_LENGTH} characters`;
  const bad = DESCRIPTION_REFUSED.exec(s);
  if (bad !== null) return `description contains a control character (${codePoint(bad[0])}); only tabs and line breaks are allowed`;
  return null;
}

/** Why `s` cannot be a search, or null. */
export function searchProblem(s: string): string | null {
  return s.length > MAX_SEARCH_LENGTH ? `search is longer than ${MAX_SEARCH_LENGTH} characters` : null;
}
