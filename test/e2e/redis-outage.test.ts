// A server on its own private redis-server, which the test stops and starts again: announces fail
// cleanly while Redis is away, /healthz says so, and completed counts come back from the database.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { databaseKinds } from '../helpers/databases.js';
import { hasCommand, needs } from '../helpers/environment.js';
import { sleep } from '../helpers/graphql-client.js';
import { makeTorrent } from '../helpers/make-torrent.js';
import { startTestServer } from '../helpers/test-server.js';
import { announce, failureOf, scrape } from '../helpers/tracker-client.js';
import { freePort, waitUntil } from '../helpers/wait.js';

const skip = needs(hasCommand('redis-server'), 'redis-server (Debian package redis-server)');

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout?.on('data', (c) => { out += c; });
  for (let i = 0; !out.includes('Ready to accept connections'); i++) {
    if (i > 100 || child.exitCode !== null) throw new Error(`redis-server did not start: ${out}`);
    await sleep(50);
  }
  return child;
}

const health = async (base: string): Promise<{ status: number; body: Record<string, unknown> }> => {
  const r = await fetch(`${base}/healthz`);
  return { status: r.status, body: await r.json() as Record<string, unknown> };
};

describe('a Redis outage', { skip }, () => {
  it('fails announces with a failure reason, reports 503, and keeps completed counts across a Redis restart', async () => {
    const port = await freePort();
    let redis = await startRedis(port);
    const t = await startTestServer(databaseKinds()[0], { REDIS_URL: `redis://127.0.0.1:${port}`, COMPLETED_FLUSH_INTERVAL: '1', LOG_LEVEL: 'silent' });
    try {
      const m = makeTorrent();
      assert.equal((await t.cli(['register', await writeTorrent(t.dataDir, m.file)])).code, 0);
      assert.ok(await waitUntil(async () => failureOf(await announce(t.announceUrl, { infoHash: m.infoHash, peerId: '-TT0001-out-a', port: 7400, left: 10 })) === null, 8000));
      const done = await announce(t.announceUrl, { infoHash: m.infoHash, peerId: '-TT0001-out-a', port: 7400, left: 0, event: 'completed' });
      assert.equal(done.downloaded, 1);
      assert.ok(await waitUntil(async () => Number((await t.server.ds.query(`SELECT completed FROM torrents WHERE info_hash = '${m.infoHash}'`))[0].completed) === 1, 8000));

      redis.kill('SIGKILL');
      await once(redis, 'exit');
      const down = await announce(t.announceUrl, { infoHash: m.infoHash, peerId: '-TT0001-out-b', port: 7401, left: 10 });
      assert.equal(failureOf(down), 'internal error');
      const h = await health(t.baseUrl);
      assert.deepEqual([h.status, h.body.error], [503, 'redis unreachable']);

      redis = await startRedis(port); // empty: no peers, no counts
      assert.ok(await waitUntil(async () => (await health(t.baseUrl)).status === 200, 8000));
      assert.ok(await waitUntil(async () => (await scrape(`${t.baseUrl}/scrape`, [m.infoHash]))[m.infoHash]?.downloaded === 1, 8000));
      const again = await announce(t.announceUrl, { infoHash: m.infoHash, peerId: '-TT0001-out-b', port: 7401, left: 0, event: 'completed' });
      assert.equal(again.downloaded, 2, 'counting goes on from the database, not from zero');
    } finally {
      await t.close();
      redis.kill('SIGKILL');
    }
  });
});

async function writeTorrent(dir: string, file: Buffer): Promise<string> {
  const p = path.join(dir, 'outage.torrent');
  await writeFile(p, file);
  return p;
}
