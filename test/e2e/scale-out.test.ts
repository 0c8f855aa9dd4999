// Two real seedhost processes sharing one database, one DATA_DIR and one Redis (or a private
// 3-master Redis Cluster), as behind a load balancer: what one instance learns, the other serves;
// killing one loses nothing.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createDataSource } from '../../server/db/data-source.js';
import { acceptAddon } from '../../server/http/native-front.js';
import { batchAddon } from '../../server/udp/udp-batch-socket.js';
import { databaseKinds, type TestDatabase } from '../helpers/databases.js';
import { needs } from '../helpers/environment.js';
import { deletePrefix } from '../helpers/redis.js';
import { deleteClusterPrefix, redisClusterSkip, sharedCluster } from '../helpers/redis-cluster.js';
import { ADMIN, ADMIN_ENV, fileParts, login, ok, primed, sleep, upload, wsClient, type WsClient } from '../helpers/graphql-client.js';
import { makeTorrent } from '../helpers/make-torrent.js';
import { spawnServer, stopServer, type ServerProcess } from '../helpers/server-process.js';
import { freePort, waitUntil } from '../helpers/wait.js';
import { CLI } from '../helpers/test-server.js';
import { announce, failureOf, scrape } from '../helpers/tracker-client.js';
import { announcePacket, readAnnounce, readError, UdpClient } from '../helpers/udp-client.js';

const REDIS_URL = process.env.TEST_REDIS_URL;
const skip = needs(REDIS_URL !== undefined, 'a Redis server: set TEST_REDIS_URL=redis://127.0.0.1:6379');
const clusterSkip = redisClusterSkip();

/** Where the instances keep shared state: its env, and how to delete a prefix's keys after. */
interface RedisKind {
  name: string;
  env(): Promise<Record<string, string>>;
  clear(prefix: string): Promise<void>;
}
const oneRedis: RedisKind = {
  name: 'one Redis',
  env: async () => ({ REDIS_URL: REDIS_URL as string }),
  clear: async (prefix) => {
    const redis = new Redis(REDIS_URL as string);
    await deletePrefix(redis, prefix).finally(() => redis.disconnect());
  },
};
const aCluster: RedisKind = {
  name: 'a 3-master Redis Cluster',
  env: async () => ({ REDIS_CLUSTER_NODES: (await sharedCluster()).cluster.nodes }),
  clear: async (prefix) => deleteClusterPrefix((await sharedCluster()).client, prefix),
};
// the cluster on the first database kind only: the database adds nothing to what it shows
const runs = [
  ...(skip ? [] : databaseKinds().map((kind) => ({ kind, redis: oneRedis }))),
  ...(clusterSkip ? [] : [{ kind: databaseKinds()[0], redis: aCluster }]),
];

