// Validation of what a publisher hands over: relative paths and names that are safe on disk and
// in a torrent, and where each file is stored.

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
  return e;
}

/**
 * Normalises a `/`-separated relative path (backslashes count as separators) and refuses empty,
 * `.`/`..`, absolute or NUL-carrying components. With `single`, no separator is allowed.
 */
export function safeRelativePath(p: string, what = 'path', single = false): string {
  const parts = p.replace(/\\/g, '/').split('/');
  // 255 bytes per component: what common file systems allow
  const bad = p.length === 0 || p.length > 4096 || parts.some((c) => c === '' || c === '.' || c === '..' || c.includes('\0') || Buffer.byteLength(c) > 255);
  if (bad || (single && parts.length > 1)) throw new PublishError('BAD_INPUT', `unsafe ${what}: '${p}'`);
  return parts.join('/');
}

/** Where a torrent's file is stored (and served by the webseed) below its info_hash. */
export function storagePath(name: string, filePath: string, multiFile: boolean): string {
  return multiFile ? `${name}/${filePath}` : name;
}
