import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { makeTorrent } from '../helpers/make-torrent.js';
import { spawnServer } from '../helpers/server-process.js';
import { CLI } from '../helpers/test-server.js';
import { announce } from '../helpers/tracker-client.js';

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
