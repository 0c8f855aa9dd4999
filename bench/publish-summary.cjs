#!/usr/bin/env node
// Tables from bench/publish.sh's JSON lines (one tag): part 1, publish/hash speed and peak RSS per
// tool, ratios and the targets of the issue; part 2, announce rate with no publish vs while a
// publish runs.
// Usage: node bench/publish-summary.cjs [bench/results/publish.jsonl] [TAG]  (no TAG: the last one)
'use strict';
const fs = require('fs');
const path = require('path');
const file = process.argv[2] || path.join(__dirname, 'results', 'publish.jsonl');
const all = fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const tag = process.argv[3] || (all.length ? all[all.length - 1].tag : undefined);
const rows = all.filter((r) => r.tag === tag && r.kept !== false);
if (rows.length === 0) { console.log(`no runs tagged ${tag} in ${file}`); process.exit(1); }
const med = (a) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const q = +(process.env.QUIET_PCT || 25);
const noisy = (r) => r.bg_busy_pct_of_1core > q || ((r.part === 'hash' ? r.other_cpu_pct_of_1core : r.other_procs_pct) ?? 0) > q;
const discarded = all.filter((r) => r.tag === tag && r.kept === false).length;
console.log(`## ${tag}${discarded ? ` (${discarded} noisy run(s) discarded and rerun)` : ''}`);

