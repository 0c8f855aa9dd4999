// A private Redis Cluster for tests: `masters` redis-server processes (each with `replicas`
// replicas) with --cluster-enabled yes on free loopback ports, joined by `redis-cli --cluster
// create`; nothing kept on disk but the node files in a temporary folder, removed on stop().
import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import { RedisPeerStore } from '../../server/redis/redis-peer-store.js';
import type { PeerStoreOptions } from '../../server/tracker/peer-store.js';
import { hasCommand, needs } from './environment.js';
import { startRedisServer } from './redis-server.js';
import { freePort, waitUntil } from './wait.js';

/** Skip reason for tests that run their own Redis Cluster (throws under CI when redis-server is missing). */
export const redisClusterSkip = (): string | false =>
  needs(hasCommand('redis-server') && hasCommand('redis-cli'), 'redis-server and redis-cli (Debian package redis-server)');

export interface TestCluster {
  /** host:port of every node, masters first, as REDIS_CLUSTER_NODES takes them. */
  nodes: string;
  ports: number[];
  /** Kills the process on `port` (as a crash would). */
  kill(port: number): Promise<void>;
  /** Starts one more node and adds it as a master without slots (redis-cli --cluster add-node); its port and node id. */
  addMaster(): Promise<{ port: number; id: string }>;
  /** Kills every node and removes the node files. */
  stop(): Promise<void>;
}

/** Milliseconds a master may be unreachable before its replica takes over (cluster-node-timeout). */
export const NODE_TIMEOUT_MS = 1000;

function startNode(port: number, dir: string): Promise<ChildProcess> {
  return startRedisServer(port, [
    '--cluster-enabled', 'yes', '--cluster-config-file', path.join(dir, `nodes-${port}.conf`),
    '--cluster-node-timeout', String(NODE_TIMEOUT_MS), '--dir', dir,
  ]);
}

