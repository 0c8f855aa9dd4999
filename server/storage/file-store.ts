// Where hosted content lives. Keys are info_hashes; paths are the torrent's own `/`-separated
// paths (single file: its name; several: name/path...), already validated by the caller.
import type { Readable } from 'node:stream';

/** A staging area for one new torrent's content, invisible until committed. */
export interface ContentWriter {
  /**
   * Creates (or truncates) a file, so empty files exist too. With `size`, the file has that length
   * at once (a hole, filled by the writes that follow), so no write extends it.
   */
  create(path: string, size?: number): Promise<void>;
  /** Writes bytes at a position of a file created before. */
  write(path: string, position: number, data: Uint8Array): Promise<void>;
  /**
   * Stores local file `source` at `path` as a hard link, without copying: true when done, false when
   * this store cannot link it (another file system), and the caller copies instead.
   */
  link(path: string, source: string): Promise<boolean>;
  /**
   * Stores local file `source` at `path` as a copy-on-write clone (a reflink, as `cp --reflink`
   * makes on XFS or btrfs): an independent copy for which no byte is copied. True when done; false
   * when the file system cannot clone it (ext4, another file system), nothing is created, and the
   * caller copies instead.
   */
  clone(path: string, source: string): Promise<boolean>;
  /**
   * Closes the handles of a file created before, once it is fully written, so a torrent of many
   * files keeps O(1) of them open; a later write, fd or directFd opens it again.
   */
  close(path: string): Promise<void>;
  /** A file descriptor of a file created before, open for writing at any position (pwrite, from any thread); closed by close, commit and abort. */
  fd(path: string): Promise<number>;
  /**
   * The same file opened with O_DIRECT as well (writes of 4 KiB-aligned buffers, lengths and
   * positions go to the disk without passing through the page cache), or -1 where this store or its
   * file system does not offer it; closed by commit and abort.
   */
  directFd(path: string): Promise<number>;
  /**
   * Makes staged `from` (a file or folder) the content of `key`, stored at `to` below it, in one
   * rename; removes the rest of the staging area. Fails if `key` already has content.
   */
  commit(key: string, from: string, to: string): Promise<void>;
  /** Removes everything written; safe to call more than once. */
  abort(): Promise<void>;
  /** A readable stream of a staged file (for a second hashing pass), read in chunks of at most `length` bytes when given (its size). */
  readStaged(path: string, length?: number): Readable;
}

export interface FileStat {
  size: number;
  mtime: Date;
}

export interface FileStore {
  /**
   * Longest storage path (`name/path...` of a file below its torrent) this store can hold, in
   * bytes of UTF-8: what the file system allows once its own folders are prefixed.
   */
  readonly maxPathBytes: number;
  stage(): Promise<ContentWriter>;
  /** Reads a byte range: into `buf` from `position` of a stored file; returns the bytes read (0 at the end). */
  readAt(key: string, path: string, buf: Buffer, length: number, position: number): Promise<number>;
  stat(key: string, path: string): Promise<FileStat | null>;
  /** Removes a key's content; no error when absent. */
  delete(key: string): Promise<void>;
}
