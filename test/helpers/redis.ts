// A Redis for tests: TEST_REDIS_URL, each store under a random key prefix that is deleted again
// on close(), so tests (and other users of the same Redis) never see each other's keys.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisPeerStore } from '../../server/redis/redis-peer-store.js';
import type { PeerStoreOptions } from '../../server/tracker/peer-store.js';
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
export function testRedisStore(opts: PeerStoreOptions = {}): RedisPeerStore {
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
