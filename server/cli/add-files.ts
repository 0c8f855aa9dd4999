// Collects the files of `seedhost add <path...>`: one file, one folder (its tree, empty files
// included, symlinks followed), or several of either (each under its own name).
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { PublishFile } from '../services/publish-torrent.js';
import { compareByteWise } from '../torrent/info-dict.js';
import { fileProblem } from './errors.js';

export interface LocalFile {
  abs: string;
  /** Relative to the torrent root, `/`-separated. */
  rel: string;
  size: number;
}

/** fs.stat / fs.readdir with the path and seedhost's words for a failure. */
async function read<T>(p: string, op: (p: string) => Promise<T>): Promise<T> {
  try {
    return await op(p);
  } catch (e) {
    throw new Error(`${p}: ${fileProblem(e)}`);
  }
}

async function walk(dir: string, prefix: string, out: LocalFile[]): Promise<void> {
  for (const name of await read(dir, (d) => readdir(d))) {
    const abs = path.join(dir, name);
    const s = await read(abs, (p) => stat(p));
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    if (s.isDirectory()) await walk(abs, rel, out);
    else if (s.isFile()) out.push({ abs, rel, size: s.size });
  }
}

/** The files to publish and the default torrent name; throws with a readable message. */
export async function collectFiles(inputs: string[]): Promise<{ files: LocalFile[]; defaultName: string | undefined; multiFile: boolean }> {
  const files: LocalFile[] = [];
  const stats = await Promise.all(inputs.map((p) => read(p, (q) => stat(q))));
  if (inputs.length === 1) {
    const abs = path.resolve(inputs[0]);
    if (stats[0].isFile()) return { files: [{ abs, rel: path.basename(abs), size: stats[0].size }], defaultName: path.basename(abs), multiFile: false };
    await walk(abs, '', files);
    if (files.length === 0) throw new Error(`${inputs[0]}: the folder holds no files`);
    return { files: files.sort((a, b) => compareByteWise(a.rel, b.rel)), defaultName: path.basename(abs), multiFile: true };
  }
  for (let i = 0; i < inputs.length; i++) {
    const abs = path.resolve(inputs[i]);
    if (stats[i].isFile()) files.push({ abs, rel: path.basename(abs), size: stats[i].size });
    else await walk(abs, path.basename(abs), files);
  }
  return { files: files.sort((a, b) => compareByteWise(a.rel, b.rel)), defaultName: undefined, multiFile: true };
}

const READ_BYTES = 1024 * 1024;

/**
 * A local file: the publisher reads it itself by `localPath` (on its hashing threads). The stream,
 * unused then, is a lazily opened read in 1 MiB chunks into one reused buffer (fresh large buffers
 * per read cost page faults and unmaps).
 */
export function publishFile(f: LocalFile): PublishFile {
  return {
    path: f.rel,
    size: f.size,
    localPath: f.abs,
    stream: (async function* () {
      const fh = await open(f.abs, 'r');
      try {
        const buf = Buffer.allocUnsafeSlow(READ_BYTES);
        for (;;) {
          const { bytesRead } = await fh.read(buf, 0, READ_BYTES, null);
          if (bytesRead === 0) break;
          yield buf.subarray(0, bytesRead);
        }
      } finally {
        await fh.close();
      }
    })(),
  };
}
