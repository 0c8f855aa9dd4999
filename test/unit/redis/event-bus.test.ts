import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { publishEvent, RedisEventBus, SWARM_BATCH_MS, type InstanceEvent } from '../../../server/redis/event-bus.js';
import { redisSkip, TEST_REDIS_URL } from '../../helpers/redis.js';
import { killRedisServer, redisServerSkip, startRedisServer } from '../../helpers/redis-server.js';
import { freePort } from '../../helpers/wait.js';

const skip = redisSkip();
const waitFor = async (events: InstanceEvent[], n: number, ms = 2000): Promise<void> => {
  const end = Date.now() + ms;
  while (events.length < n) {
    if (Date.now() > end) throw new Error(`only ${events.length} of ${n} events arrived: ${JSON.stringify(events)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('Redis event bus', { skip }, () => {
  it('delivers registry changes and batched swarm changes to the other instances only', async () => {
    const prefix = `seedhost-test:${randomBytes(6).toString('hex')}:`;
    const got: Record<'a' | 'b' | 'c', InstanceEvent[]> = { a: [], b: [], c: [] };
    const fail = (e: unknown): void => assert.fail(String(e));
    const a = new RedisEventBus(TEST_REDIS_URL as string, prefix, (e) => got.a.push(e), fail);
    const b = new RedisEventBus(TEST_REDIS_URL as string, prefix, (e) => got.b.push(e), fail);
    const c = new RedisEventBus(TEST_REDIS_URL as string, `${prefix}other:`, (e) => got.c.push(e), fail);
    await Promise.all([a.start(), b.start(), c.start()]);
    try {
      a.registryChanged();
      await waitFor(got.b, 1);
      assert.deepEqual(got.b, [{ kind: 'registry' }]);
      got.b.length = 0;
      const t0 = Date.now();
      for (const h of ['aa', 'bb', 'aa', 'cc']) a.swarmChanged(h.repeat(20));
      await waitFor(got.b, 1);
      assert.ok(Date.now() - t0 >= SWARM_BATCH_MS - 5);
      assert.deepEqual(got.b, [{ kind: 'swarms', infoHashes: ['aa'.repeat(20), 'bb'.repeat(20), 'cc'.repeat(20)] }]);
      await publishEvent(TEST_REDIS_URL as string, prefix, { kind: 'registry' }); // the command line
      await waitFor(got.a, 1);
      await waitFor(got.b, 2);
      await new Promise((r) => setTimeout(r, 150));
      assert.deepEqual(got.a, [{ kind: 'registry' }], 'an instance does not hear itself');
      assert.deepEqual(got.c, [], 'another prefix hears nothing');
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });
});

describe('Redis event bus across a Redis restart', { skip: redisServerSkip() }, () => {
  it('subscribes again once Redis is back, and closes cleanly while it reconnects', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    let redis = await startRedisServer(port);
    const got: InstanceEvent[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    const a = new RedisEventBus(url, 'restart:', () => undefined, () => undefined);
    const b = new RedisEventBus(url, 'restart:', (e) => got.push(e), () => undefined);
    const late = new RedisEventBus(url, 'restart:', () => undefined, () => undefined);
    try {
      await Promise.all([a.start(), b.start(), late.start()]);
      await killRedisServer(redis);
      redis = await startRedisServer(port); // empty: no subscriptions survive
      // closed while its subscriber reconnects
      await late.close();
      const end = Date.now() + 8000;
      while (got.length === 0 && Date.now() < end) {
        a.registryChanged(); // until b has subscribed again (a publish is lost while nobody listens)
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(got[0], { kind: 'registry' });
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await Promise.allSettled([a.close(), b.close(), late.close()]);
      await killRedisServer(redis);
    }
  });
});
