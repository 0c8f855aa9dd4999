// A torrent's files must fit one folder tree: no path may be both a file and a folder (`a` and
// `a/b`), which no file system can store.

/**
 * A path of `paths` (relative, `/`-separated, no duplicates) that is also a folder of another one,
 * or null. O(n log n): in sorted order every path below `p/` follows the first one at or after `p/`.
 */
export function fileFolderClash(paths: readonly string[]): string | null {
  const sorted = [...paths].sort();
  for (const p of paths) {
    const folder = `${p}/`;
    let lo = 0, hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < folder) lo = mid + 1;
      else hi = mid;
    }
    if (lo < sorted.length && sorted[lo].startsWith(folder)) return p;
  }
  return null;
}
