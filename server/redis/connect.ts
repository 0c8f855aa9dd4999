// Opens the ioredis client for REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster):
// the rest of the Redis code takes either (redis-nodes.ts RedisClient).
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisClient } from './redis-nodes.js';

/** Where Redis is: a URL, or the seed nodes of a cluster (any reachable one finds the rest). */
export type RedisTarget = { url: string } | { clusterNodes: { host: string; port: number }[] };

/** Connection options as for one Redis; on a cluster they apply to every node's connection. */
export type ClientOptions = Pick<RedisOptions, 'lazyConnect' | 'maxRetriesPerRequest' | 'commandTimeout' | 'enableAutoPipelining' | 'autoResubscribe' | 'retryStrategy'>;

/** A client for `target` (a string: a URL); on a cluster, commands go to masters only (replicas may lag). */
export function createRedisClient(target: RedisTarget | string, opts: ClientOptions = {}): RedisClient {
  if (typeof target === 'string') return new Redis(target, opts);
  if ('url' in target) return new Redis(target.url, opts);
  const { lazyConnect, enableAutoPipelining, retryStrategy, ...node } = opts;
  return new Cluster(target.clusterNodes, {
    lazyConnect, enableAutoPipelining, scaleReads: 'master',
    // a start with no node reachable gives up as one Redis would; afterwards ioredis keeps trying
    clusterRetryStrategy: retryStrategy == null ? undefined : (times) => retryStrategy(times) ?? null,
    redisOptions: node,
  });
}
