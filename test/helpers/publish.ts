// Publishing helpers for e2e tests: make local files, publish them through the real command line.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestServer } from './test-server.js';

/** Writes files (relative path -> content) under dir and returns dir. */
export function writeTree(dir: string, files: Record<string, Buffer>): string {
  for (const [rel, data] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), data);
  }
  return dir;
}

/** `seedhost add` through the real command line; returns the info_hash (its last stdout line). */
export async function addViaCli(t: TestServer, args: string[]): Promise<string> {
  const r = await t.cli(['add', ...args]);
  if (r.code !== 0) throw new Error(`seedhost add failed: ${r.stderr}`);
  const hash = r.stdout.trim().split('\n').pop() as string;
  if (!/^[0-9a-f]{40}$/.test(hash)) throw new Error(`no info_hash as last line: ${r.stdout}`);
  return hash;
}
