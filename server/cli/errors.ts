// The command line's failures, in its own words: one line on stderr, exit status 1; 2 when the
// command line itself is wrong (usage) or a setting is invalid, as the server exits on a bad setting.

/** A failure to report as one line on stderr, exit status 1. */
export class CliError extends Error {}

/** The command line is wrong (unknown command or option, missing or bad argument): exit status 2. */
export class UsageError extends CliError {}

const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'is a folder, not a file',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'the path is too long',
  EMFILE: 'too many files open',
  ENFILE: 'too many files open',
  EIO: 'input/output error while reading it',
};

/** Words for a file system error (by its errno code), without Node's `ECODE: ..., syscall 'path'` text. */
export function fileProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  return FILE_PROBLEMS[code] ?? (code !== '' ? `cannot be read (${code})` : (e as Error).message);
}

/** A file system error as `path: problem`, or undefined when `e` is not one. */
export function fileError(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException;
  return typeof err?.code === 'string' && /^E[A-Z]+$/.test(err.code) && typeof err.path === 'string' ? `${err.path}: ${fileProblem(e)}` : undefined;
}
