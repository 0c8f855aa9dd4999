// Validation of what a publisher hands over: relative paths and names that are safe on disk and
// in a torrent, and where each file is stored.

import { MAX_PATH_BYTES, MAX_PATH_COMPONENT_BYTES } from '../torrent/parse-torrent.js';
import { descriptionProblem, MAX_NAME_BYTES, nameProblem, normalizeDescription } from './input-limits.js';

export type PublishErrorCode = 'BAD_INPUT' | 'TOO_LARGE' | 'DUPLICATE' | 'STORAGE';

/** A publishing failure with a message fit for the publisher. */
export class PublishError extends Error {
  constructor(readonly code: PublishErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PublishError';
  }
}

/** A failure while staging as a PublishError when it is one the publisher should see (a full disk, a file that shrank); otherwise as is. */
export function asPublishError(e: unknown): unknown {
  if (e instanceof PublishError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new PublishError('STORAGE', 'not enough disk space for this upload');
  if (code === 'ESHRANK') return new PublishError('BAD_INPUT', 'a file became shorter while it was read');
  // checked before (storagePathProblem); this is the file system's own word, should it differ
  if (code === 'ENAMETOOLONG') return new PublishError('BAD_INPUT', 'a file path is too long for this server\'s storage');
  return e;
}

/** A value for a message: quoted, escaped (JSON), cut to 100 characters. */
export const shown = (s: string): string => JSON.stringify(s.length > 100 ? `${s.slice(0, 100)}...` : s);

/** A description as stored (CRLF as LF), or null; throws PublishError when it is too long or holds control characters. */
export function checkedDescription(d: string | null | undefined): string | null {
  if (d === null || d === undefined) return null;
  const n = normalizeDescription(d);
  const problem = descriptionProblem(n);
  if (problem !== null) throw new PublishError('BAD_INPUT', problem);
  return n;
}

/**
 * Normalises a `/`-separated relative path (backslashes count as separators) and refuses empty,
 * `.`/`..`, absolute or NUL-carrying components, control and direction characters, components over
 * MAX_PATH_COMPONENT_BYTES and paths over MAX_PATH_BYTES. With `single` (a name), no separator is
 * allowed and MAX_NAME_BYTES applies.
 */
export function safeRelativePath(p: string, what = 'path', single = false): string {
  const parts = p.replace(/\\/g, '/').split('/');
  const bad = p.length === 0 || parts.some((c) => c === '' || c === '.' || c === '..');
  if (bad || (single && parts.length > 1)) throw new PublishError('BAD_INPUT', `unsafe ${what}: ${shown(p)}`);
  const problem = nameProblem(p, `${what} ${shown(p)}`);
  if (problem !== null) throw new PublishError('BAD_INPUT', problem);
  const maxComponent = single ? MAX_NAME_BYTES : MAX_PATH_COMPONENT_BYTES;
  if (parts.some((c) => Buffer.byteLength(c) > maxComponent)) throw new PublishError('BAD_INPUT', `${what} ${shown(p)}: a file or folder name is longer than ${maxComponent} bytes`);
  if (Buffer.byteLength(p) > MAX_PATH_BYTES) throw new PublishError('BAD_INPUT', `${what} ${shown(p)} is longer than ${MAX_PATH_BYTES} bytes`);
  return parts.join('/');
}

/** Where a torrent's file is stored (and served by the webseed) below its info_hash. */
export function storagePath(name: string, filePath: string, multiFile: boolean): string {
  return multiFile ? `${name}/${filePath}` : name;
}