const hash = rows.filter((r) => r.part === 'hash');
if (hash.length) {
  const size = hash[0].size;
  console.log(`\n### Publish ${size} B (${(size / 2 ** 30).toFixed(2)} GiB), piece length ${hash[0].piece_length}: wall, MB/s = ${size} B / wall / 1e6, peak RSS (max resident set)`);
  console.log('| tool | runs | wall s median (each run) | MB/s median (min..max) | peak RSS MiB median (max) | user s | sys s | CPU % of one core | check |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  const by = new Map();
  for (const r of hash) { if (!by.has(r.tool)) by.set(r.tool, []); by.get(r.tool).push(r); }
  const m = {};
  for (const [tool, rs] of by) {
    const mb = rs.map((r) => r.MBps);
    m[tool] = { MBps: med(mb), rss: Math.max(...rs.map((r) => r.rss_kb)), rssMed: med(rs.map((r) => r.rss_kb)), cpu: med(rs.map((r) => r.user_s + r.sys_s)) };
    const checks = [...new Set(rs.map((r) => r.check))].join(', ');
    console.log(`| ${tool} | ${rs.length} | ${med(rs.map((r) => r.wall_s)).toFixed(2)} (${rs.map((r) => r.wall_s.toFixed(2) + (noisy(r) ? '*' : '')).join(' ')}) | ` +
      `${m[tool].MBps.toFixed(0)} (${Math.min(...mb).toFixed(0)}..${Math.max(...mb).toFixed(0)}) | ${(m[tool].rssMed / 1024).toFixed(0)} (${(m[tool].rss / 1024).toFixed(0)}) | ` +
      `${med(rs.map((r) => r.user_s)).toFixed(2)} | ${med(rs.map((r) => r.sys_s)).toFixed(2)} | ${med(rs.map((r) => 100 * (r.user_s + r.sys_s) / r.wall_s)).toFixed(0)} | ${checks} |`);
  }
  const st = rows.find((r) => r.part === 'startup');
  if (st) console.log(`(seedhost command line alone, \`seedhost list\` on an empty database: ${st.wall_s} s, peak RSS ${(st.rss_kb / 1024).toFixed(0)} MiB)`);
  const s = m.seedhost;
  if (s) {
    const ratio = (k) => (m[k] ? (s.MBps / m[k].MBps) : NaN);
    if (m['mktorrent-t1']) console.log(`ratio seedhost / mktorrent -t 1 (median MB/s): ${ratio('mktorrent-t1').toFixed(2)}   target >= 0.90: ${ratio('mktorrent-t1') >= 0.9 ? 'MET' : 'NOT MET'}`);
    if (m['mktorrent-t2']) console.log(`ratio seedhost / mktorrent -t 2 (median MB/s): ${ratio('mktorrent-t2').toFixed(2)}   (stretch)`);
    if (m.cp) console.log(`ratio seedhost / cp (storing alone, no hashing): ${ratio('cp').toFixed(2)}`);
    const rssMB = s.rss * 1024 / 1e6;
    console.log(`seedhost peak RSS (max over runs): ${rssMB.toFixed(0)} MB = ${(s.rss / 1024).toFixed(0)} MiB   target < 150 MB: ${rssMB < 150 ? 'MET' : 'NOT MET'}`);
  }
  const l = m['seedhost-link'];
  if (l && m['mktorrent-t1']) {
    console.log(`ratio seedhost add --link (hard link, no copy) / mktorrent -t 1: ${(l.MBps / m['mktorrent-t1'].MBps).toFixed(2)}` +
      (m['mktorrent-t2'] ? `; / mktorrent -t 2: ${(l.MBps / m['mktorrent-t2'].MBps).toFixed(2)}` : '') + `; peak RSS ${(l.rss * 1024 / 1e6).toFixed(0)} MB`);
  }
  const b = m['seedhost-buffered'];
  if (b && m['mktorrent-t1']) {
    console.log(`ratio seedhost add with DIRECT_IO=off (the copy through the page cache) / mktorrent -t 1: ${(b.MBps / m['mktorrent-t1'].MBps).toFixed(2)}; peak RSS ${(b.rss * 1024 / 1e6).toFixed(0)} MB`);
  }
  const c = m['seedhost-reflink'];
  if (c && m['mktorrent-t1']) {
    console.log(`ratio seedhost add on XFS (the copy is a reflink clone) / mktorrent -t 1: ${(c.MBps / m['mktorrent-t1'].MBps).toFixed(2)}` +
      (m['mktorrent-t2'] ? `; / mktorrent -t 2: ${(c.MBps / m['mktorrent-t2'].MBps).toFixed(2)}` : '') + `; peak RSS ${(c.rss * 1024 / 1e6).toFixed(0)} MB`);
  }
  for (const f of ['hybrid', 'v2']) {
    const mine = m[`seedhost-${f}`];
    const lt = m[`lt-${f}`];
    if (mine && lt) {
      const r = mine.MBps / lt.MBps;
      console.log(`ratio seedhost add --format ${f} / libtorrent create_torrent + set_piece_hashes (${f}, median MB/s): ${r.toFixed(2)}   target >= 1.0: ${r >= 1 ? 'MET' : 'NOT MET'}; peak RSS ${(mine.rss * 1024 / 1e6).toFixed(0)} MB vs ${(lt.rss * 1024 / 1e6).toFixed(0)} MB; CPU (user + sys, median) ${mine.cpu.toFixed(2)} s vs ${lt.cpu.toFixed(2)} s`);
    }
    if (mine && m.seedhost) console.log(`ratio seedhost add --format ${f} / v1 (median MB/s): ${(mine.MBps / m.seedhost.MBps).toFixed(2)}`);
  }
  // A/B against another build in the same run (BASE_BUILD, base-* tools)
  for (const t of ['seedhost', 'seedhost-hybrid', 'seedhost-v2']) {
    const a = m[t];
    const b = m[`base-${t}`];
    if (a && b) console.log(`ratio ${t} / base-${t} (this build / BASE_BUILD, median MB/s): ${(a.MBps / b.MBps).toFixed(2)}; CPU (user + sys, median) ${a.cpu.toFixed(2)} s vs ${b.cpu.toFixed(2)} s`);
  }
  if (hash.some(noisy)) console.log('(* run saw other processes busy > ' + q + ' % of a core; kept after retries)');
}

const ann = rows.filter((r) => r.part === 'announce');
if (ann.length) {
  console.log(`\n### Announces (wrk, announce.lua, ${ann[0].connections} connections, ${ann[0].duration} s, keep-alive): no publish vs \`seedhost add\` of the file running in its own process, same DATA_DIR`);
  console.log('| server state | runs | req/s median (each run) | p50 ms | p99 ms | max ms | server CPU % | errors non-2xx / socket / failure reason | publishes in the window (wall s each) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  const m = {};
  for (const pub of [false, true]) {
    const rs = ann.filter((r) => !!r.publish === pub);
    if (!rs.length) continue;
    const sum = (k) => rs.reduce((a, r) => a + (r[k] || 0), 0);
    m[pub] = { rps: med(rs.map((r) => r.rps)), p99: med(rs.map((r) => r.lat_p99_ms)), p50: med(rs.map((r) => r.lat_p50_ms)) };
    const pubs = pub ? rs.map((r) => `${r.publishes.length} (${r.publishes.map((p) => p.wall_s.toFixed(1)).join(', ')})`).join('; ') : '-';
    console.log(`| ${rs[0].label} | ${rs.length} | ${m[pub].rps.toFixed(0)} (${rs.map((r) => r.rps.toFixed(0) + (noisy(r) ? '*' : '')).join(' ')}) | ${m[pub].p50.toFixed(2)} | ${m[pub].p99.toFixed(2)} | ` +
      `${med(rs.map((r) => r.lat_max_ms)).toFixed(0)} | ${med(rs.map((r) => r.server_cpu_pct)).toFixed(0)} | ${sum('err_status')} / ${sum('err_connect') + sum('err_read') + sum('err_write') + sum('err_timeout')} / ${sum('failure_reason')} | ${pubs} |`);
  }
  if (m[false] && m[true]) {
    console.log(`ratio during publish / no publish: req/s ${(m[true].rps / m[false].rps).toFixed(2)}, p99 latency ${(m[true].p99 / m[false].p99).toFixed(2)}x`);
    const pw = ann.filter((r) => r.publish).flatMap((r) => r.publishes);
    if (pw.length) console.log(`publishes under announce load: ${pw.length}, median ${med(pw.map((p) => p.wall_s)).toFixed(2)} s (${(ann[0].size / med(pw.map((p) => p.wall_s)) / 1e6).toFixed(0)} MB/s), peak RSS max ${(Math.max(...pw.map((p) => p.rss_kb)) / 1024).toFixed(0)} MiB, failed ${pw.filter((p) => p.rc !== 0).length}`);
  }
}