for (const { kind, redis: where } of runs) {
  describe(`two instances on one ${kind.name} database and ${where.name}`, () => {
    let db: TestDatabase;
    let dataDir: string;
    let env: Record<string, string>;
    const prefix = `seedhost-test-${randomBytes(4).toString('hex')}:`;
    let a: ServerProcess;
    let b: ServerProcess;
    let urlA: string;
    let urlB: string;
    let ws: WsClient;
    let infoHash: string;
    let size: number;

    before(async () => {
      db = await kind.create();
      dataDir = mkdtempSync(path.join(tmpdir(), 'seedhost-scale-'));
      // SYNC_INTERVAL 60: the database poll is too slow to explain anything seen within a second
      env = {
        ...ADMIN_ENV, DATA_DIR: dataDir, DATABASE_URL: db.url, ...(await where.env()), REDIS_PREFIX: prefix,
        PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', SYNC_INTERVAL: '60', COMPLETED_FLUSH_INTERVAL: '1',
      };
      // started together: they race on migrations and on creating the admin
      a = spawnServer(env);
      b = spawnServer(env);
      urlA = base(await a.port);
      urlB = base(await b.port);
      ws = await wsClient(urlB);
    });
    after(async () => {
      await ws?.close();
      await Promise.all([a, b].filter(Boolean).map((s) => stopServer(s)));
      rmSync(dataDir, { recursive: true, force: true });
      await db?.drop();
      await where.clear(prefix);
    });

    it('accepts on B, within a second, a torrent published on A', async () => {
      const token = await login(urlA, ADMIN.username, ADMIN.password);
      const data = randomBytes(70_000);
      size = data.length;
      const r = ok(await upload(urlA, UPLOAD_TORRENT, { files: [null], pieceLength: 32768 }, fileParts([['shared.bin', data]]), { token }));
      infoHash = r.uploadTorrent.infoHash;
      const t0 = Date.now();
      let reply: Awaited<ReturnType<typeof announce>> = {};
      await waitUntil(async () => failureOf(reply = await announce(`${urlB}/announce`, { infoHash, peerId: '-TT0001-seed-a', port: 7001, left: 0 })) === null, 3000, 25);
      assert.equal(failureOf(reply), null);
      assert.ok(Date.now() - t0 < 1000, `B accepted it after ${Date.now() - t0} ms`);
      // and B serves the content A stored, as a webseed
      const got = await fetch(`${urlB}/webseed/${infoHash}/shared.bin`, { headers: { range: 'bytes=0-9' } });
      assert.equal(got.status, 206);
      assert.deepEqual(Buffer.from(await got.arrayBuffer()), data.subarray(0, 10));
    });

    it('hands out on B a peer that announced on A', async () => {
      await announce(`${urlA}/announce`, { infoHash, peerId: '-TT0001-seed-b', port: 7002, left: 0 });
      const r = await announce(`${urlB}/announce`, { infoHash, peerId: '-TT0001-leech-1', port: 7101, left: size, numwant: 50 });
      assert.equal(failureOf(r), null);
      const peers = (r.peers as Buffer);
      const ports = new Set<number>();
      for (let i = 0; i + 6 <= peers.length; i += 6) ports.add(peers.readUInt16BE(i + 4));
      assert.ok(ports.has(7002), `peers from B: ${[...ports].join(',')}`);
      assert.ok(ports.has(7001));
      assert.equal(r.complete, 2);
      assert.equal(r.incomplete, 1);
    });

    it('pushes swarmUpdated to a subscriber on B for an announce handled by A', async () => {
      const sub = ws.subscribe<{ infoHash: string; seeders: number; leechers: number; completed: number }>(SWARM_UPDATED, { h: infoHash });
      try {
        let port = 7200;
        await primed(sub, () => announce(`${urlA}/announce`, { infoHash, peerId: `-TT0001-prime${port}`, port: port++, left: size }));
        await sleep(400);
        sub.events.length = 0;
        const before = (await scrape(`${urlA}/scrape`, [infoHash]))[infoHash];
        await announce(`${urlA}/announce`, { infoHash, peerId: '-TT0001-seed-c', port: 7003, left: 0 });
        const e = await sub.waitFor((u) => u.seeders === before.complete + 1, 2000);
        assert.equal(e.leechers, before.incomplete);
      } finally {
        sub.close();
      }
    });

    it('scrapes the same counts on both instances', async () => {
      await announce(`${urlA}/announce`, { infoHash, peerId: '-TT0001-leech-1', port: 7101, left: 0, event: 'completed' });
      const [sa, sb] = await Promise.all([scrape(`${urlA}/scrape`, [infoHash]), scrape(`${urlB}/scrape`, [infoHash])]);
      assert.deepEqual(sa, sb);
      assert.equal(sa[infoHash].downloaded, 1);
    });

    it('loses no torrent and no completed count when A is killed, and B keeps serving', async () => {
      await stopServer(a, 'SIGKILL');
      const r = await announce(`${urlB}/announce`, { infoHash, peerId: '-TT0001-leech-2', port: 7102, left: size });
      assert.equal(failureOf(r), null);
      assert.equal(r.downloaded, 1);
      // B writes the count A's announce produced (flush every second)
      const ds = createDataSource(db.url);
      await ds.initialize();
      try {
        const completed = async (): Promise<number> => Number((await ds.query(`SELECT completed FROM torrents WHERE info_hash = '${infoHash}'`))[0].completed);
        await waitUntil(async () => (await completed()) === 1, 4000);
        assert.equal(await completed(), 1);
      } finally {
        await ds.destroy();
      }
      // a restarted A serves the torrent with its count
      a = spawnServer(env);
      urlA = base(await a.port);
      const [sa, sb] = await Promise.all([scrape(`${urlA}/scrape`, [infoHash]), scrape(`${urlB}/scrape`, [infoHash])]);
      assert.equal(sa[infoHash].downloaded, 1);
      assert.deepEqual(sa, sb);
    });
  });
}

