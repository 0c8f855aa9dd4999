#!/usr/bin/env node
// Called by run-one.sh after a measured run: combines wrk's WRKJSON line, /usr/bin/time, CPU
// counters and other-process CPU into one JSON line appended to RESULTS, and prints the run's
// result lines. (The two inline scripts of /work/shared/bench/run.sh, merged.)
'use strict';
const fs = require('fs');
const [tmp, s0, s1, t0, t1, clk, results, label, url, conn, pin, threads, conns, dur, pre, post, snames, tag, bg] = process.argv.slice(2);
const w = JSON.parse(fs.readFileSync(tmp + '/wrk.txt', 'utf8').split('\n').find(l => l.startsWith('WRKJSON')).slice(8));
const tm = fs.readFileSync(tmp + '/time.txt', 'utf8').split('\n').find(l => l.startsWith('WRKTIME')).split(' ');
const wall = +t1 - +t0;
// /proc/stat: user nice system idle iowait irq softirq steal (guest* already in user)
const parse = f => Object.fromEntries(fs.readFileSync(f, 'utf8').trim().split('\n').map(l => {
  const a = l.trim().split(/\s+/); const v = a.slice(1, 9).map(Number);
  return [a[0], { total: v.reduce((x, y) => x + y, 0), idle: v[3] + v[4], irq: v[5] + v[6], steal: v[7] }];
}));
const c0 = parse(tmp + '/cpu0'), c1 = parse(tmp + '/cpu1');
const per = {};
for (const k of Object.keys(c1)) if (k !== 'cpu') { const dt = c1[k].total - c0[k].total, di = c1[k].idle - c0[k].idle; per[k] = +(100 * (dt - di) / dt).toFixed(1); }
const ncpu = Object.keys(per).length;
const dT = c1.cpu.total - c0.cpu.total;
const busyCores = (dT - (c1.cpu.idle - c0.cpu.idle)) / dT * ncpu;
const serverPct = 100 * ((+s1 - +s0) / +clk) / wall;
const wrkPct = 100 * (+tm[2] + +tm[3]) / +tm[1];
const share = k => +(100 * ncpu * (c1.cpu[k] - c0.cpu[k]) / dT).toFixed(1); // % of one core
// the Redis processes' CPU (run-one.sh REDIS_PIDS: "label ticks" lines before and after), per announce
const ticks = f => { try { return Object.fromEntries(fs.readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map(l => l.split(' ')).map(([k, v]) => [k, +v])); } catch { return {}; } };
const r0 = ticks(tmp + '/redis0'), r1 = ticks(tmp + '/redis1');
const redisNodes = Object.keys(r1).filter(k => k in r0).map(k => ({ node: k, cpu_us_per_req: +((r1[k] - r0[k]) / +clk * 1e6 / w.requests).toFixed(2) }));
const redis = redisNodes.length === 0 ? {} : {
  redis_cpu_us_per_req: +redisNodes.reduce((a, n) => a + n.cpu_us_per_req, 0).toFixed(2), redis_nodes: redisNodes,
  redis_cpu_pct: +(100 * Object.keys(r1).filter(k => k in r0).reduce((a, k) => a + r1[k] - r0[k], 0) / +clk / wall).toFixed(1),
};
let others = {}; try { others = JSON.parse(fs.readFileSync(tmp + '/others.json', 'utf8')); } catch {}
const s = { ...w, wall_s: +wall.toFixed(2), server_cpu_pct: +serverPct.toFixed(1), wrk_cpu_pct: +wrkPct.toFixed(1),
  machine_busy_pct_of_1core: +(busyCores * 100).toFixed(1), per_cpu_busy_pct: per,
  other_cpu_pct_of_1core: +(busyCores * 100 - serverPct - wrkPct).toFixed(1),
  irq_softirq_pct: share('irq'), steal_pct: share('steal'), ...redis, ...others };
const rec = { ts: new Date().toISOString(), tag, label, url, mode: 'announce', conn, pin: pin === '1', threads: +threads,
  connections: +conns, duration: +dur, server: snames, bg_busy_pct_of_1core: +bg, pre, post, ...s };
fs.appendFileSync(results, JSON.stringify(rec) + '\n');

console.log(`   RESULT ${s.rps.toFixed(0)} req/s  p50 ${s.lat_p50_ms.toFixed(2)} ms  p99 ${s.lat_p99_ms.toFixed(2)} ms  max ${s.lat_max_ms.toFixed(1)} ms  (${s.requests} req in ${s.duration_s}s)`);
console.log(`   errors: non-2xx ${s.err_status}  socket connect/read/write/timeout ${s.err_connect}/${s.err_read}/${s.err_write}/${s.err_timeout}` +
  (s.checked ? `  | bodies ok ${s.ok_bodies}, 'failure reason' ${s.failure_reason}${s.fail_sample ? ` (first: ${s.fail_sample})` : ''}, no 'peers' ${s.no_peers}` : '  | bodies not checked (BENCH_CHECK=0)'));
if (s.err_read > 0.9 * s.requests && /closed by the server/.test(pre)) console.log('   note: read errors ~= requests: the server closes each connection without "Connection: close"; wrk reconnects (requests still counted).');
console.log(`   cpu (% of one core): server ${s.server_cpu_pct}, wrk ${s.wrk_cpu_pct}, machine ${s.machine_busy_pct_of_1core} of ${100 * ncpu}; ` +
  `other processes ${s.other_procs_pct ?? '?'}${s.other_top ? ' [' + s.other_top + ']' : ''}, VM steal ${s.steal_pct}`);
if (s.redis_nodes) console.log(`   redis CPU per announce: ${s.redis_cpu_us_per_req} µs in all (${s.redis_cpu_pct} % of one core)` +
  (s.redis_nodes.length > 1 ? `; per node ${s.redis_nodes.map(n => `${n.node} ${n.cpu_us_per_req}`).join(', ')}` : ''));
console.log(`   post: ${post}`);
