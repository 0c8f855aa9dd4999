// A torrent's flat file list ("docs/a.txt") as an indented tree with folder sizes, folders first
// and names in byte order within a folder.

export interface TreeRow {
  /** Full path of the file or folder. */
  path: string;
  /** Last path segment. */
  name: string;
  /** 0 for top-level entries. */
  depth: number;
  folder: boolean;
  /** Bytes (for a folder: everything below it). */
  size: number;
  /** Files below a folder (1 for a file). */
  files: number;
}

interface Node {
  name: string;
  path: string;
  size: number;
  files: number;
  children: Map<string, Node> | null;
}

/** Rows of the tree for `files`, depth-first (each folder followed by its contents). */
export function fileTree(files: { path: string; size: number }[]): TreeRow[] {
  const root: Node = { name: '', path: '', size: 0, files: 0, children: new Map() };
  for (const f of files) {
    const parts = f.path.split('/');
    let at = root;
    at.size += f.size;
    at.files++;
    parts.forEach((name, i) => {
      const leaf = i === parts.length - 1;
      let next = at.children!.get(name);
      if (!next) {
        next = { name, path: parts.slice(0, i + 1).join('/'), size: 0, files: 0, children: leaf ? null : new Map() };
        at.children!.set(name, next);
      }
      next.size += f.size;
      next.files++;
      at = next;
    });
  }
  const rows: TreeRow[] = [];
  const walk = (n: Node, depth: number): void => {
    const kids = [...n.children!.values()].sort((a, b) => (a.children === null) === (b.children === null) ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.children === null ? 1 : -1);
    for (const k of kids) {
      rows.push({ path: k.path, name: k.name, depth, folder: k.children !== null, size: k.size, files: k.files });
      if (k.children) walk(k, depth + 1);
    }
  };
  walk(root, 0);
  return rows;
}
