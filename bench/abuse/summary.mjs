#!/usr/bin/env node
// Prints the table of one abuse run from its JSON lines: per attack the server's answer and time,
// the probe's p50/p99/worst, timeouts/errors, peak RSS, p99 against the idle reference; then one
// line per attack against the targets of issues 12 and 13 (announce worst <= 100 ms and p99 <= 20
// ms, RSS under 400 MB; webseed attacks: the other client's download rate >= 80 % of idle).
//   node summary.mjs RESULTS.jsonl [TAG]
import { readFileSync } from 'node:fs';
import { ms } from './http-client.mjs';

const TARGET_WORST_MS = 100, TARGET_P99_MS = 20, TARGET_RSS_MB = 400, TARGET_RATE_PCT = 80;
const [file, tag] = process.argv.slice(2);
const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const wanted = tag ?? lines.findLast((l) => l.tag)?.tag;
const rows = lines.filter((l) => l.tag === wanted);
const attacks = rows.filter((r) => r.attack);
const restarts = new Map(rows.filter((r) => r.restart).map((r) => [r.after, r.reason]));
const meta = rows.find((r) => r.meta)?.meta;

const mb = (kb) => (kb == null ? '?' : `${Math.round((kb * 1024) / 1e6)} MB`);
const f1 = (x) => (Number.isFinite(x) ? (x < 100 ? x.toFixed(1) : x.toFixed(0)) : '?');
const worstOf = (p) => `${p.timeouts > 0 || p.unanswered_at_end ? '>=' : ''}${f1(p.worst)}`;
const idle = attacks.find((a) => a.attack === 'idle')?.probe;

if (meta) console.log(`\nabuse run ${wanted}: ${meta.build}; database ${meta.database}; probe ${meta.probe} hash every ${meta.probe_ms} ms, timeout ${meta.probe_timeout_ms} ms; attack requests time out after ${meta.attack_timeout_s} s`);
const withRate = attacks.some((a) => a.rate_pct !== undefined);
const head = ['attack', 'server answered', 'in', 'probe p50 ms', 'p99 ms', 'worst ms', 'timeouts/errors', 'peak RSS (at start)', 'p99 / idle p99', ...(withRate ? ['webseed rate % of idle'] : [])];
const table = attacks.map((a) => {
  const p = a.probe;
  const restarted = restarts.has(a.attack) ? ` [server restarted after: ${restarts.get(a.attack)}]` : '';
  return [a.attack, a.answer + restarted, Number.isFinite(a.ms) ? ms(a.ms) : '?', f1(p.p50), f1(p.p99), worstOf(p), `${p.timeouts}/${p.errors}`, `${mb(a.rss.peak_kb)} (${mb(a.rss.start_kb)})`,
    a.attack === 'idle' ? '1 (reference)' : idle ? `${f1(p.p99 / idle.p99)}x` : '?',
    ...(withRate ? [a.rate_pct === undefined ? '-' : `${f1(a.rate_pct)} %`] : [])];
});
const width = head.map((h, i) => Math.min(i === 1 ? 90 : 40, Math.max(h.length, ...table.map((r) => String(r[i]).length))));
const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(width[i])).join(' | ')} |`;
console.log('\n' + line(head));
console.log(`|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of table) console.log(line(r));

console.log('\ndetails:');
for (const a of attacks) {
  const extra = [a.details, a.message ? `first error: "${a.message}"` : '', a.probe.firstError ? `probe: ${a.probe.firstError}` : '', a.rss.gone ? 'server process gone during the attack' : ''].filter(Boolean);
  if (extra.length) console.log(`  ${a.attack}: ${extra.join('; ')}`);
}

console.log(`\ntargets (issues 12, 13): announce worst <= ${TARGET_WORST_MS} ms and p99 <= ${TARGET_P99_MS} ms during every attack, RSS under ${TARGET_RSS_MB} MB; webseed attacks: the other download's rate >= ${TARGET_RATE_PCT} % of idle`);
let met = 0, n = 0;
for (const a of attacks) {
  if (a.attack === 'idle') {
    console.log(`  idle (reference): p50 ${f1(a.probe.p50)} ms, p99 ${f1(a.probe.p99)} ms, worst ${worstOf(a.probe)} ms, RSS ${mb(a.rss.peak_kb)}`);
    continue;
  }
  n++;
  const p = a.probe;
  const rssMb = (a.rss.peak_kb * 1024) / 1e6;
  const okW = p.worst <= TARGET_WORST_MS && p.timeouts === 0 && !p.unanswered_at_end, okP = p.p99 <= TARGET_P99_MS, okR = rssMb < TARGET_RSS_MB;
  const okRate = a.rate_pct === undefined || a.rate_pct >= TARGET_RATE_PCT;
  if (okW && okP && okR && okRate) met++;
  const v = (ok) => (ok ? 'met' : 'NOT met');
  // the heap a server grew for an earlier attack is rarely given back: say when RSS was high already
  const inherited = !okR && (a.rss.start_kb * 1024) / 1e6 >= TARGET_RSS_MB ? ` (${mb(a.rss.start_kb)} at start, grown by earlier attacks)` : '';
  console.log(`  ${a.attack}: worst ${worstOf(p)} ms ${v(okW)}, p99 ${f1(p.p99)} ms ${v(okP)}, RSS ${mb(a.rss.peak_kb)} ${v(okR)}${inherited}${a.rate_pct === undefined ? '' : `, webseed rate ${f1(a.rate_pct)} % ${v(okRate)}`}${p.timeouts + p.errors ? ` (${p.timeouts} probe timeouts, ${p.errors} errors)` : ''}`);
}
console.log(`  all targets met in ${met} of ${n} attacks`);
