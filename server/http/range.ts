// HTTP Range (RFC 9110 §14) for one byte range: `bytes=a-b`, `bytes=a-`, `bytes=-n`.

export type RangeResult = { start: number; end: number } | 'unsatisfiable' | null;

/**
 * The inclusive byte range asked for, 'unsatisfiable' (answer 416), or null to send the whole
 * file (no header, a syntax we ignore, or several ranges, which RFC 9110 lets a server ignore).
 * An empty file follows nginx: a range from byte 0 or a suffix range (`bytes=0-12`, `bytes=-5`,
 * even `bytes=-0`) sends the whole, empty file (200, `Content-Length: 0`), so a client that asks
 * for "the piece's bytes of this file" gets them; one starting past 0 (`bytes=5-`) is 416.
 */
export function parseRange(header: string | undefined, size: number): RangeResult {
  if (header === undefined) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (m === null || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (size === 0) return null;
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return null;
  if (size === 0 && start === 0) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}
