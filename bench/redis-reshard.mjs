#!/usr/bin/env node
// The Redis store while a Redis Cluster grows: a private cluster of 3 masters (redis-server on
// free loopback ports, nothing on disk but node files in a temporary folder) takes CONCURRENCY
// announce loops over TORRENTS x PEERS peers (5 % completions); after STEADY s a fourth master is
// added and `redis-cli --cluster reshard` moves SLOTS slots to it (PIPELINE keys per MIGRATE),
// then AFTER s more. Prints per phase (steady, during the move, after it) announces/s, p50/p99
// latency and failed announces with their errors, the ratios of the move's figures to the
// steady phase's (the reference, same run), and at the end whether every swarm is whole (its
// peers listed once each, as many as it counts) and the completed counts equal the completions
// the replies reported.
// Usage: npx tsc -p tsconfig.json && node bench/redis-reshard.mjs   (npm run bench:redis-reshard)
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { RedisPeerStore } from '../dist/server/redis/redis-peer-store.js';
import { AnnounceResult } from '../dist/server/tracker/peer-store.js';

const env = (k, d) => Number(process.env[k] ?? d);
const CONCURRENCY = env('CONCURRENCY', 64), TORRENTS = env('TORRENTS', 3000), PEERS = env('PEERS', 20);
const STEADY = env('STEADY', 4), AFTER = env('AFTER', 2), SLOTS = env('SLOTS', 1000), PIPELINE = env('PIPELINE', 10);

const freePort = () => new Promise((res) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); });
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const cli = (...args) => spawnSync('redis-cli', args, { encoding: 'utf8' });

const dir = mkdtempSync(path.join(tmpdir(), 'seedhost-reshard-'));
const children = [];
async function startNode() {
  let port = await freePort();
  while (port >= 55535) port = await freePort(); // the cluster bus listens on port + 10000
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--cluster-enabled', 'yes', '--cluster-config-file', path.join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', '5000', '--dir', dir],
  { stdio: 'ignore' });
  children.push(child);
  for (let i = 0; cli('-p', String(port), 'ping').stdout.trim() !== 'PONG'; i++) {
    if (i > 100) throw new Error(`redis-server on ${port} did not start`);
    await sleep(50);
  }
  return port;
}
async function settled(port) {
  for (let i = 0; ; i++) {
    const ok = /cluster_state:ok/.test(cli('-p', String(port), 'cluster', 'info').stdout);
    const check = cli('--cluster', 'check', `127.0.0.1:${port}`);
    if (ok && check.status === 0 && !check.stdout.includes('[ERR]')) return;
    if (i > 200) throw new Error(`cluster node ${port} did not settle: ${check.stdout}`);
    await sleep(100);
  }
}

