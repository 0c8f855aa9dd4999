// Piece length choice for new torrents (BEP 3 leaves it to the creator): a power of two from
// 16 KiB to 16 MiB, aiming at 1,000-2,000 pieces, as common creators do.

export const MIN_PIECE_LENGTH = 16 * 1024;
export const MAX_PIECE_LENGTH = 16 * 1024 * 1024;
/** Used when the total size is not known before the bytes arrive (suits content up to ~500 MB). */
export const DEFAULT_PIECE_LENGTH = 256 * 1024;

/** The smallest power of two (within bounds) that keeps the piece count at or under 2,000. */
export function choosePieceLength(totalSize: number | undefined): number {
  if (totalSize === undefined || !(totalSize > 0)) return DEFAULT_PIECE_LENGTH;
  let pl = MIN_PIECE_LENGTH;
  while (pl < MAX_PIECE_LENGTH && totalSize / pl > 2000) pl *= 2;
  return pl;
}

/** true for a power of two within [MIN_PIECE_LENGTH, MAX_PIECE_LENGTH]. */
export function isValidPieceLength(n: number): boolean {
  return Number.isInteger(n) && n >= MIN_PIECE_LENGTH && n <= MAX_PIECE_LENGTH && (n & (n - 1)) === 0;
}
