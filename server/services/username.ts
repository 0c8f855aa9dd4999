// Usernames: what may be created, and the form guesses at a name are counted under. MariaDB's
// utf8mb4_unicode_ci makes `victim`, `Victim`, `victim ` (PAD SPACE), `víctim`, `ｖｉｃｔｉｍ` and
// `vic<zero-width space>tim` one name; normaliseUsername folds them alike.

/** Longest username an account may have (the column is varchar(64)). */
export const USERNAME_MAX_LENGTH = 64;
/** Letters, digits, `_`, `.` and `-` only: no spaces, accents or look-alikes to tell apart. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** The key variants of a name share: compatibility forms, accents, case, invisible characters and trailing spaces folded. */
export function normaliseUsername(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\p{M}\p{Cf}\p{Cc}]/gu, '')
    .toUpperCase()
    .toLowerCase()
    .normalize('NFKC')
    .replace(/\s+$/u, '');
}
