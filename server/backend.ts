// Where shared state lives: in this process (memory swarm store, per-process login limiter), or
// with REDIS_URL (or REDIS_CLUSTER_NODES) in Redis (swarms, completed counts, login failures,
// events between instances), so several instances serve one tracker. Part of the wiring that
// main.ts does.
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { redisTarget, type Config } from './config.js';
import { createRedisClient } from './redis/connect.js';
import { RedisEventBus, type InstanceEvent } from './redis/event-bus.js';
import { RedisHistoryLog } from './redis/history-log.js';
import { RedisLoginLimiter } from './redis/login-limiter.js';
import { RedisPeerStore } from './redis/redis-peer-store.js';
import { flushCompleted, writeCompletedTotals } from './services/flush-completed.js';
import { LoginLimiter, type LoginAttempts } from './services/login-limiter.js';
import { MemoryHistoryLog } from './services/memory-history-log.js';
import type { HistoryLog } from './services/swarm-history.js';
import type { CompletedTally } from './tracker/completed-tally.js';
import { MemoryPeerStore } from './tracker/memory-peer-store.js';
import type { PeerStore } from './tracker/peer-store.js';

export interface Backend {
  store: PeerStore;
  limiter: LoginAttempts;
  /** Where swarm history samples go (per process, or shared in Redis). */
  history: HistoryLog;
  /** Events between instances; undefined without Redis. */
  bus: RedisEventBus | undefined;
  /** Writes finished-download counts to the database (this process's, or every instance's via Redis). */
  flushCompleted(ds: DataSource, tally: CompletedTally): Promise<void>;
  /** Resolves when the shared store answers (health checks). */
  ping(): Promise<void>;
  /** Drops expired peers; with Redis only one instance per sweep interval does it. */
  sweep(before: number): Promise<number>;
  close(): Promise<void>;
}

/** Builds the backend for `config`; `onEvent` receives what other instances publish, `onReconnect` runs after Redis came back. */
export async function openBackend(config: Config, log: Logger, onEvent: (e: InstanceEvent) => void, onReconnect: () => void = () => undefined): Promise<Backend> {
  const target = redisTarget(config);
  if (target === undefined) {
    const store = new MemoryPeerStore({ maxPeersPerAddress: config.maxPeersPerAddress });
    return {
      store,
      limiter: new LoginLimiter(),
      history: new MemoryHistoryLog(),
      bus: undefined,
      flushCompleted: async (ds, tally) => void (await flushCompleted(ds, tally)),
      ping: async () => undefined,
      sweep: async (before) => store.expire(before),
      close: async () => store.close(),
    };
  }
  const prefix = config.redisPrefix;
  // fail fast while Redis is away: an announce gets a failure reason instead of hanging
  const redis = createRedisClient(target, { enableAutoPipelining: true, lazyConnect: true, maxRetriesPerRequest: 1, commandTimeout: 2000 });
  redis.on('error', (err) => log.warn({ err }, 'redis error'));
  // a reconnect may be to a Redis that restarted empty: let the caller put counts back. Listened
  // to before connecting, the first 'ready' skipped: a Cluster client emits it after connect()
  // has resolved, a single Redis before
  let connected = false;
  redis.on('ready', () => {
    if (!connected) {
      connected = true;
      return;
    }
    log.warn('reconnected to redis');
    onReconnect();
  });
  await redis.connect();
  const store = new RedisPeerStore(redis, { prefix, maxPeersPerAddress: config.maxPeersPerAddress });
  const bus = new RedisEventBus(target, prefix, onEvent, (err) => log.warn({ err }, 'redis event bus error'));
  await bus.start();
  const leaseKey = `${prefix}lease:sweep`;
  return {
    store,
    limiter: new RedisLoginLimiter(redis, prefix),
    history: new RedisHistoryLog(redis, prefix, bus.id),
    bus,
    async flushCompleted(ds, tally) {
      tally.drain(); // the Redis store counts finished downloads itself, for every instance
      // pending until confirmed: a failed or interrupted write leaves them for the next flush
      const totals = await store.pendingCompletedChanges();
      if (totals.size === 0) return;
      await writeCompletedTotals(ds, totals);
      await store.confirmCompletedChanges(totals);
    },
    async ping() {
      await redis.ping();
    },
    async sweep(before) {
      const ms = Math.max(1000, config.sweepInterval * 1000 - 500);
      if ((await redis.set(leaseKey, bus.id, 'PX', ms, 'NX')) !== 'OK') return 0;
      return store.expire(before);
    },
    async close() {
      await bus.close();
      await store.close();
      await redis.quit().catch(() => undefined);
    },
  };
}
