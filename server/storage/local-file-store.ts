// FileStore on the local disk: content under DATA_DIR/content/<key>/, staging under
// DATA_DIR/tmp/<random>/ on the same file system, so a commit is one atomic rename.
import { randomUUID } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { copyFile, link, mkdir, open, readdir, realpath, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { ContentWriter, FileStat, FileStore } from './file-store.js';

/** Joins a torrent path under root, refusing anything that would land outside it. */
function inside(root: string, rel: string): string {
  const full = path.resolve(root, ...rel.split('/'));
  if (!full.startsWith(root + path.sep)) throw new Error(`path escapes the content root: ${rel}`);
  return full;
}

/** What FICLONE answers where the file system cannot clone (ext4: ENOTSUP), or not across file systems (EXDEV). */
const NO_CLONE = new Set(['ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EINVAL', 'ENOSYS', 'ENOTTY', 'EPERM']);

/** O_NOFOLLOW where the platform has it (0 on Windows). */
const O_NOFOLLOW = (constants as { O_NOFOLLOW?: number }).O_NOFOLLOW ?? 0;
/** O_DIRECT where the platform has it (Linux; 0 elsewhere, e.g. macOS). */
const O_DIRECT = (constants as { O_DIRECT?: number }).O_DIRECT ?? 0;
/** Chunk size of a second hashing pass over staged files. */
const READ_CHUNK = 1024 * 1024;

export interface LocalFileStoreOptions {
  /** Offer O_DIRECT descriptors for staged files (`directFd`). Default: true. */
  directIo?: boolean;
}

/** Longest path the kernel takes (Linux PATH_MAX: 4096 bytes with the terminating NUL). */
export const PATH_MAX_BYTES = 4095;

/** Staging names: DATA_DIR/tmp/<uuid>/files/<path>; content: DATA_DIR/content/<info_hash hex>/<name>/<path>. */
const STAGING_PREFIX_BYTES = '/'.length + 36 + '/files/'.length;
const CONTENT_PREFIX_BYTES = '/'.length + 40 + '/'.length;

class LocalWriter implements ContentWriter {
  private readonly handles = new Map<string, Promise<FileHandle>>();
  private readonly directHandles = new Map<string, Promise<FileHandle | null>>();
  /** Files created, open or closed (a closed one is reopened for writing on demand). */
  private readonly created = new Set<string>();
  /** Folders made (or being made) in staging: a folder of 10,000 files is made once, not once per file. */
  private readonly folders = new Map<string, Promise<unknown>>();
  private done = false;

  constructor(private readonly dir: string, private readonly contentRoot: string, private readonly directIo: boolean) {}

  /** Makes the folder `full` goes in, once per writer (a failed attempt is retried by the next file). */
  private folderOf(full: string): Promise<unknown> {
    const dir = path.dirname(full);
    let made = this.folders.get(dir);
    if (made === undefined) {
      made = mkdir(dir, { recursive: true });
      this.folders.set(dir, made);
      made.catch(() => this.folders.delete(dir));
    }
    return made;
  }

  async create(rel: string, size = 0): Promise<void> {
    const full = inside(this.dir, rel);
    await this.folderOf(full);
    const h = open(full, 'w');
    this.handles.set(rel, h);
    this.created.add(rel);
    // at its final length now: on ext4 a write that extends a file costs more (measured: 1 GiB in
    // 64 KiB writes, 0.20-0.22 s of system time instead of 0.22-0.35 s), and direct writes past the
    // end of a file are serialized by the file system
    if (size > 0) await (await h).truncate(size);
    else await h;
  }

  async directFd(rel: string): Promise<number> {
    if (!this.directIo || O_DIRECT === 0) return -1;
    if (!this.created.has(rel)) throw new Error(`directFd before create: ${rel}`);
    let h = this.directHandles.get(rel);
    if (h === undefined) {
      // EINVAL: the file system refuses O_DIRECT (tmpfs before Linux 6.6, some FUSE file systems)
      h = open(inside(this.dir, rel), constants.O_WRONLY | O_DIRECT).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'EINVAL' || e.code === 'EOPNOTSUPP' || e.code === 'ENOTSUP') return null;
        throw e;
      });
      this.directHandles.set(rel, h);
    }
    return (await h)?.fd ?? -1;
  }

  async link(rel: string, source: string): Promise<boolean> {
    const full = inside(this.dir, rel);
    await this.folderOf(full);
    try {
      await link(source, full);
      return true;
    } catch (e) {
      // another file system, or one without hard links: the caller copies instead
      if (['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK'].includes((e as NodeJS.ErrnoException).code ?? '')) return false;
      throw e;
    }
  }

  async clone(rel: string, source: string): Promise<boolean> {
    const full = inside(this.dir, rel);
    await this.folderOf(full);
    try {
      await copyFile(source, full, constants.COPYFILE_FICLONE_FORCE);
      return true;
    } catch (e) {
      if (!NO_CLONE.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
      await rm(full, { force: true });
      return false;
    }
  }

  /** The open handle of a created file, reopened (for writing, not truncated) after close. */
  private handle(rel: string, what: string): Promise<FileHandle> {
    let h = this.handles.get(rel);
    if (h === undefined) {
      if (!this.created.has(rel)) throw new Error(`${what} before create: ${rel}`);
      h = open(inside(this.dir, rel), 'r+');
      this.handles.set(rel, h);
    }
    return h;
  }

  async close(rel: string): Promise<void> {
    const hs = [this.handles.get(rel), this.directHandles.get(rel)];
    this.handles.delete(rel);
    this.directHandles.delete(rel);
    for (const h of hs) await (await h)?.close();
  }

  async write(rel: string, position: number, data: Uint8Array): Promise<void> {
    const h = this.handle(rel, 'write');
    let off = 0;
    while (off < data.length) {
      const { bytesWritten } = await (await h).write(data, off, data.length - off, position + off);
      off += bytesWritten;
    }
  }

  async fd(rel: string): Promise<number> {
    return (await this.handle(rel, 'fd')).fd;
  }

  private async closeAll(): Promise<void> {
    const hs = [...this.handles.values(), ...this.directHandles.values()];
    this.handles.clear();
    this.directHandles.clear();
    await Promise.all(hs.map(async (h: Promise<FileHandle | null>) => (await h.catch(() => null))?.close().catch(() => undefined)));
  }

  readStaged(rel: string, length?: number): Readable {
    // a read buffer the size of a small file, not 1 MiB each: 10,000 small files would allocate 10 GB
    return createReadStream(inside(this.dir, rel), { highWaterMark: Math.max(1, Math.min(READ_CHUNK, length ?? READ_CHUNK)) });
  }

  async commit(key: string, from: string, to: string): Promise<void> {
    await this.closeAll();
    await mkdir(this.contentRoot, { recursive: true });
    const keyDir = inside(this.contentRoot, key);
    // mkdir without `recursive` fails if the key exists: two publishers cannot both commit it
    await mkdir(keyDir);
    try {
      const target = inside(keyDir, to);
      await mkdir(path.dirname(target), { recursive: true });
      await rename(inside(this.dir, from), target);
    } catch (e) {
      await rm(keyDir, { recursive: true, force: true });
      throw e;
    }
    this.done = true;
    await rm(this.dir, { recursive: true, force: true });
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.closeAll();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** A FileStore rooted at dataDir. */
export class LocalFileStore implements FileStore {
  private readonly contentRoot: string;
  private readonly tmpRoot: string;

  private readonly directIo: boolean;

  readonly maxPathBytes: number;

  constructor(dataDir: string, options: LocalFileStoreOptions = {}) {
    this.contentRoot = path.join(path.resolve(dataDir), 'content');
    this.tmpRoot = path.join(path.resolve(dataDir), 'tmp');
    this.directIo = options.directIo ?? true;
    this.maxPathBytes = PATH_MAX_BYTES - Math.max(Buffer.byteLength(this.tmpRoot) + STAGING_PREFIX_BYTES, Buffer.byteLength(this.contentRoot) + CONTENT_PREFIX_BYTES);
  }

  /** Removes staging areas left behind by a crash (untouched for `olderThanMs`). */
  async clearStaging(olderThanMs = 24 * 3600 * 1000): Promise<number> {
    const entries = await readdir(this.tmpRoot).catch(() => [] as string[]);
    let removed = 0;
    for (const e of entries) {
      const p = path.join(this.tmpRoot, e);
      const s = await stat(p).catch(() => null);
      if (s !== null && Date.now() - s.mtimeMs > olderThanMs) {
        await rm(p, { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }

  async stage(): Promise<ContentWriter> {
    const dir = path.join(this.tmpRoot, randomUUID());
    await mkdir(dir, { recursive: true });
    return new LocalWriter(dir, this.contentRoot, this.directIo);
  }

  async readAt(key: string, rel: string, buf: Buffer, length: number, position: number): Promise<number> {
    const fh = await this.handle(key, rel);
    const { bytesRead } = await fh.read(buf, 0, length, position);
    return bytesRead;
  }

  /** Open read handles of hosted files, kept (content never changes) and closed least-recently-used first. */
  private readonly handles = new Map<string, Promise<FileHandle>>();

  private handle(key: string, rel: string): Promise<FileHandle> {
    const id = `${key}/${rel}`;
    let h = this.handles.get(id);
    if (h !== undefined) {
      this.handles.delete(id);
      this.handles.set(id, h);
      return h;
    }
    h = this.openContent(key, rel);
    h.catch(() => this.handles.delete(id));
    this.handles.set(id, h);
    if (this.handles.size > 256) {
      const [oldId, old] = this.handles.entries().next().value as [string, Promise<FileHandle>];
      this.handles.delete(oldId);
      // closing under a reader in flight fails that one read; the next request reopens
      setTimeout(() => void old.then((f) => f.close()).catch(() => undefined), 30_000).unref();
    }
    return h;
  }

  /**
   * Opens a stored file for reading, following no symbolic link: the file itself is opened with
   * O_NOFOLLOW, and its real path must be exactly content/<key>/<rel> (no folder on the way is a
   * link) and name the very file opened. Anything else fails (ELOOP), so a link put into the
   * content folder never serves what it points to.
   */
  private async openContent(key: string, rel: string): Promise<FileHandle> {
    const full = inside(inside(this.contentRoot, key), rel);
    // O_NONBLOCK: a FIFO put there must not hang a libuv thread in open() (no effect on plain files)
    const fh = await open(full, constants.O_RDONLY | O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      // DATA_DIR itself may be a link (the operator's choice); below it, nothing may be
      const expected = path.join(await realpath(this.contentRoot), key, ...rel.split('/'));
      const [real, opened] = await Promise.all([realpath(full), fh.stat()]);
      const named = real === expected ? await stat(real) : null;
      if (named === null || named.ino !== opened.ino || named.dev !== opened.dev) {
        throw Object.assign(new Error(`not a plain stored file (a symbolic link on the way): ${key}/${rel}`), { code: 'ELOOP' });
      }
      return fh;
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  async stat(key: string, rel: string): Promise<FileStat | null> {
    try {
      // through the checked handle (kept for the reads that follow), so a link is never stat'ed through
      const s = await (await this.handle(key, rel)).stat();
      return s.isFile() ? { size: s.size, mtime: s.mtime } : null;
    } catch {
      return null;
    }
  }

  async delete(key: string): Promise<void> {
    for (const [id, h] of this.handles) {
      if (id.startsWith(`${key}/`)) {
        this.handles.delete(id);
        void h.then((f) => f.close()).catch(() => undefined);
      }
    }
    await rm(inside(this.contentRoot, key), { recursive: true, force: true });
  }
}
