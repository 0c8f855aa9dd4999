// v2 and hybrid .torrent files made by libtorrent (python3-libtorrent) for tests, with broken
// variants (test/helpers/v2-torrents.py): content in a temporary folder, one file per case.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Python script, beside this file's source (dist/test/helpers -> test/helpers). */
const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/helpers/v2-torrents.py');

export interface V2Set {
  /** The content: folder `d` (a.bin 40000 B, b.txt 100 B, empty 0 B, sub/c.bin 70000 B) and file `one.bin` (50000 B). */
  dir: string;
  /** A case's .torrent bytes: hybrid, v2, hybrid-single, v2-single, v1, and the broken ones (v2-*, hybrid-*). */
  torrent(name: string): Buffer;
  /** What libtorrent reads as the info hashes of the good ones: name -> [v1 hex or '-', v2 hex or '-']. */
  hashes: Map<string, [string, string]>;
}

/** Makes the content and the torrents with `python` (libtorrentPython()); piece length 16 KiB; `baseUrl`: announce and url-list of that server. */
export function makeV2Set(python: string, baseUrl?: string): V2Set {
  const dir = mkdtempSync(path.join(tmpdir(), 'seedhost-v2-'));
  const out = path.join(dir, 'torrents');
  mkdirSync(path.join(dir, 'd', 'sub'), { recursive: true });
  mkdirSync(out);
  const bytes = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) & 0xff));
  writeFileSync(path.join(dir, 'd', 'a.bin'), bytes(40000, 1));
  writeFileSync(path.join(dir, 'd', 'b.txt'), bytes(100, 2));
  writeFileSync(path.join(dir, 'd', 'empty'), '');
  writeFileSync(path.join(dir, 'd', 'sub', 'c.bin'), bytes(70000, 3));
  writeFileSync(path.join(dir, 'one.bin'), bytes(50000, 4));
  const printed = execFileSync(python, [SCRIPT, dir, out, ...(baseUrl === undefined ? [] : [baseUrl])], { encoding: 'utf8' });
  const hashes = new Map<string, [string, string]>();
  for (const line of printed.trim().split('\n')) {
    const [name, v1, v2] = line.split(' ');
    hashes.set(name, [v1, v2]);
  }
  return { dir, hashes, torrent: (name) => readFileSync(path.join(out, `${name}.torrent`)) };
}
