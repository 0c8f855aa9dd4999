// openBackend's reconnect hook (main.ts gives completed counts back to a Redis that restarted
// empty): called after a reconnect, never for the first connection, on one Redis and on a Cluster
// (whose client emits its first 'ready' after connect() has resolved).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Logger } from 'pino';
import { openBackend } from '../../../server/backend.js';
import type { Config } from '../../../server/config.js';
import { redisClusterSkip, sharedCluster } from '../../helpers/redis-cluster.js';
import { killRedisServer, redisServerSkip, startRedisServer } from '../../helpers/redis-server.js';
import { freePort, waitUntil } from '../../helpers/wait.js';

/** A logger keeping its warnings' messages. */
function warnings(): { log: Logger; warned: string[] } {
  const warned: string[] = [];
  const keep = (...args: unknown[]): void => void warned.push(String(args.find((a) => typeof a === 'string')));
  const log = { warn: keep, error: keep, info: () => undefined, debug: () => undefined } as unknown as Logger;
  return { log, warned };
}

const configOf = (redis: Pick<Config, 'redisUrl' | 'redisClusterNodes'>): Config => ({
  ...redis, redisPrefix: `seedhost-test:${randomBytes(6).toString('hex')}:`, maxPeersPerAddress: 8, sweepInterval: 60,
}) as Config;

describe('openBackend on Redis: the reconnect hook', () => {
  it('is not called for the first connection to a Cluster', { skip: redisClusterSkip() }, async () => {
    const { cluster } = await sharedCluster();
    const { log, warned } = warnings();
    let reconnects = 0;
    const nodes = cluster.ports.map((port) => ({ host: '127.0.0.1', port }));
    const backend = await openBackend(configOf({ redisUrl: undefined, redisClusterNodes: nodes }), log, () => undefined, () => reconnects++);
    try {
      await backend.ping();
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(reconnects, 0);
      assert.deepEqual(warned.filter((w) => /reconnected/.test(w)), []);
    } finally {
      await backend.close();
    }
  });

  it('is called once after one Redis restarts, not for the first connection', { skip: redisServerSkip() }, async () => {
    const port = await freePort();
    let redis = await startRedisServer(port);
    const { log, warned } = warnings();
    let reconnects = 0;
    const backend = await openBackend(configOf({ redisUrl: `redis://127.0.0.1:${port}`, redisClusterNodes: undefined }), log, () => undefined, () => reconnects++);
    try {
      await backend.ping();
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(reconnects, 0, 'no call for the first connection');
      await killRedisServer(redis);
      redis = await startRedisServer(port);
      await waitUntil(() => reconnects > 0, 10_000);
      await backend.ping();
      assert.equal(reconnects, 1);
      assert.equal(warned.filter((w) => /reconnected/.test(w)).length, 1);
    } finally {
      await backend.close();
      await killRedisServer(redis);
    }
  });
});
