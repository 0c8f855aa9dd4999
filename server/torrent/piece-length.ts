// Piece length choice for new torrents (BEP 3 leaves it to the creator): a power of two, at least
// 256 KiB (mktorrent's default) because webseed clients fetch about one HTTP request per piece
// (Transmission exactly one), and large enough to keep the piece count at or under 2,000 up to
// 16 MiB pieces. README.md "Piece length" has the figures behind the floor.

/** Smallest and largest piece length accepted when one is asked for (`--piece-length`, `pieceLength`). */
export const MIN_PIECE_LENGTH = 16 * 1024;
export const MAX_PIECE_LENGTH = 16 * 1024 * 1024;
/** Smallest piece length chosen by default: below it webseed downloads slow down (one request per piece). */
export const MIN_DEFAULT_PIECE_LENGTH = 256 * 1024;
/** Most pieces aimed at by the default rule, until MAX_PIECE_LENGTH is reached. */
export const TARGET_MAX_PIECES = 2000;
/** Used when the total size is not known before the bytes arrive (suits content up to ~500 MB). */
export const DEFAULT_PIECE_LENGTH = MIN_DEFAULT_PIECE_LENGTH;

/**
 * The smallest power of two from MIN_DEFAULT_PIECE_LENGTH to MAX_PIECE_LENGTH that keeps the
 * piece count at or under TARGET_MAX_PIECES (content up to 500 MiB: 256 KiB; 1 GiB: 1 MiB;
 * over 31.25 GiB: 16 MiB, more pieces). Unknown or empty size: DEFAULT_PIECE_LENGTH.
 */
export function choosePieceLength(totalSize: number | undefined): number {
  if (totalSize === undefined || !(totalSize > 0)) return DEFAULT_PIECE_LENGTH;
  let pl = MIN_DEFAULT_PIECE_LENGTH;
  while (pl < MAX_PIECE_LENGTH && totalSize / pl > TARGET_MAX_PIECES) pl *= 2;
  return pl;
}

/** true for a power of two within [MIN_PIECE_LENGTH, MAX_PIECE_LENGTH]. */
export function isValidPieceLength(n: number): boolean {
  return Number.isInteger(n) && n >= MIN_PIECE_LENGTH && n <= MAX_PIECE_LENGTH && (n & (n - 1)) === 0;
}
