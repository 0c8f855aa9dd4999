// Files from a drop or a file input, with paths relative to what was picked: folders are walked
// through webkitGetAsEntry (drop) or webkitRelativePath (folder input).
import type { PickedFile } from '../../lib/upload-files';

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function readAll(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const out: FileSystemEntry[] = [];
  // readEntries hands out at most ~100 entries per call; an empty batch means done
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return out;
    out.push(...batch);
  }
}

async function walk(entry: FileSystemEntry, prefix: string, out: PickedFile<File>[]): Promise<void> {
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile) {
    const file = await fileOf(entry as FileSystemFileEntry);
    out.push({ path, size: file.size, file });
  } else if (entry.isDirectory) {
    for (const child of await readAll(entry as FileSystemDirectoryEntry)) await walk(child, path, out);
  }
}

/** Every file of a drop, folders included. */
export async function droppedFiles(dt: DataTransfer): Promise<PickedFile<File>[]> {
  const entries = [...dt.items].map((i) => (i.kind === 'file' ? i.webkitGetAsEntry() : null)).filter((e): e is FileSystemEntry => e !== null);
  const out: PickedFile<File>[] = [];
  if (entries.length === 0) {
    for (const f of dt.files) out.push({ path: f.name, size: f.size, file: f });
    return out;
  }
  for (const e of entries) await walk(e, '', out);
  return out;
}

/** Files of an <input type="file"> (a folder input gives webkitRelativePath "folder/a.txt"). */
export function inputFiles(list: FileList | null): PickedFile<File>[] {
  return [...(list ?? [])].map((f) => ({ path: f.webkitRelativePath || f.name, size: f.size, file: f }));
}
