#!/usr/bin/env node
// Registers one large .torrent (FILES files, default 20,000) into a fresh database and prints how
// long it took and the longest event-loop stall meanwhile (perf_hooks monitorEventLoopDelay, 1 ms
// resolution): what an announce arriving at that moment would wait. Needs a build (dist/).
// Usage: node bench/register-stall.mjs [FILES] [DATABASE_URL]   (default: a temporary SQLite file)
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import bencode from 'bencode';
import { openDatabase } from '../dist/server/db/data-source.js';
import { noCatalogEvents } from '../dist/server/services/catalog-events.js';
import { registerTorrent } from '../dist/server/services/register-torrent.js';

const files = Number(process.argv[2] ?? 20_000);
const dir = mkdtempSync(path.join(tmpdir(), 'seedhost-stall-'));
const url = process.argv[3] ?? `sqlite:${path.join(dir, 'x.db')}`;
const pieceLength = 16384;
const list = Array.from({ length: files }, (_, i) => ({ length: 1000, path: [`folder-${Math.floor(i / 100)}`, `file-${i}.dat`] }));
const pieces = Buffer.alloc(Math.ceil((files * 1000) / pieceLength) * 20);
const info = { files: list, name: `stall-${createHash('sha1').update(String(Date.now())).digest('hex').slice(0, 8)}`, 'piece length': pieceLength, pieces };
const torrent = Buffer.from(bencode.encode({ announce: 'http://127.0.0.1:1/announce', info }));

const ds = await openDatabase(url);
const h = monitorEventLoopDelay({ resolution: 1 });
h.enable();
// a 1 ms timer as well: the longest gap between its ticks is the longest stall, counted even when it ends the run
let last = performance.now(), gap = 0;
const tick = setInterval(() => { const now = performance.now(); gap = Math.max(gap, now - last); last = now; }, 1);
const start = performance.now();
const { created } = await registerTorrent(ds, noCatalogEvents, torrent, { maxFiles: files });
const ms = performance.now() - start;
await new Promise((r) => setTimeout(r, 20));
clearInterval(tick);
h.disable();
await ds.destroy();
rmSync(dir, { recursive: true, force: true });
console.log(`register ${files} files (${(torrent.length / 1024).toFixed(0)} KiB .torrent, ${url.split(':')[0]}): ${ms.toFixed(0)} ms, created ${created}; ` +
  `longest event-loop stall ${gap.toFixed(1)} ms (histogram max ${(h.max / 1e6).toFixed(1)} ms), p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms`);
