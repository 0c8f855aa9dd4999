// Issue 15 item 7: per-minute swarm history on the server, read through Swarm.history. With Redis,
// two instances share one history: one of them takes each minute's sample, both answer the same.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { startServer, type RunningServer } from '../../server/main.js';
import { HISTORY_MINUTES, MAX_HISTORY_POINTS, minuteOf } from '../../server/services/swarm-history.js';
import { databaseKinds } from '../helpers/databases.js';
import { ADMIN, ADMIN_ENV, codeOf, gql, login, ok, registerAs } from '../helpers/graphql-client.js';
import { closeAndClearRedis, storeBackends } from '../helpers/redis.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { announce } from '../helpers/tracker-client.js';

interface Point { at: string; seeders: number; leechers: number; completed: number }

for (const backend of storeBackends()) {
  describe(`swarm history (${backend.name} store)`, () => {
    let t: TestServer;
    let other: RunningServer | undefined; // a second instance on the same database and Redis
    let token: string;
    let h: string;
    let quiet: string;
    const now = Date.now();
    const ago = (m: number): number => now - m * 60_000;
    const history = async (url: string, infoHash: string, minutes?: number): Promise<Point[]> => ok(await gql(url, HISTORY, { h: infoHash, m: minutes })).swarm.history;
    // the history and its last minute (relative to now's), which must be a minute the query ran in:
    // the clock may pass a minute boundary while the test runs
    const historyUntilNow = async (url: string, infoHash: string, minutes?: number): Promise<{ points: Point[]; last: number }> => {
      const from = minuteOf(Date.now()) - minuteOf(now);
      const points = await history(url, infoHash, minutes);
      const to = minuteOf(Date.now()) - minuteOf(now);
      const last = minuteOf(Date.parse(points[points.length - 1].at)) - minuteOf(now);
      assert.ok(last >= from && last <= to, `the last point is minute ${last}, the query ran in ${from} to ${to}`);
      return { points, last };
    };

    before(async () => {
      t = await startTestServer(databaseKinds()[0], { ...ADMIN_ENV, ...backend.env() });
      if (backend.name === 'redis') other = await startServer(loadConfig(t.env), createLogger('warn'));
      token = await login(t.baseUrl, ADMIN.username, ADMIN.password);
      h = await registerAs(t.baseUrl, token);
      quiet = await registerAs(t.baseUrl, token);
      if (other) while (!other.registered.has(h) || !other.registered.has(quiet)) await new Promise((r) => setTimeout(r, 50));
    });
    after(async () => {
      await other?.close();
      await closeAndClearRedis(t);
    });

    it('samples the torrents with peers once a minute and reads minutes without a sample as no peers', async () => {
      await announce(t.announceUrl, { infoHash: h, peerId: '-qB4650-history00001', port: 6881, left: 0, event: 'started' });
      await announce(t.announceUrl, { infoHash: h, peerId: '-TR3000-history00002', port: 6882, left: 10, event: 'started' });
      assert.equal(await t.server.history.sample(ago(5)), 1, 'one torrent has peers');
      assert.equal(await t.server.history.sample(ago(5)), 0, 'a minute is sampled once');
      if (other) assert.equal(await other.history.sample(ago(5)), 0, 'another instance does not sample the same minute again');
      await announce(t.announceUrl, { infoHash: h, peerId: '-TR3000-history00003', port: 6883, left: 10, event: 'started' });
      assert.equal(await (other ?? t.server).history.sample(ago(4)), 1);
      const { points, last } = await historyUntilNow(t.baseUrl, h, 10);
      // the minutes without a sample read as no peers, up to the server's current minute
      const quietMinutes = Array.from({ length: last + 4 }, (_, i) => [i - 3, 0, 0]);
      assert.deepEqual(points.map((p) => [minuteOf(Date.parse(p.at)) - minuteOf(now), p.seeders, p.leechers]),
        [[-5, 1, 1], [-4, 1, 2], ...quietMinutes]);
      assert.deepEqual(await history(t.baseUrl, quiet, 10), [], 'no activity, no history');
      if (other) {
        const port = other.port;
        assert.deepEqual(await history(`http://127.0.0.1:${port}`, h, 10), points, 'both instances answer the same history');
      }
    });

    it(`merges a long span into at most ${MAX_HISTORY_POINTS} points, keeping the most peers`, async () => {
      const points = await history(t.baseUrl, h, HISTORY_MINUTES);
      assert.ok(points.length > 0 && points.length <= MAX_HISTORY_POINTS, `${points.length} points`);
      assert.equal(Math.max(...points.map((p) => p.leechers)), 2);
      const def = await historyUntilNow(t.baseUrl, h);
      assert.equal(def.points.length, def.last + 6, 'the default span is 60 minutes, from the first sample on');
    });

    it('refuses spans outside 1 to 4320 minutes', async () => {
      for (const m of [0, HISTORY_MINUTES + 1]) assert.equal(codeOf(await gql(t.baseUrl, HISTORY, { h, m })), 'BAD_USER_INPUT');
    });
  });
}

const HISTORY = 'query($h: String!, $m: Int) { swarm(infoHash: $h) { history(minutes: $m) { at seeders leechers completed } } }';
