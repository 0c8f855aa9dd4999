#!/usr/bin/env node
// Tables from run-one.sh's JSON lines: one per connection mode (and pin/conns/duration), medians
// per tracker, then the ratio seedhost / opentracker. (Adapted from /work/shared/bench/summarize.js.)
// Usage: node bench/summarize.cjs [bench/results/announce.jsonl] [tag]   (no tag: every line)
'use strict';
const fs = require('fs');
const path = require('path');
const file = process.argv[2] || path.join(__dirname, 'results', 'announce.jsonl');
const tag = process.argv[3];
const rows = fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(l => JSON.parse(l))
  .filter(r => (!tag || r.tag === tag) && r.kept !== false);
if (rows.length === 0) { console.log(`no runs${tag ? ` tagged ${tag}` : ''} in ${file}`); process.exit(1); }
const med = a => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const f0 = x => x.toFixed(0), f2 = x => x.toFixed(2);
const suspect = r => r.bg_busy_pct_of_1core > 25 || (r.other_procs_pct ?? 0) > 25;
const groups = new Map();
for (const r of rows) {
  const cfg = `${r.conn} (pin=${r.pin ? 1 : 0}, ${r.connections} connections, ${r.threads} wrk threads, ${r.duration} s per run)`;
  if (!groups.has(cfg)) groups.set(cfg, new Map());
  const g = groups.get(cfg);
  if (!g.has(r.label)) g.set(r.label, []);
  g.get(r.label).push(r);
}
for (const [cfg, g] of groups) {
  console.log(`\n### ${cfg}`);
  console.log('| tracker | runs | req/s median (min..max) | each run | p50 ms | p99 ms | server CPU % | req/s per server core | non-2xx | socket err c/r/w/t | failure reason | no peers |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  const m = {};
  for (const [label, rs] of g) {
    const rps = rs.map(r => r.rps);
    const sum = k => rs.reduce((a, r) => a + (r[k] || 0), 0);
    m[label] = { rps: med(rps), eff: med(rs.map(r => r.rps / (r.server_cpu_pct / 100))), p50: med(rs.map(r => r.lat_p50_ms)), p99: med(rs.map(r => r.lat_p99_ms)),
      // the tracker's own processes, Redis's CPU taken off: µs per announce
      node: med(rs.map(r => ((r.server_cpu_pct - (r.redis_cpu_pct ?? 0)) / 100) * 1e6 / r.rps)) };
    console.log(`| ${label} | ${rs.length} | ${f0(m[label].rps)} (${f0(Math.min(...rps))}..${f0(Math.max(...rps))}) | ${rs.map(r => f0(r.rps) + (suspect(r) ? '*' : '')).join(' ')} | ` +
      `${f2(m[label].p50)} | ${f2(m[label].p99)} | ${f0(med(rs.map(r => r.server_cpu_pct)))} | ${f0(m[label].eff)} | ` +
      `${sum('err_status')} | ${sum('err_connect')}/${sum('err_read')}/${sum('err_write')}/${sum('err_timeout')} | ${sum('failure_reason')} | ${sum('no_peers')} |`);
    const rr = rs.filter(r => r.redis_nodes);
    if (rr.length) {
      const nodes = [...new Set(rr.flatMap(r => r.redis_nodes.map(n => n.node)))];
      const perNode = nodes.length < 2 ? '' : `; per node (median) ${nodes.map(k => `${k} ${f2(med(rr.flatMap(r => r.redis_nodes.filter(n => n.node === k).map(n => n.cpu_us_per_req))))}`).join(', ')}`;
      console.log(`  ${label} Redis CPU per announce: median ${f2(med(rr.map(r => r.redis_cpu_us_per_req)))} µs in all (each run ${rr.map(r => f2(r.redis_cpu_us_per_req)).join(' ')}; ` +
        `${f0(med(rr.map(r => r.redis_cpu_pct)))} % of one core)${perNode}`);
    }
    const samples = [...new Set(rs.map(r => r.fail_sample).filter(Boolean))];
    if (samples.length) console.log(`  ${label} failure reason sample: ${samples.slice(0, 2).join(' / ')}`);
    const badPost = rs.filter(r => !/: (\d+)\/\1 valid/.test(r.post || ''));
    if (badPost.length) console.log(`  ${label}: post-check not all valid in ${badPost.length} run(s): ${badPost[0].post}`);
  }
  const ratio = (x, y) => `req/s ${f2(m[x].rps / m[y].rps)}  (req/s per server core ${f2(m[x].eff / m[y].eff)}; p50 ${f2(m[x].p50 / m[y].p50)}x, p99 ${f2(m[x].p99 / m[y].p99)}x)`;
  for (const label of Object.keys(m).filter(l => l.startsWith('seedhost'))) {
    if (m.opentracker) console.log(`ratio ${label} / opentracker: ${ratio(label, 'opentracker')}`);
    if (label !== 'seedhost' && m.seedhost) {
      console.log(`ratio ${label} / seedhost (memory store): ${ratio(label, 'seedhost')}`);
      console.log(`  tracker CPU per announce without Redis's: ${label} ${f2(m[label].node)} µs, memory store ${f2(m.seedhost.node)} µs (${f2(m[label].node / m.seedhost.node)}x)`);
    }
  }
}
console.log('\nMedians across runs. CPU: % of one core. * = run with background/other-process load > 25 % of a core (suspect).' +
  ' "req/s per server core" = req/s / server CPU share: the fairer figure when wrk, not the server, is the bottleneck (opentracker on this 2-core box).' +
  ' Errors are sums over runs: non-2xx and socket errors from wrk; failure reason / no peers from checking every reply body.');
