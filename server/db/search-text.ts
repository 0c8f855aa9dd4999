// What a torrent search matches: a torrent's name and its file paths, folded in JavaScript (NFKC,
// full lower case, ß as ss, final sigma as sigma) so that SQLite (whose LOWER knows only ASCII)
// and MySQL/MariaDB (compared byte-wise) find the same rows for any script. Stored in
// torrents.search_text: the folded name, a line feed, then the folded paths one per line, cut at
// MAX_SEARCH_TEXT_LENGTH so a search reads a bounded amount per torrent, however many files it has.

/**
 * Longest search text in UTF-16 code units: at most 3 bytes of UTF-8 each (4 for a pair), so
 * 60,000 bytes, within MySQL's TEXT. A 20,000-file torrent's later paths are not searched.
 */
export const MAX_SEARCH_TEXT_LENGTH = 20_000;

/** `s` folded for comparison: "Фото" and "фото", "STRASSE" and "straße", "ﬁ" and "fi" fold alike. */
export function foldForSearch(s: string): string {
  // upper then lower maps ß to ss; lower case of Σ at a word's end is ς, and İ lowers to i + U+0307
  return s.normalize('NFKC').toUpperCase().toLowerCase().replace(/ς/g, 'σ').replace(/i\u0307/g, 'i');
}

/** The search text of a torrent shown as `name` with these files (in metainfo order). */
export function searchText(name: string, paths: Iterable<string>): string {
  let out = foldForSearch(name);
  for (const p of paths) {
    if (out.length >= MAX_SEARCH_TEXT_LENGTH) break;
    out += `\n${foldForSearch(p)}`;
  }
  return cut(out);
}

/** The search text after the shown name changed to `name` (the paths part is kept). */
export function renamedSearchText(old: string, name: string): string {
  const nl = old.indexOf('\n');
  return cut(foldForSearch(name) + (nl === -1 ? '' : old.slice(nl)));
}

/** The LIKE pattern (escape character `!`) of a search: its folded text anywhere. */
export function searchPattern(search: string): string {
  return `%${foldForSearch(search).replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

function cut(s: string): string {
  if (s.length <= MAX_SEARCH_TEXT_LENGTH) return s;
  // never split a surrogate pair: half of one is not valid UTF-8
  const end = /[\ud800-\udbff]/.test(s[MAX_SEARCH_TEXT_LENGTH - 1]) ? MAX_SEARCH_TEXT_LENGTH - 1 : MAX_SEARCH_TEXT_LENGTH;
  return s.slice(0, end);
}
