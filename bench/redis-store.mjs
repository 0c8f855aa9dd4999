#!/usr/bin/env node
// Announces per second of the Redis PeerStore in-process (no HTTP): CONCURRENCY announce loops
// over TORRENTS x PEERS peers for DURATION s, 30 % seeders, 10 % `started`, numwant 50, compact.
// Peers keep their role unless FLIP=1 (then each announce draws seeder or leecher anew). CHURN=1:
// the load of bench/announce.lua (npm run bench:announce:scale) instead: every announce a new peer
// (random peer id, port and key) from one address per torrent, so each joins, and past the
// per-address limit (8) replaces that address's least recently announced peer (CHURN_KEY=0: no BEP 7 key).
// Reports Redis CPU per announce from INFO cpu and evalsha time per call and per announce from
// INFO commandstats (the store sends one call per event-loop tick, so a call carries a batch;
// diffs: other clients of the same Redis add to them) and Redis memory per peer after the prefill.
// Keys under a random prefix, deleted after. The same loops run on the memory store and on a
// store that does nothing, in turns with the Redis store (slices of SLICE s, default 1), for Node
// CPU per announce of each: nodeCpuRatio is Redis's over the memory store's, nodeCpuRatioStoreOnly
// the same with the loops' own cost (the no-op slices) taken off (COMPARE=0 runs Redis alone).
// The loops on Redis are paced by its round trips: the process sleeps between rounds, and on a VM
// each sleep and wake-up costs the rounds after it (cold caches, the wake itself). The memory store
// paced alike (each round of one announce per loop waits PACE_MS, default 1 ms, on a timer, about
// one Redis round trip here) is the reference in that regime: nodeCpuRatioPaced.
// nodeKernelCpuUsPerAnnounce: the part of the Redis store's Node CPU spent in the kernel.
// REDIS_CLUSTER_NODES=host:port,... runs it on a Redis Cluster instead (INFO figures summed over
// the masters, and Redis CPU per announce of each master apart).
// Usage: npx tsc -p tsconfig.json && REDIS_URL=redis://127.0.0.1:6379 node bench/redis-store.mjs
import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { RedisPeerStore } from '../dist/server/redis/redis-peer-store.js';
import { AnnounceResult } from '../dist/server/tracker/peer-store.js';
import { MemoryPeerStore } from '../dist/server/tracker/memory-peer-store.js';

const env = (k, d) => Number(process.env[k] ?? d);
const URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CHURN = env('CHURN', 0), CHURN_KEY = env('CHURN_KEY', 1), COMPARE = env('COMPARE', 1), SLICE = env('SLICE', 1), PACE_MS = env('PACE_MS', 1), FLIP = env('FLIP', 0), DURATION = env('DURATION', 10), CONCURRENCY = env('CONCURRENCY', 64), TORRENTS = env('TORRENTS', 1000), PEERS = env('PEERS', 60);
const prefix = `seedhost-bench:${randomBytes(6).toString('hex')}:`;
const NODES = process.env.REDIS_CLUSTER_NODES;
const cluster = NODES ? new Cluster(NODES.split(',').map((n) => ({ host: n.split(':')[0], port: Number(n.split(':')[1]) })), { enableAutoPipelining: true, scaleReads: 'master' }) : undefined;
const store = new RedisPeerStore(cluster ?? URL, { prefix, views: env('VIEWS', 1) === 1 });
const admin = cluster ?? new Redis(URL);
const masters = async () => (cluster ? (await cluster.info('server'), cluster.nodes('master')) : [admin]);
const hashes = Array.from({ length: TORRENTS }, () => randomBytes(20).toString('hex'));
const ids = Array.from({ length: PEERS }, (_, i) => Buffer.from(`-BE0001-${String(i).padStart(12, '0')}`));

