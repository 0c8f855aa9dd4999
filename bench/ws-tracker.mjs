#!/usr/bin/env node
// bench:ws — WebSocket (webtorrent) tracker: seedhost vs bittorrent-tracker's own server, in one run.
// For each tracker: a fresh server process; LOADERS forked load processes (bench/ws-load.mjs) open
// SOCKETS WebSockets in all (browsers, one peer id each, spread over TORRENTS torrents, from
// loopback addresses 127.0.x.y so seedhost's sockets-per-address bound holds); the server's RSS
// is read before and after they connect (memory per idle socket); then every socket runs a closed
// loop of ANNOUNCES announces with OFFERS offers each, which the tracker relays to other sockets.
// Prints announces/s (replies over the wall time of the loop), p50/p99 latency, server and load CPU
// seconds (the load processes must not be the bottleneck), memory per socket, and the ratio.
// seedhost: SQLite, memory store, the torrents registered with the CLI (a closed tracker).
import { fork, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const env = (k, d) => Number(process.env[k] ?? d);
const SOCKETS = env('SOCKETS', 4000), LOADERS = env('LOADERS', 2), ANNOUNCES = env('ANNOUNCES', 20), OFFERS = env('OFFERS', 5);
const TORRENTS = env('TORRENTS', 10), PER_ADDR = env('PER_ADDR', 25);
const SEEDHOST_PORT = env('SEEDHOST_PORT', 17180), REF_PORT = env('REF_PORT', 17181);
// node options for the seedhost server process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" (none by default)
const SEEDHOST_NODE_ARGS = (process.env.SEEDHOST_NODE_ARGS ?? '').split(' ').filter(Boolean);

const state = mkdtempSync(path.join(tmpdir(), 'seedhost-bench-ws-'));
const children = new Set();
const cleanup = () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(state, { recursive: true, force: true });
};
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

// the pool: real .torrent files, registered in seedhost's SQLite database
spawnSync(process.execPath, [path.join(HERE, 'make-torrents.mjs'), path.join(state, 'torrents'), String(TORRENTS)], { stdio: 'inherit' });
const dbEnv = { ...process.env, DATA_DIR: path.join(state, 'data'), DATABASE_URL: `sqlite:${path.join(state, 'data', 'seedhost.db')}`, LOG_LEVEL: 'warn' };
const reg = spawnSync(process.execPath, [path.join(ROOT, 'bin/seedhost.js'), 'register', ...Array.from({ length: TORRENTS }, (_, i) => path.join(state, 'torrents', `bench-${i}.torrent`))], { env: dbEnv, encoding: 'utf8' });
if (reg.status !== 0) throw new Error(`register failed: ${reg.stderr}`);
const hashes = reg.stdout.trim().split('\n');

const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
/** [user, system] CPU seconds of a process (utime, stime: clock ticks of 1/100 s). */
const cpuS = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return [Number(f[11]) / 100, Number(f[12]) / 100];
};
/** [read, write] system calls of a process so far (/proc/PID/io syscr, syscw). */
const syscalls = (pid) => {
  const t = readFileSync(`/proc/${pid}/io`, 'utf8');
  return [Number(/syscr: (\d+)/.exec(t)[1]), Number(/syscw: (\d+)/.exec(t)[1])];
};

