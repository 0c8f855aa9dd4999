#!/usr/bin/env node
// Table from bench/webseed.sh's JSON lines (one tag): per target median MB/s, req/s, p50/p99,
// server and wrk CPU, errors; then seedhost / each reference (target of the issue: >= 80 % of the
// reference's MB/s; the reference is nginx with sendfile off, the others are shown too).
// Usage: node bench/webseed-summary.cjs [bench/results/webseed.jsonl] [TAG]  (no TAG: the last one)
'use strict';
const fs = require('fs');
const path = require('path');
const file = process.argv[2] || path.join(__dirname, 'results', 'webseed.jsonl');
const all = fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const tag = process.argv[3] || (all.length ? all[all.length - 1].tag : undefined);
const rows = all.filter((r) => r.tag === tag && r.kept !== false);
if (rows.length === 0) { console.log(`no runs tagged ${tag} in ${file}`); process.exit(1); }
const med = (a) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const q = +(process.env.QUIET_PCT || 25);
const noisy = (r) => r.bg_busy_pct_of_1core > q || (r.other_procs_pct ?? 0) > q;
const discarded = all.filter((r) => r.tag === tag && r.kept === false).length;
const r0 = rows[0];
console.log(`## ${tag}: Range ${r0.range} B at random aligned offsets, ${r0.connections} connections, ${r0.threads} wrk threads, ${r0.duration} s per run${discarded ? ` (${discarded} noisy run(s) discarded and rerun)` : ''}`);
console.log('| target | runs | MB/s median (each run) | req/s median | p50 ms | p99 ms | server CPU % | MB/s per server core | wrk CPU % | non-2xx | socket errors | B/resp over range |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
const by = new Map();
for (const r of rows) { if (!by.has(r.label)) by.set(r.label, []); by.get(r.label).push(r); }
const m = {};
for (const [label, rs] of by) {
  const sum = (k) => rs.reduce((a, r) => a + (r[k] || 0), 0);
  m[label] = { MBps: med(rs.map((r) => r.MBps)), rps: med(rs.map((r) => r.rps)) };
  console.log(`| ${label} | ${rs.length} | ${m[label].MBps.toFixed(0)} (${rs.map((r) => r.MBps.toFixed(0) + (noisy(r) ? '*' : '')).join(' ')}) | ${m[label].rps.toFixed(0)} | ` +
    `${med(rs.map((r) => r.lat_p50_ms)).toFixed(2)} | ${med(rs.map((r) => r.lat_p99_ms)).toFixed(2)} | ${med(rs.map((r) => r.server_cpu_pct)).toFixed(0)} | ` +
    `${med(rs.map((r) => r.MBps / Math.max(0.01, r.server_cpu_pct / 100))).toFixed(0)} | ${med(rs.map((r) => r.wrk_cpu_pct)).toFixed(0)} | ${sum('err_status')} | ` +
    `${sum('err_connect') + sum('err_read') + sum('err_write') + sum('err_timeout')} | ${med(rs.map((r) => r.bytes_per_resp_over_range)).toFixed(0)} |`);
}
if (rows.some(noisy)) console.log(`(* run saw other processes busy > ${q} % of a core; kept after retries)`);
if (m.seedhost) {
  for (const ref of ['nginx-sendfile-off', 'nginx-sendfile-on', 'node-static']) {
    if (!m[ref]) continue;
    const x = m.seedhost.MBps / m[ref].MBps;
    console.log(`ratio seedhost / ${ref} (median MB/s): ${x.toFixed(2)}${ref === 'nginx-sendfile-off' ? `   target >= 0.80: ${x >= 0.8 ? 'MET' : 'NOT MET'}` : x >= 0.8 ? '   (>= 0.80)' : '   (< 0.80)'}`);
  }
}