/** Starts the cluster; resolves once every slot is served (cluster_state:ok on every node). */
export async function startRedisCluster(masters = 3, replicas = 0): Promise<TestCluster> {
  const dir = mkdtempSync(path.join(tmpdir(), 'seedhost-cluster-'));
  const ports: number[] = [];
  while (ports.length < masters * (1 + replicas)) {
    const p = await freePort();
    if (!ports.includes(p) && p < 55535) ports.push(p); // the cluster bus listens on port + 10000
  }
  const children = new Map<number, ChildProcess>();
  const stop = async (): Promise<void> => {
    await Promise.all([...children.keys()].map((p) => kill(p)));
    rmSync(dir, { recursive: true, force: true });
  };
  const kill = async (port: number): Promise<void> => {
    const c = children.get(port);
    children.delete(port);
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    c.kill('SIGKILL');
    await once(c, 'exit');
  };
  try {
    await Promise.all(ports.map(async (p) => children.set(p, await startNode(p, dir))));
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas', String(replicas), '--cluster-yes'], { encoding: 'utf8' });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    for (const p of ports) {
      const r = new Redis(p, '127.0.0.1', { lazyConnect: true });
      await r.connect();
      try {
        for (let i = 0; !/cluster_state:ok/.test(await r.cluster('INFO')); i++) {
          if (i > 200) throw new Error(`cluster node ${p} did not reach cluster_state:ok`);
          await new Promise((res) => setTimeout(res, 50));
        }
        // replicas: every master lists its replicas, and each replica's link is up
        const ready = async (): Promise<boolean> => {
          const ranges = await r.cluster('SLOTS') as unknown as unknown[][];
          const info = await r.info('replication');
          return ranges.every((range) => range.length >= 3 + replicas) && (!/^role:slave$/m.test(info) || /master_link_status:up/.test(info));
        };
        for (let i = 0; replicas > 0 && !(await ready()); i++) {
          if (i > 300) throw new Error(`cluster node ${p} did not see its replicas`);
          await new Promise((res) => setTimeout(res, 50));
        }
      } finally {
        r.disconnect();
      }
    }
  } catch (e) {
    await stop();
    throw e;
  }
  const addMaster = async (): Promise<{ port: number; id: string }> => {
    let port = await freePort();
    while (ports.includes(port) || port >= 55535) port = await freePort();
    children.set(port, await startNode(port, dir));
    const add = spawnSync('redis-cli', ['--cluster', 'add-node', `127.0.0.1:${port}`, `127.0.0.1:${ports[0]}`], { encoding: 'utf8' });
    if (add.status !== 0) throw new Error(`redis-cli --cluster add-node failed: ${add.stdout}${add.stderr}`);
    ports.push(port);
    const r = new Redis(port, '127.0.0.1');
    try {
      const id = String(await r.cluster('MYID'));
      // every node knows it (the first one was told; the rest hear by gossip)
      for (const p of ports) {
        const n = new Redis(p, '127.0.0.1');
        try {
          if (!await waitUntil(async () => String(await n.cluster('NODES')).includes(id), 10_000)) throw new Error(`cluster node ${p} did not learn of ${port}`);
        } finally {
          n.disconnect();
        }
      }
      // it sees every slot served (until then it answers CLUSTERDOWN, a MIGRATE to it too)
      if (!await waitUntil(async () => /cluster_state:ok/.test(String(await r.cluster('INFO'))), 10_000)) throw new Error(`cluster node ${port} did not reach cluster_state:ok`);
      // and they agree on the configuration (redis-cli --cluster reshard checks it first)
      const agreed = (): boolean => {
        const check = spawnSync('redis-cli', ['--cluster', 'check', `127.0.0.1:${ports[0]}`], { encoding: 'utf8' });
        return check.status === 0 && !check.stdout.includes('[ERR]');
      };
      if (!await waitUntil(agreed, 10_000, 100)) throw new Error('the cluster did not agree on its configuration');
      return { port, id };
    } finally {
      r.disconnect();
    }
  };
  return { nodes: ports.map((p) => `127.0.0.1:${p}`).join(','), ports, kill, stop, addMaster };
}

/** Deletes every key under `prefix` on every master of a cluster (SCAN per node, one DEL per key: keys span slots). */
export async function deleteClusterPrefix(cluster: Cluster, prefix: string): Promise<void> {
  await Promise.all(cluster.nodes('master').map(async (node) => {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      await Promise.all(keys.map((k) => cluster.del(k)));
    } while (cursor !== '0');
  }));
}

/** A cluster client (auto-pipelining, masters only) for a running test cluster. */
export function clusterClient(c: TestCluster): Cluster {
  return new Cluster(c.ports.map((port) => ({ host: '127.0.0.1', port })), { enableAutoPipelining: true, scaleReads: 'master' });
}

let shared: Promise<{ cluster: TestCluster; client: Cluster }> | undefined;

/** The test file's one private cluster (3 masters), started on first use and stopped after the file. */
export function sharedCluster(): Promise<{ cluster: TestCluster; client: Cluster }> {
  shared ??= startRedisCluster(3, 0).then((cluster) => ({ cluster, client: clusterClient(cluster) }));
  return shared;
}

// registered when a test file imports this helper (at its top level, as node:test wants hooks)
after(async () => {
  const s = await shared?.catch(() => undefined);
  s?.client.disconnect();
  await s?.cluster.stop();
});

/** A RedisPeerStore on the file's shared cluster under a fresh prefix; close() deletes its keys. */
export async function testClusterStore(opts: PeerStoreOptions = {}): Promise<RedisPeerStore> {
  const { client } = await sharedCluster();
  const prefix = `seedhost-test:${randomBytes(6).toString('hex')}:`;
  const store = new RedisPeerStore(client, { ...opts, prefix });
  return Object.assign(store, { close: () => deleteClusterPrefix(client, prefix) });
}
