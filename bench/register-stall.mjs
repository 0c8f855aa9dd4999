#!/usr/bin/env node
// Registers one large .torrent (FILES files, default 20,000), or publishes FILES streamed files
// (`upload`, as uploadTorrent stages them), into a fresh database and prints how long it took and
// the longest event-loop stall meanwhile: what an announce arriving at that moment would wait.
// Needs a build (dist/). Usage:
//   node bench/register-stall.mjs [register|upload] [FILES] [DATABASE_URL]   (default: a temporary SQLite file)
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import bencode from 'bencode';
import { openDatabase } from '../dist/server/db/data-source.js';
import { noCatalogEvents } from '../dist/server/services/catalog-events.js';
import { publishTorrent } from '../dist/server/services/publish-torrent.js';
import { registerTorrent } from '../dist/server/services/register-torrent.js';
import { LocalFileStore } from '../dist/server/storage/local-file-store.js';

const mode = process.argv[2] ?? 'register';
const files = Number(process.argv[3] ?? 20_000);
const dir = mkdtempSync(path.join(tmpdir(), 'seedhost-stall-'));
const url = process.argv[4] ?? `sqlite:${path.join(dir, 'x.db')}`;
const tag = createHash('sha1').update(String(Date.now())).digest('hex').slice(0, 8);
const openFds = () => readdirSync('/proc/self/fd').length;

// the .torrent is built before the clock starts: its encoding is this script's work, not the server's
const list = Array.from({ length: files }, (_, i) => ({ length: 1000, path: [`folder-${Math.floor(i / 100)}`, `file-${i}.dat`] }));
const info = { files: list, name: `stall-${tag}`, 'piece length': 16384, pieces: Buffer.alloc(Math.ceil((files * 1000) / 16384) * 20) };
const torrent = Buffer.from(bencode.encode({ announce: 'http://127.0.0.1:1/announce', info }));
const ds = await openDatabase(url);
await new Promise((r) => setTimeout(r, 50));
// a 1 ms timer: the longest gap between its ticks is the longest stall
let last = performance.now(), gap = 0, fds = 0;
const baseFds = openFds();
const tick = setInterval(() => { const now = performance.now(); gap = Math.max(gap, now - last); last = now; }, 1);
const start = performance.now();
let what;
if (mode === 'register') {
  await registerTorrent(ds, noCatalogEvents, torrent, { maxFiles: files });
  what = `register ${files} files (${(torrent.length / 1024).toFixed(0)} KiB .torrent)`;
} else {
  const file = (i) => ({ path: `up-${tag}/folder-${Math.floor(i / 100)}/file-${String(i).padStart(6, '0')}.dat`, stream: (async function* () {
    if (i % 100 === 0) fds = Math.max(fds, openFds() - baseFds); // sampled: reading /proc costs
    yield Buffer.alloc(1000, i % 256);
  })() });
  await publishTorrent({ ds, files: new LocalFileStore(dir), events: noCatalogEvents, publicUrl: 'http://x', maxUploadBytes: 0, maxFiles: files },
    { files: Array.from({ length: files }, (_, i) => file(i)) });
  what = `upload ${files} streamed files (most open files meanwhile: ${fds})`;
}
const ms = performance.now() - start;
await new Promise((r) => setTimeout(r, 20));
clearInterval(tick);
await ds.destroy();
rmSync(dir, { recursive: true, force: true });
console.log(`${what}, ${url.split(':')[0]}: ${ms.toFixed(0)} ms; longest event-loop stall ${gap.toFixed(1)} ms`);
