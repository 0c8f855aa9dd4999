// A Redis for tests: TEST_REDIS_URL, each store under a random key prefix that is deleted again
// on close(), so tests (and other users of the same Redis) never see each other's keys.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisPeerStore, type RedisPeerStoreOptions } from '../../server/redis/redis-peer-store.js';
import { needs } from './environment.js';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL;

/** Skip reason for suites that need Redis (throws under CI when TEST_REDIS_URL is unset). */
export const redisSkip = (): string | false => needs(TEST_REDIS_URL !== undefined, 'a Redis server (set TEST_REDIS_URL)');

/** Deletes every key under `prefix` (SCAN, never KEYS or FLUSHDB: the Redis may be shared). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

/** A RedisPeerStore on its own client and a fresh prefix; close() deletes its keys, then quits. */
export function testRedisStore(opts: Omit<RedisPeerStoreOptions, 'prefix'> = {}): RedisPeerStore {
  const prefix = `seedhost-test:${randomBytes(6).toString('hex')}:`;
  const redis = new Redis(TEST_REDIS_URL as string, { enableAutoPipelining: true });
  const store = new RedisPeerStore(redis, { ...opts, prefix });
  return Object.assign(store, {
    close: async (): Promise<void> => {
      await deletePrefix(redis, prefix);
      await redis.quit();
    },
  });
}

/** The swarm stores a server suite runs on: memory, and Redis (env for a fresh REDIS_PREFIX) when TEST_REDIS_URL is set. */
export function storeBackends(): { name: string; env: () => Record<string, string> }[] {
  const backends = [{ name: 'memory', env: (): Record<string, string> => ({}) }];
  if (TEST_REDIS_URL !== undefined) {
    backends.push({ name: 'redis', env: () => ({ REDIS_URL: TEST_REDIS_URL as string, REDIS_PREFIX: `seedhost-test-${randomBytes(4).toString('hex')}:` }) });
  }
  return backends;
}

/** Closes a test server, then deletes the Redis keys under its REDIS_PREFIX, if it had one. */
export async function closeAndClearRedis(t: { env: Record<string, string>; close(): Promise<void> }): Promise<void> {
  const prefix = t.env.REDIS_PREFIX;
  await t.close();
  if (prefix !== undefined) {
    const r = new Redis(TEST_REDIS_URL as string);
    await deletePrefix(r, prefix);
    await r.quit();
  }
}
