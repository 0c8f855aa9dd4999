import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { RedisLoginLimiter } from '../../../server/redis/login-limiter.js';
import { deletePrefix, redisSkip, TEST_REDIS_URL } from '../../helpers/redis.js';

const skip = redisSkip();

describe('Redis login limiter', { skip }, () => {
  let redis: Redis;
  const prefix = `seedhost-test:${randomBytes(6).toString('hex')}:`;
  before(() => {
    redis = new Redis(TEST_REDIS_URL as string);
  });
  after(async () => {
    await deletePrefix(redis, prefix);
    await redis.quit();
  });

  it('refuses a username after 5 failures, on every instance, and says for how long', async () => {
    const a = new RedisLoginLimiter(redis, prefix);
    const b = new RedisLoginLimiter(redis, prefix); // another instance sharing the Redis
    for (let i = 0; i < 4; i++) await a.fail('Alice', '10.0.0.1');
    assert.equal(await b.retryAfter('alice', '10.0.0.2'), 0);
    await b.fail('alice', '10.0.0.2');
    const wait = await a.retryAfter('ALICE', '10.0.0.3');
    assert.ok(wait > 14 * 60 * 1000 && wait <= 15 * 60 * 1000, `wait ${wait}`);
    assert.equal(await a.retryAfter('bob', '10.0.0.3'), 0);
  });

  it('limits one address across usernames, and forgets the failures after a success', async () => {
    const l = new RedisLoginLimiter(redis, prefix, 5, 3);
    for (const u of ['u1', 'u2', 'u3']) await l.fail(u, '192.0.2.9');
    assert.ok((await l.retryAfter('u4', '192.0.2.9')) > 0);
    assert.equal(await l.retryAfter('u4', '192.0.2.10'), 0);
    await l.succeed('u3', '192.0.2.9');
    assert.equal(await l.retryAfter('u4', '192.0.2.9'), 0);
  });

  it('lets failures age out of the window', async () => {
    const l = new RedisLoginLimiter(redis, prefix, 2, 30, 300);
    await l.fail('carol', '198.51.100.1');
    await l.fail('carol', '198.51.100.1');
    assert.ok((await l.retryAfter('carol', '198.51.100.1')) > 0);
    await new Promise((r) => setTimeout(r, 350));
    assert.equal(await l.retryAfter('carol', '198.51.100.1'), 0);
  });
});