const ports = [await startNode(), await startNode(), await startNode()];
let cluster, store, prefix;
try {
  const created = cli('--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes');
  if (created.status !== 0) throw new Error(`redis-cli --cluster create: ${created.stdout}`);
  for (const p of ports) await settled(p);
  cluster = new Cluster(ports.map((port) => ({ host: '127.0.0.1', port })), { enableAutoPipelining: true, scaleReads: 'master' });
  prefix = `seedhost-bench:${randomBytes(6).toString('hex')}:`;
  store = new RedisPeerStore(cluster, { prefix });

  const hashes = Array.from({ length: TORRENTS }, () => randomBytes(20).toString('hex'));
  const ids = Array.from({ length: PEERS }, (_, i) => Buffer.from(`-BE0001-${String(i).padStart(12, '0')}`));
  // loop j announces as the peers k (torrent k / PEERS, peer k % PEERS) with k % CONCURRENCY == j:
  // a peer never has two announces under way
  const left = hashes.map(() => new Array(PEERS).fill(-1));
  let phase = { name: 'warm-up', ok: 0, lat: [], errors: new Map() }, raised = 0, stop = false;
  const loop = async (j) => {
    const out = new AnnounceResult();
    const mine = Math.floor((TORRENTS * PEERS - 1 - j) / CONCURRENCY) + 1;
    while (!stop) {
      const k = j + CONCURRENCY * Math.floor(Math.random() * mine), h = Math.floor(k / PEERS), i = k % PEERS;
      const completing = left[h][i] > 0 && Math.random() < 0.05, restart = left[h][i] === 0 && Math.random() < 0.05;
      const l = completing ? 0 : restart || left[h][i] < 0 ? 1000 : left[h][i];
      const p = phase, t0 = performance.now();
      try {
        await store.announce({ infoHash: hashes[h], peerId: ids[i], ip: `10.0.${h & 255}.${1 + (i >> 2)}`, port: 6881 + (i & 3),
          uploaded: 0, downloaded: 0, left: l, event: completing ? 'completed' : '', numwant: 50, wantPeerIds: false }, out);
        left[h][i] = l;
        if (out.completedNow) raised++;
        p.ok++;
        if (p.lat.length < 1e6) p.lat.push(performance.now() - t0);
      } catch (e) {
        const m = String(e.message).slice(0, 100);
        p.errors.set(m, (p.errors.get(m) ?? 0) + 1);
      }
    }
  };
  const loops = Array.from({ length: CONCURRENCY }, (_, j) => loop(j));
  const report = (p, seconds) => {
    p.lat.sort((a, b) => a - b);
    const failed = [...p.errors.values()].reduce((a, b) => a + b, 0);
    return { phase: p.name, seconds: +seconds.toFixed(2), announces: p.ok, perSecond: Math.round(p.ok / seconds), failed,
      errors: Object.fromEntries(p.errors), p50ms: +(p.lat[p.lat.length >> 1] ?? 0).toFixed(2), p99ms: +(p.lat[Math.floor(p.lat.length * 0.99)] ?? 0).toFixed(2) };
  };
  const timed = async (name, work) => {
    phase = { name, ok: 0, lat: [], errors: new Map() };
    const t0 = performance.now();
    await work();
    return report(phase, (performance.now() - t0) / 1000);
  };

  await sleep(2000);
  const steady = await timed('steady', () => sleep(STEADY * 1000));
  const fresh = await startNode();
  const added = cli('--cluster', 'add-node', `127.0.0.1:${fresh}`, `127.0.0.1:${ports[0]}`);
  if (added.status !== 0) throw new Error(`redis-cli --cluster add-node: ${added.stdout}`);
  await settled(fresh);
  const id = cli('-p', String(fresh), 'cluster', 'myid').stdout.trim();
  let reshardOut = '', code;
  const during = await timed('reshard', async () => {
    const r = spawn('redis-cli', ['--cluster', 'reshard', `127.0.0.1:${ports[0]}`, '--cluster-from', 'all', '--cluster-to', id,
      '--cluster-slots', String(SLOTS), '--cluster-pipeline', String(PIPELINE), '--cluster-yes'], { stdio: ['ignore', 'pipe', 'pipe'] });
    r.stdout.on('data', (c) => { reshardOut += c; });
    r.stderr.on('data', (c) => { reshardOut += c; });
    [code] = await once(r, 'exit');
  });
  const afterMove = await timed('after', () => sleep(AFTER * 1000));
  stop = true;
  await Promise.all(loops);

  let broken = 0, downloaded = 0;
  const counts = await store.scrape(hashes);
  for (let h = 0; h < TORRENTS; h++) {
    const peers = await store.peers(hashes[h]);
    const c = counts[h];
    downloaded += c.downloaded;
    const whole = peers.length === c.complete + c.incomplete && new Set(peers.map((p) => `${p.ip}:${p.port}`)).size === peers.length &&
      peers.length === left[h].filter((l) => l >= 0).length && c.complete === left[h].filter((l) => l === 0).length;
    if (!whole) broken++;
  }
  const newNodeKeys = Number(cli('-p', String(fresh), 'dbsize').stdout.trim());
  console.log(JSON.stringify({
    phases: [steady, during, afterMove],
    reshard: { exitCode: code, slots: SLOTS, pipeline: PIPELINE, keysOnNewMaster: newNodeKeys, ...(code === 0 ? {} : { output: reshardOut.slice(-400) }) },
    reshardVsSteady: { perSecond: +(during.perSecond / steady.perSecond).toFixed(2), p99: +(during.p99ms / steady.p99ms).toFixed(2) },
    swarmsNotWhole: broken, completedCounted: downloaded, completionsReported: raised,
    config: { CONCURRENCY, TORRENTS, PEERS, STEADY, AFTER, SLOTS, PIPELINE },
  }));
  if (code !== 0 || broken > 0 || downloaded !== raised) process.exitCode = 1;
} finally {
  cluster?.disconnect();
  for (const c of children) c.kill('SIGKILL');
  await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? once(c, 'exit') : undefined)));
  rmSync(dir, { recursive: true, force: true });
}