const announce = (h, i, event, left, out, to = store) => to.announce(CHURN ? {
  infoHash: hashes[h], peerId: randomBytes(20), ip: `10.${h >> 8}.${h & 255}.1`, port: 1025 + Math.floor(Math.random() * 64511),
  key: !CHURN_KEY ? null : Math.floor(Math.random() * 0x7fffffff).toString(16).padStart(8, '0').toUpperCase(),
  uploaded: 0, downloaded: 0, left, event, numwant: 50, wantPeerIds: false,
} : {
  infoHash: hashes[h], peerId: ids[i], ip: `10.${h >> 8}.${h & 255}.${1 + (i >> 2)}`, port: 6881 + (i & 3),
  uploaded: 0, downloaded: 0, left, event, numwant: 50, wantPeerIds: false,
}, out);

async function stats() {
  const per = await Promise.all((await masters()).map(async (node) => {
    const info = (await node.info('cpu')) + (await node.info('commandstats'));
    const num = (re) => Number(info.match(re)?.[1] ?? 0);
    return {
      cpu: num(/used_cpu_user:([\d.]+)/) + num(/used_cpu_sys:([\d.]+)/),
      calls: num(/cmdstat_evalsha:calls=(\d+)/), usec: num(/cmdstat_evalsha:calls=\d+,usec=(\d+)/),
    };
  }));
  return { per, cpu: per.reduce((a, p) => a + p.cpu, 0), calls: per.reduce((a, p) => a + p.calls, 0), usec: per.reduce((a, p) => a + p.usec, 0) };
}

/** A wait all loops share, over after PACE_MS (then the next one begins): rounds of one announce per loop. */
let round;
const paced = () => round ??= new Promise((r) => setTimeout(() => { round = undefined; r(); }, PACE_MS));

async function loop(end, lat, to, pace = false) {
  const out = new AnnounceResult();
  let n = 0;
  while (Date.now() < end) {
    const i = Math.floor(Math.random() * PEERS), seeder = FLIP ? Math.random() < 0.3 : i % 10 < 3, t0 = performance.now();
    await announce(Math.floor(Math.random() * TORRENTS), i, Math.random() < 0.1 ? 'started' : '', seeder ? 0 : 1000, out, to);
    if (pace) await paced();
    if (lat.length < 1e6) lat.push(performance.now() - t0);
    n++;
  }
  return n;
}

async function run(seconds, lat, to = store, pace = false) {
  const end = Date.now() + seconds * 1000;
  const counts = await Promise.all(Array.from({ length: CONCURRENCY }, () => loop(end, lat, to, pace)));
  return counts.reduce((a, b) => a + b, 0);
}

/** Prefills another store as the Redis one was. */
async function prefill(to) {
  const out = new AnnounceResult();
  for (let h = 0; h < TORRENTS; h++) for (let i = 0; i < PEERS; i++) await announce(h, i, 'started', i % 3 === 0 ? 0 : 1000, out, to);
}

/** Node CPU (µs) and announces of one slice of `seconds` on `to`. */
async function slice(seconds, lat, to, pace = false) {
  const c0 = process.cpuUsage();
  const n = await run(seconds, lat, to, pace);
  const c1 = process.cpuUsage(c0);
  return { cpu: c1.user + c1.system, sys: c1.system, n };
}

const usedMemory = async () => (await Promise.all((await masters()).map(async (n) => Number((await n.info('memory')).match(/used_memory:(\d+)/)[1])))).reduce((a, b) => a + b, 0);

