// A server on its own private redis-server, which the test stops and starts again: announces fail
// cleanly while Redis is away, /healthz says so, and completed counts come back from the database.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { databaseKinds } from '../helpers/databases.js';
import { makeTorrent } from '../helpers/make-torrent.js';
import { killRedisServer, redisServerSkip, startRedisServer } from '../helpers/redis-server.js';
import { startTestServer } from '../helpers/test-server.js';
import { announce, failureOf, scrape } from '../helpers/tracker-client.js';
import { freePort, waitUntil } from '../helpers/wait.js';

const skip = redisServerSkip();

const health = async (base: string): Promise<{ status: number; body: Record<string, unknown> }> => {
  const r = await fetch(`${base}/healthz`);
  return { status: r.status, body: await r.json() as Record<string, unknown> };
};

describe('a Redis outage', { skip }, () => {
  it('fails announces with a failure reason, reports 503, and keeps completed counts across a Redis restart', async () => {
    const port = await freePort();
    let redis = await startRedisServer(port);
    const t = await startTestServer(databaseKinds()[0], { REDIS_URL: `redis://127.0.0.1:${port}`, COMPLETED_FLUSH_INTERVAL: '1', LOG_LEVEL: 'silent' });
    try {
      const m = makeTorrent();
      assert.equal((await t.cli(['register', await writeTorrent(t.dataDir, m.file)])).code, 0);
      assert.ok(await waitUntil(async () => failureOf(await announce(t.announceUrl, { infoHash: m.infoHash, peerId: '-TT0001-out-a', port: 7400, left: 10 })) === null, 8000));
      const done = await announce(t.announceUrl, { infoHash: m.infoHash, peerId: '-TT0001-out-a', port: 7400, left: 0, event: 'completed' });
      assert.equal(done.downloaded, 1);
      assert.ok(await waitUntil(async () => Number((await t.server.ds.query(`SELECT completed FROM torrents WHERE info_hash = '${m.infoHash}'`))[0].completed) === 1, 8000));

      await killRedisServer(redis);
      const down = await announce(t.announceUrl, { infoHash: m.infoHash, peerId: '-TT0001-out-b', port: 7401, left: 10 });
      assert.equal(failureOf(down), 'internal error');
      const h = await health(t.baseUrl);
      assert.deepEqual([h.status, h.body.error], [503, 'redis unreachable']);

      redis = await startRedisServer(port); // empty: no peers, no counts
      assert.ok(await waitUntil(async () => (await health(t.baseUrl)).status === 200, 8000));
      assert.ok(await waitUntil(async () => (await scrape(`${t.baseUrl}/scrape`, [m.infoHash]))[m.infoHash]?.downloaded === 1, 8000));
      const again = await announce(t.announceUrl, { infoHash: m.infoHash, peerId: '-TT0001-out-b', port: 7401, left: 0, event: 'completed' });
      assert.equal(again.downloaded, 2, 'counting goes on from the database, not from zero');
    } finally {
      await t.close();
      await killRedisServer(redis);
    }
  });
});

async function writeTorrent(dir: string, file: Buffer): Promise<string> {
  const p = path.join(dir, 'outage.torrent');
  await writeFile(p, file);
  return p;
}
