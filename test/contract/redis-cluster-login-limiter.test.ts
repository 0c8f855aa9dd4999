import { randomBytes } from 'node:crypto';
import { RedisLoginLimiter } from '../../server/redis/login-limiter.js';
import { deleteClusterPrefix, redisClusterSkip, sharedCluster } from '../helpers/redis-cluster.js';
import { loginLimiterContract } from './login-limiter.contract.js';

loginLimiterContract('redis cluster (3 masters)', async (policy, clock) => {
  const { client } = await sharedCluster();
  const prefix = `seedhost-test:${randomBytes(6).toString('hex')}:`;
  return { limiter: new RedisLoginLimiter(client, prefix, policy, clock), close: () => deleteClusterPrefix(client, prefix) };
}, redisClusterSkip());
