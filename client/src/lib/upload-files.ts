// Which files an upload sends and under which relative paths: sorted byte-wise by path (the
// order mktorrent and the server use) with a common top folder turned into the torrent name.

/** A file picked for upload with its path relative to what was dropped ("docs/a.txt"). */
export interface PickedFile<F = unknown> {
  path: string;
  size: number;
  file: F;
}

const utf8 = new TextEncoder();

/** Byte-wise comparison of the UTF-8 encodings (not UTF-16 code units, not locale order). */
export function compareBytewise(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/** Normalises a browser path ("./a\\b" or "/a/b") to "a/b". */
export function cleanPath(p: string): string {
  return p.replace(/\\/g, '/').split('/').filter((s) => s !== '' && s !== '.').join('/');
}

export interface UploadPlan<F> {
  /** The torrent name to send (the given one, else the top folder or the single file's name). */
  name: string;
  /** Files in send order with paths relative to the torrent root. */
  files: PickedFile<F>[];
  totalSize: number;
}

/**
 * Plans an upload: drops duplicate paths (the last pick wins), strips a folder shared by every
 * file when there are several, sorts byte-wise by path.
 */
export function planUpload<F>(picked: PickedFile<F>[], name: string): UploadPlan<F> {
  const byPath = new Map<string, PickedFile<F>>();
  for (const p of picked) byPath.set(cleanPath(p.path), { ...p, path: cleanPath(p.path) });
  let files = [...byPath.values()];
  let fallbackName = files.length === 1 ? files[0].path.split('/').pop() ?? '' : '';
  if (files.length > 1) {
    const top = files[0].path.split('/')[0];
    if (files.every((f) => f.path.startsWith(`${top}/`))) {
      fallbackName = top;
      files = files.map((f) => ({ ...f, path: f.path.slice(top.length + 1) }));
    }
  } else if (files.length === 1) {
    files = files.map((f) => ({ ...f, path: f.path.split('/').pop() ?? f.path }));
  }
  files.sort((a, b) => compareBytewise(a.path, b.path));
  const trimmed = name.trim();
  return { name: trimmed || fallbackName, files, totalSize: files.reduce((s, f) => s + f.size, 0) };
}

/** The `operations` and `map` fields of a GraphQL multipart request for `uploadTorrent`. */
export function multipartFields(query: string, variables: Record<string, unknown>, fileCount: number): { operations: string; map: string } {
  const files = Array.from({ length: fileCount }, () => null);
  const map: Record<string, string[]> = {};
  for (let i = 0; i < fileCount; i++) map[String(i)] = [`variables.files.${i}`];
  return { operations: JSON.stringify({ query, variables: { ...variables, files } }), map: JSON.stringify(map) };
}