/** A UDP port free now (the kernel's pick, released). */
const freeUdpPort = (): Promise<number> => new Promise((resolve) => {
  const s = dgram.createSocket('udp4');
  s.bind(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

// PORT=0: the workers share the primary's port through Node's cluster (the primary accepts and
// passes each connection on); a fixed port: each worker listens on it with the native accept loop
// (SO_REUSEPORT), where the addon is built
for (const fixedPort of [false, true]) describe(`one worker per core (WORKERS=2 on Redis, ${fixedPort ? 'a fixed port: each worker its own socket' : 'PORT=0: the primary\'s port'})`, { skip }, () => {
  it('serves one swarm from every worker, replaces a worker that dies, and stops on SIGTERM', async () => {
    const httpPort = fixedPort ? String(await freePort()) : '0';
    const httpIo = fixedPort && acceptAddon() !== null ? 'native' : 'node';
    const dataDir = mkdtempSync(path.join(tmpdir(), 'seedhost-workers-'));
    const prefix = `seedhost-test-${randomBytes(4).toString('hex')}:`;
    // one UDP port for both workers: dgram shares the primary's socket, the batch socket binds it in each worker (SO_REUSEPORT)
    const udpPort = await freeUdpPort();
    const env = { DATA_DIR: dataDir, REDIS_URL: REDIS_URL as string, REDIS_PREFIX: prefix, PORT: httpPort, UDP_PORT: String(udpPort), HOST: '127.0.0.1', LOG_LEVEL: 'info', WORKERS: '2' };
    const s = spawnServer(env, 'seedhost cluster listening');
    try {
      const url = `${base(await s.port)}/announce`;
      const workers = (): number[] => childPids(s.child.pid as number);
      assert.equal(workers().length, 2);
      const m = makeTorrent();
      writeFileSync(path.join(dataDir, 'm.torrent'), m.file);
      const cli = spawnSync(process.execPath, [CLI, 'register', path.join(dataDir, 'm.torrent')], { env: { ...process.env, ...env } });
      assert.equal(cli.status, 0, String(cli.stderr));
      // one connection per announce: the primary hands connections to the workers in turn
      // (the command line's registration reaches the workers through Redis at once; allow a moment)
      let last: Awaited<ReturnType<typeof announce>> = {};
      // from two addresses: one address holds at most MAX_PEERS_PER_ADDRESS (8) of a swarm
      for (let i = 0; i < 12; i++) {
        const from = i < 6 ? '127.0.0.1' : '127.0.0.2';
        await waitUntil(async () => failureOf(last = await announce(url, { infoHash: m.infoHash, peerId: `-TT0001-w${i}`, port: 7300 + i, left: 10 }, { connection: 'close' }, from)) === null, 1000, 25);
      }
      assert.equal(last.incomplete, 12);
      assert.equal((last.peers as Buffer).length, 11 * 6, 'the last peer sees the 11 others, whichever worker they reached');
      // both workers listen on the one UDP port; from 8 source ports (the kernel spreads them over
      // the workers' sockets) every connect and announce is answered, in the same swarm (announces
      // of a peer stopping: they read the counts without joining, so the swarm stays as it is)
      const io = batchAddon() === null ? 'dgram' : 'batch';
      assert.equal(s.lines.filter((l) => l.includes('"msg":"seedhost listening"') && l.includes(`"udpIo":"${io}"`) && l.includes(`"udpPort":${udpPort}`)).length, 2);
      assert.equal(s.lines.filter((l) => l.includes('"msg":"seedhost listening"') && l.includes(`"httpIo":"${httpIo}"`)).length, 2, `both workers on the ${httpIo} accept`);
      if (fixedPort) assert.equal(await s.port, Number(httpPort));
      for (let i = 0; i < 8; i++) {
        const c = new UdpClient('127.0.0.1', udpPort);
        try {
          const r = await c.request(announcePacket(await c.connect(), { infoHash: m.infoHash, peerId: `-TT0001-u${i}`, port: 7400 + i, left: 10n, numWant: 0, event: 3 })) as Buffer;
          assert.equal(readError(r), undefined);
          assert.equal(readAnnounce(r).leechers, 12, `UDP announce ${i} sees the swarm`);
        } finally {
          c.close();
        }
      }
      // any worker's /metrics covers the cluster: 12 announces, whichever worker took them
      const text = await (await fetch(`${base(await s.port)}/metrics`, { headers: { connection: 'close' } })).text();
      const ok = text.split('\n').find((l) => l.startsWith('seedhost_announces_total{') && l.includes('result="ok"'));
      assert.equal(Number(ok?.split(' ').pop()), 12, ok);
      const [victim] = workers();
      process.kill(victim, 'SIGKILL');
      let now = workers();
      await waitUntil(() => {
        now = workers(); // one snapshot: the dead worker may linger as a zombie for a moment
        return now.length === 2 && !now.includes(victim);
      });
      assert.equal(now.length, 2, 'a new worker replaces the dead one');
      // a worker still starting is left out of the aggregate instead of failing the scrape
      const during = await fetch(`${base(await s.port)}/metrics`, { headers: { connection: 'close' } });
      assert.equal(during.status, 200);
      assert.match(await during.text(), /^seedhost_announces_total\{result="ok"\} \d+$/m);
      const listening = (): number => s.lines.filter((l) => l.includes('"msg":"seedhost listening"')).length;
      await waitUntil(() => listening() === 3);
      assert.equal(listening(), 3, 'the new worker listens');
      for (let i = 0; i < 4; i++) {
        const r = await announce(url, { infoHash: m.infoHash, peerId: `-TT0001-w${i}`, port: 7300 + i, left: 10 }, { connection: 'close' });
        assert.equal(r.incomplete, 12);
      }
      s.child.kill('SIGTERM');
      const e = await s.exited;
      assert.equal(e.code, 0, e.stderr);
      assert.deepEqual(now.filter(alive), [], 'no worker outlives the primary');
    } finally {
      await stopServer(s, 'SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      const redis = new Redis(REDIS_URL as string);
      await deletePrefix(redis, prefix).finally(() => redis.disconnect());
    }
  });
});

const base = (port: number): string => `http://127.0.0.1:${port}`;
const childPids = (pid: number): number[] => {
  const r = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  return r.stdout.split('\n').map((l) => Number(l.trim())).filter((n) => n > 0);
};
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const UPLOAD_TORRENT = `mutation($files: [Upload!]!, $pieceLength: Int) {
  uploadTorrent(files: $files, pieceLength: $pieceLength) { infoHash }
}`;
const SWARM_UPDATED = 'subscription($h: String) { swarmUpdated(infoHash: $h) { infoHash seeders leechers completed } }';
