// A torrent's file list as three flat values: every path in one string, their lengths in UTF-16
// units, the file sizes. Between threads it is what travels instead of one object per file: a
// 20,000-file list cloned as objects cost the receiving main thread tens of ms (and its GC), packed
// it is one string and two typed arrays. Where the list is needed as objects it is unpacked once,
// on first read (`lazyFiles`).
import type { TorrentFileEntry } from './metainfo.js';

export interface PackedFiles {
  paths: string;
  pathLengths: Uint32Array;
  sizes: Float64Array;
}

export function packFiles(files: readonly TorrentFileEntry[]): PackedFiles {
  const pathLengths = new Uint32Array(files.length), sizes = new Float64Array(files.length);
  const parts: string[] = new Array(files.length);
  for (let i = 0; i < files.length; i++) {
    parts[i] = files[i].path; pathLengths[i] = files[i].path.length; sizes[i] = files[i].length;
  }
  return { paths: parts.join(''), pathLengths, sizes };
}

export function unpackFiles(p: PackedFiles): TorrentFileEntry[] {
  const files: TorrentFileEntry[] = new Array(p.sizes.length);
  for (let i = 0, at = 0; i < files.length; i++) {
    const end = at + p.pathLengths[i];
    files[i] = { path: p.paths.slice(at, end), length: p.sizes[i] };
    at = end;
  }
  return files;
}

/**
 * Gives `target` a `files` property made by `make` on its first read (then a plain value). It is
 * enumerable, so a spread or a clone of `target` still carries the files (and unpacks them).
 */
export function lazyFiles<T extends object, F>(target: T, make: () => F): T & { files: F } {
  return Object.defineProperty(target, 'files', {
    configurable: true, enumerable: true,
    get(this: T) {
      const files = make();
      Object.defineProperty(this, 'files', { value: files, writable: true, configurable: true, enumerable: true });
      return files;
    },
    set(this: T, files: F) {
      Object.defineProperty(this, 'files', { value: files, writable: true, configurable: true, enumerable: true });
    },
  }) as T & { files: F };
}