function startServer(name) {
  const child = name === 'seedhost'
    ? spawn(process.execPath, [...SEEDHOST_NODE_ARGS, path.join(ROOT, 'dist/server/main.js')], { env: { ...dbEnv, PORT: String(SEEDHOST_PORT), HOST: '127.0.0.1', UDP_PORT: 'off', METRICS: 'off', LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(process.execPath, [path.join(HERE, 'ws-reference-tracker.mjs'), String(REF_PORT)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  const url = name === 'seedhost' ? `ws://127.0.0.1:${SEEDHOST_PORT}/announce` : `ws://127.0.0.1:${REF_PORT}`;
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (/ready|seedhost listening/.test(out)) resolve({ child, url });
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready: ${out}`)));
  });
}

async function measure(name) {
  const { child, url } = await startServer(name);
  await new Promise((r) => setTimeout(r, 1000));
  const rss0 = rssKb(child.pid);
  const per = Math.ceil(SOCKETS / LOADERS);
  const loaders = Array.from({ length: LOADERS }, (_, i) => {
    const cfg = { url, sockets: per, hashes, announces: ANNOUNCES, offers: OFFERS, perAddr: PER_ADDR, addrBase: Math.ceil(per / PER_ADDR) * i };
    const l = fork(path.join(HERE, 'ws-load.mjs'), [JSON.stringify(cfg)], { stdio: 'inherit' });
    children.add(l);
    return l;
  });
  const next = (l, kind) => new Promise((resolve, reject) => {
    l.on('message', (m) => { if (m.kind === kind) resolve(m); });
    l.once('exit', (code) => reject(new Error(`load process exited (${code})`)));
  });
  await Promise.all(loaders.map((l) => next(l, 'connected')));
  await new Promise((r) => setTimeout(r, 1500));
  const rss1 = rssKb(child.pid);
  const cpu0 = cpuS(child.pid), io0 = syscalls(child.pid);
  const t0 = performance.now();
  const results = loaders.map((l) => next(l, 'done'));
  for (const l of loaders) l.send({ kind: 'go' });
  const done = await Promise.all(results);
  const wall = (performance.now() - t0) / 1000;
  const cpu1 = cpuS(child.pid), io1 = syscalls(child.pid);
  const serverUser = cpu1[0] - cpu0[0], serverSys = cpu1[1] - cpu0[1], serverCpu = serverUser + serverSys;
  await new Promise((r) => setTimeout(r, 500));
  const rss2 = rssKb(child.pid);
  for (const l of loaders) {
    l.send({ kind: 'exit' });
    children.delete(l);
  }
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  children.delete(child);
  const lat = done.flatMap((d) => d.latencies).sort((a, b) => a - b);
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
  const replies = done.reduce((s, d) => s + d.replies, 0);
  return {
    name, sockets: per * LOADERS, replies, failures: done.reduce((s, d) => s + d.failures, 0), offersIn: done.reduce((s, d) => s + d.offersIn, 0),
    readCalls: io1[0] - io0[0], writeCalls: io1[1] - io0[1],
    perSecond: replies / wall, p50: q(0.5), p99: q(0.99), wall, serverCpu, serverUser, serverSys, loadCpu: done.reduce((s, d) => s + d.cpuMs, 0) / 1000,
    idleKbPerSocket: (rss1 - rss0) / (per * LOADERS), swarmKbPerSocket: (rss2 - rss0) / (per * LOADERS),
  };
}

const uptime = () => spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
console.log(`bench:ws  ${SOCKETS} sockets, ${LOADERS} load processes, ${ANNOUNCES} announces x ${OFFERS} offers per socket, ${TORRENTS} torrents`);
console.log(`before: ${uptime()}`);
const rows = [];
// TRACKERS="seedhost" measures one (e.g. to profile it); the ratio needs both
const TRACKERS = (process.env.TRACKERS ?? 'seedhost bittorrent-tracker').split(/[\s,]+/).filter(Boolean);
for (const name of TRACKERS) rows.push(await measure(name));
console.log(`after:  ${uptime()} (load avg ${loadavg().map((x) => x.toFixed(2)).join(' ')}; the machine is shared)`);
const f = (x, d = 0) => x.toFixed(d);
console.log('\ntracker             announces/s   p50 ms   p99 ms   replies  failures  offers in  server CPU s  load CPU s  KiB/idle socket  KiB/socket in swarm');
for (const r of rows) {
  console.log(`${r.name.padEnd(18)} ${f(r.perSecond).padStart(12)} ${f(r.p50, 1).padStart(8)} ${f(r.p99, 1).padStart(8)} ${String(r.replies).padStart(9)} ${String(r.failures).padStart(9)} ${String(r.offersIn).padStart(10)} ${f(r.serverCpu, 2).padStart(13)} ${f(r.loadCpu, 2).padStart(11)} ${f(r.idleKbPerSocket, 1).padStart(16)} ${f(r.swarmKbPerSocket, 1).padStart(20)}`);
}
const s = rows.find((r) => r.name === 'seedhost'), b = rows.find((r) => r.name === 'bittorrent-tracker');
if (s && b) console.log(`\nratio seedhost / bittorrent-tracker announces/s: ${(s.perSecond / b.perSecond).toFixed(2)}  (target >= 2)`);
console.log(`announces per server CPU second: ${rows.map((r) => `${r.name} ${f(r.replies / r.serverCpu)}`).join(', ')}`);
console.log(`server CPU user + system s: ${rows.map((r) => `${r.name} ${f(r.serverUser, 2)} + ${f(r.serverSys, 2)}`).join(', ')}`);
console.log(`server CPU us per announce: ${rows.map((r) => `${r.name} ${f((1e6 * r.serverCpu) / r.replies, 1)}`).join(', ')}`);
console.log(`server read / write system calls per announce: ${rows.map((r) => `${r.name} ${f(r.readCalls / r.replies, 2)} / ${f(r.writeCalls / r.replies, 2)}`).join(', ')}`);
console.log(JSON.stringify({ bench: 'ws', at: new Date().toISOString(), rows: rows.map(({ ...r }) => r) }));
