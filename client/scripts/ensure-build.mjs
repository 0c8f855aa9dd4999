#!/usr/bin/env node
// Builds the web UI when client/dist/index.html is missing or older than any source file
// (client/src, index.html, vite config); otherwise does nothing. Used by `npm start`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const client = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(client, 'dist', 'index.html');

function newest(p) {
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = st.mtimeMs;
  for (const name of readdirSync(p)) m = Math.max(m, newest(path.join(p, name)));
  return m;
}

const sources = ['src', 'index.html', 'vite.config.ts'].map((s) => path.join(client, s)).filter(existsSync);
const stale = !existsSync(built) || Math.max(...sources.map(newest)) > statSync(built).mtimeMs;
if (!stale) process.exit(0);
console.log('web UI build missing or stale: building it');
const vite = path.join(client, '..', 'node_modules', 'vite', 'bin', 'vite.js');
const r = spawnSync(process.execPath, [vite, 'build', '--config', path.join(client, 'vite.config.ts')], { stdio: 'inherit' });
process.exit(r.status ?? 1);
