import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisLoginLimiter } from '../../server/redis/login-limiter.js';
import { deletePrefix, redisSkip, TEST_REDIS_URL } from '../helpers/redis.js';
import { loginLimiterContract } from './login-limiter.contract.js';

loginLimiterContract('redis', (policy, clock) => {
  const redis = new Redis(TEST_REDIS_URL as string, { enableAutoPipelining: true });
  const prefix = `seedhost-test:${randomBytes(6).toString('hex')}:`;
  return { limiter: new RedisLoginLimiter(redis, prefix, policy, clock), close: async () => { await deletePrefix(redis, prefix); await redis.quit(); } };
}, redisSkip());
