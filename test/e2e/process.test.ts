import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { makeTorrent } from '../helpers/make-torrent.js';
import { CLI, REPO_ROOT } from '../helpers/test-server.js';
import { announce } from '../helpers/tracker-client.js';

const MAIN = path.join(REPO_ROOT, 'dist/server/main.js');

/** Spawns the real server process; resolves with its port once it logs that it listens. */
function spawnServer(env: Record<string, string>) {
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => { stderr += c; });
  const exited = new Promise<{ code: number | null; ms: number; stderr: string }>((resolve) => {
    let t0 = 0;
    child.on('spawn', () => { t0 = Date.now(); });
    child.on('exit', (code) => resolve({ code, ms: Date.now() - t0, stderr }));
  });
  const port = new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const j = JSON.parse(line);
        if (j.msg === 'seedhost listening') resolve(j.port);
      } catch { /* not JSON */ }
    });
    void exited.then((e) => reject(new Error(`server exited ${e.code}: ${e.stderr}`)));
  });
  port.catch(() => undefined); // awaited only by tests that expect a start
  return { child, port, exited };
}

const runCli = (args: string[], env: Record<string, string>) => new Promise<string>((resolve, reject) => {
  const c = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
  let out = '';
  c.stdout.on('data', (d) => { out += d; });
  c.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`cli exit ${code}`))));
});

describe('server process', () => {
  it('refuses a bad setting with one line naming the variable', async () => {
    const { exited } = spawnServer({ PORT: 'eighty', DATA_DIR: tmpdir() });
    const e = await exited;
    assert.notEqual(e.code, 0);
    assert.equal(e.stderr.trim().split('\n').length, 1);
    assert.match(e.stderr, /invalid PORT/);
  });

  it('creates the configured admin, and on SIGTERM flushes completed counts and exits 0 within 10 s', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'seedhost-proc-'));
    const env = { DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', COMPLETED_FLUSH_INTERVAL: '3600', ADMIN_USERNAME: 'admin', ADMIN_PASSWORD: 'admin-password', LOG_LEVEL: 'info' };
    try {
      const m = makeTorrent();
      writeFileSync(path.join(dir, 'm.torrent'), m.file);
      await runCli(['register', path.join(dir, 'm.torrent')], env);
      const s = spawnServer(env);
      const port = await s.port;
      const url = `http://127.0.0.1:${port}/announce`;
      await announce(url, { infoHash: m.infoHash, peerId: '-XX0001-a', port: 6000, left: 5 });
      const done = await announce(url, { infoHash: m.infoHash, peerId: '-XX0001-a', port: 6000, left: 0, event: 'completed' });
      assert.equal(done.downloaded, 1);
      s.child.kill('SIGTERM');
      const e = await s.exited;
      assert.equal(e.code, 0, e.stderr);
      assert.ok(e.ms < 10_000);
      const ds = new DataSource({ type: 'better-sqlite3', database: path.join(dir, 'seedhost.db') });
      await ds.initialize();
      const [row] = await ds.query('SELECT completed FROM torrents WHERE info_hash = ?', [m.infoHash]);
      const users = await ds.query('SELECT username, role FROM users');
      await ds.destroy();
      assert.equal(Number(row.completed), 1);
      assert.deepEqual(users.map((u: { username: string; role: string }) => [u.username, u.role]), [['admin', 'admin']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
