#!/usr/bin/env node
// (Copied from /work/shared/bench/procsnap.js.)
// procsnap.cjs snap OUT.json           -> CPU ticks of every process (pid, comm, starttime, utime+stime)
// procsnap.cjs diff A.json B.json SECS "EXCLUDE_PIDS" EXCLUDE_COMM_RE
//   -> JSON: other processes' CPU during the window (% of one core), top consumers.
// Counts utime+stime+cutime+cstime, so processes that ran and were reaped inside the window are
// seen through their parent (approximate: a child alive at A and reaped before B is counted whole).
// Exclude the harness's own ancestors, or wrk's time shows up again in their cutime.
'use strict';
const fs = require('fs');
const [cmd, a, b, secs, excl, exre] = process.argv.slice(2);
function snap() {
  const out = {};
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || +d === process.pid) continue; // not this snapshot process itself
    let s; try { s = fs.readFileSync(`/proc/${d}/stat`, 'latin1'); } catch { continue; }
    const r = s.lastIndexOf(')');
    const comm = s.slice(s.indexOf('(') + 1, r);
    const f = s.slice(r + 2).split(' ');
    out[d] = { comm, ppid: +f[1], start: f[19], ticks: +f[11] + +f[12] + +f[13] + +f[14] };
  }
  return out;
}
if (cmd === 'snap') { fs.writeFileSync(a, JSON.stringify(snap())); process.exit(0); }
const A = JSON.parse(fs.readFileSync(a)), B = JSON.parse(fs.readFileSync(b));
const clk = 100, ex = new Set((excl || '').split(/\s+/).filter(Boolean)), re = exre ? new RegExp(exre) : null;
let total = 0; const per = {};
for (const [pid, p] of Object.entries(B)) {
  if (ex.has(pid) || (re && re.test(p.comm))) continue;
  const base = A[pid] && A[pid].start === p.start ? A[pid].ticks : 0; // new process: count all its ticks
  const d = p.ticks - base;
  if (d <= 0) continue;
  total += d; per[p.comm] = (per[p.comm] || 0) + d;
}
const pct = t => +(100 * t / clk / +secs).toFixed(1);
const top = Object.entries(per).sort((x, y) => y[1] - x[1]).slice(0, 4).map(([c, t]) => `${c} ${pct(t)}%`);
console.log(JSON.stringify({ other_procs_pct: pct(total), other_top: top.join(', ') }));