try {
  const mem0 = await usedMemory();
  const out = new AnnounceResult();
  for (let h = 0; h < TORRENTS; h++) {
    await Promise.all(ids.map((_, i) => announce(h, i, 'started', i % 3 === 0 ? 0 : 1000, out)));
  }
  const bytesPerPeer = Math.round((await usedMemory() - mem0) / (TORRENTS * PEERS));
  const memory = new MemoryPeerStore(), noop = { announce() {} };
  if (COMPARE) await prefill(memory);
  await run(2, []); // warm-up
  if (COMPARE) await run(1, [], memory);
  // the stores take turns in slices of SLICE s (DURATION s of Redis in all), so that a machine
  // whose speed drifts over seconds (a VM's neighbours) weighs on each of them alike
  const lat = [];
  let n = 0, nodeCpuSum = 0, nodeSysSum = 0, memory_ = { cpu: 0, n: 0 }, paced_ = { cpu: 0, n: 0 }, noop_ = { cpu: 0, n: 0 };
  let used; // Redis's INFO figures over the Redis slices alone: per master { cpu, calls, usec }
  const slices = Math.max(1, Math.round(DURATION / SLICE));
  for (let k = 0; k < slices; k++) {
    const before = await stats();
    const r = await slice(DURATION / slices, lat, store);
    const after = await stats();
    n += r.n;
    nodeCpuSum += r.cpu;
    nodeSysSum += r.sys;
    const d = after.per.map((p, i) => ({ cpu: p.cpu - before.per[i].cpu, calls: p.calls - before.per[i].calls, usec: p.usec - before.per[i].usec }));
    used = used === undefined ? d : used.map((u, i) => ({ cpu: u.cpu + d[i].cpu, calls: u.calls + d[i].calls, usec: u.usec + d[i].usec }));
    if (!COMPARE) continue;
    const m = await slice(DURATION / slices, [], memory), z = await slice(DURATION / slices / 2, [], noop);
    const q = await slice(DURATION / slices, [], memory, true);
    memory_ = { cpu: memory_.cpu + m.cpu, n: memory_.n + m.n };
    paced_ = { cpu: paced_.cpu + q.cpu, n: paced_.n + q.n };
    noop_ = { cpu: noop_.cpu + z.cpu, n: noop_.n + z.n };
  }
  lat.sort((a, b) => a - b);
  const sum = (k) => used.reduce((a, u) => a + u[k], 0);
  const calls = Math.max(1, sum('calls'));
  const t = await store.totals();
  const nodeCpu = nodeCpuSum / n;
  const memoryCpu = COMPARE ? memory_.cpu / memory_.n : NaN;
  const loopCpu = COMPARE ? noop_.cpu / noop_.n : NaN;
  const pacedCpu = COMPARE ? paced_.cpu / paced_.n : NaN;
  console.log(JSON.stringify({
    announces: n, perSecond: Math.round(n / DURATION),
    p50ms: +lat[Math.floor(lat.length / 2)].toFixed(2), p99ms: +lat[Math.floor(lat.length * 0.99)].toFixed(2),
    redisCpuUsPerAnnounce: +((sum('cpu') * 1e6) / n).toFixed(1),
    ...(cluster ? { redisCpuUsPerAnnouncePerNode: used.map((u) => +((u.cpu * 1e6) / n).toFixed(1)) } : {}),
    evalshaUsecPerCall: +(sum('usec') / calls).toFixed(1), evalshaCalls: sum('calls'),
    announcesPerCall: +(n / calls).toFixed(1), evalshaUsecPerAnnounce: +(sum('usec') / n).toFixed(1),
    nodeCpuUsPerAnnounce: +nodeCpu.toFixed(1), nodeKernelCpuUsPerAnnounce: +(nodeSysSum / n).toFixed(1), memoryStoreNodeCpuUsPerAnnounce: +memoryCpu.toFixed(1), loopOnlyNodeCpuUsPerAnnounce: +loopCpu.toFixed(1),
    memoryStorePacedNodeCpuUsPerAnnounce: +pacedCpu.toFixed(1), memoryStorePacedPerSecond: Math.round(paced_.n / DURATION),
    nodeCpuRatio: +(nodeCpu / memoryCpu).toFixed(2), nodeCpuRatioPaced: +(nodeCpu / pacedCpu).toFixed(2), nodeCpuRatioStoreOnly: +((nodeCpu - loopCpu) / Math.max(0.1, memoryCpu - loopCpu)).toFixed(2),
    swarms: t.swarms, peers: t.peers, redisBytesPerPeer: bytesPerPeer, config: { CHURN, CHURN_KEY, FLIP, DURATION, SLICE, PACE_MS, CONCURRENCY, TORRENTS, PEERS },
  }));
} finally {
  for (const h of hashes) await store.removeTorrent(h);
  for (const node of await masters()) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      for (const k of keys) await admin.del(k);
    } while (cursor !== '0');
  }
  await store.close();
  await admin.quit();
}
