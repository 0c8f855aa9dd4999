#!/usr/bin/env node
// Runs one attack while watch.mjs (announce probe + RSS sampler, its own process) measures the
// server: prepare (unmeasured), probe for WARM_MS, the attack, TAIL_MS more, then stop. Prints one
// human line and one `ABUSEJSON {...}` line. An attack still running after 2 x ATTACK_TIMEOUT (its
// own requests are bounded by ATTACK_TIMEOUT) is given up and reported, so a frozen server cannot
// hang the benchmark; a failed prepare is reported as the attack's answer.
//   node run-attack.mjs NAME     env: BASE_URL SERVER_PID SETUP_JSON ATTACK_TIMEOUT(s, 60) WARM_MS TAIL_MS
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { ATTACKS } from './attacks.mjs';
import { ms } from './http-client.mjs';

const name = process.argv[2];
const attack = ATTACKS.find((a) => a.name === name);
if (!attack) { process.stderr.write(`unknown attack ${name}\n`); process.exit(2); }
const base = process.env.BASE_URL;
const setup = JSON.parse(readFileSync(process.env.SETUP_JSON, 'utf8'));
const ctx = { base, wsUrl: `${base.replace(/^http/, 'ws')}/graphql`, setup, timeoutMs: Number(process.env.ATTACK_TIMEOUT ?? 60) * 1000 };
const mod = await import(`./${attack.file}`);
const sleep = (t) => new Promise((r) => setTimeout(r, t));

let prepared, prepareError;
try {
  prepared = mod.prepare ? await mod.prepare(ctx, attack.opts) : undefined;
} catch (e) {
  prepareError = new Error(`prepare: ${e.message}`);
}
const watch = fork(new URL('./watch.mjs', import.meta.url), [base, setup.probeHash, process.env.SERVER_PID], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
await new Promise((resolve, reject) => { watch.once('message', resolve); watch.once('exit', () => reject(new Error('watch.mjs exited'))); });
// The attack's own CPU work at a lower priority (ATTACK_NICE, default 10; the probe forked above
// keeps the server's): on a small box the attacking clients would otherwise take CPU from the server
// and the probe, which in the world belongs to other machines. On Linux this sets the calling
// thread's nice, which the threads and processes the attack starts inherit.
const nice = Number(process.env.ATTACK_NICE ?? 10);
if (nice > 0) setPriority(0, nice);
await sleep(Number(process.env.WARM_MS ?? 300));
let result;
try {
  if (prepareError) throw prepareError;
  const bound = 2 * ctx.timeoutMs;
  result = await Promise.race([mod.run(ctx, attack.opts, prepared),
    sleep(bound).then(() => ({ answer: `given up after ${ms(bound)} (still running)`, ms: bound }))]);
} catch (e) {
  result = { answer: `attack failed: ${e.message}`, ms: NaN };
}
await sleep(Number(process.env.TAIL_MS ?? 1000));
const measured = await new Promise((resolve) => { watch.once('message', resolve); watch.send('stop'); });
const row = { attack: name, item: attack.item, ...result, probe: measured.probe, rss: measured.rss };
const p = row.probe;
process.stdout.write(`   ${row.answer} in ${ms(row.ms)}; probe p50 ${p.p50.toFixed(1)} p99 ${p.p99.toFixed(1)} worst ${p.worst.toFixed(0)} ms, `
  + `${p.timeouts} timeouts ${p.errors} errors; RSS peak ${(row.rss.peak_kb * 1024 / 1e6).toFixed(0)} MB (${(row.rss.start_kb * 1024 / 1e6).toFixed(0)} MB at start); server CPU ${row.rss.cpu_ms ?? '?'} ms\n`);
if (row.details) process.stdout.write(`   (${row.details})\n`);
process.stdout.write(`ABUSEJSON ${JSON.stringify(row)}\n`);
process.exit(0);
