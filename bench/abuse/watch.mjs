#!/usr/bin/env node
// The watcher run beside an attack, in its own process (so the attacker's work cannot delay the
// probe's timers): the announce probe plus the server's RSS sampler. Started by run-attack.mjs
// with an IPC channel: sends 'ready' once running; on 'stop' it sends back { probe, rss } and exits.
//   node watch.mjs BASE_URL INFOHASH SERVER_PID
import { startProbe } from './probe.mjs';
import { startRssSampler } from './rss-sampler.mjs';

const [base, infoHash, pid] = process.argv.slice(2);
const rss = startRssSampler(Number(pid), Number(process.env.SAMPLE_MS ?? 50));
const probe = startProbe(base, infoHash, {
  intervalMs: Number(process.env.PROBE_MS ?? 50),
  timeoutMs: Number(process.env.PROBE_TIMEOUT_MS ?? 10_000),
  expectFailure: process.env.PROBE === 'bogus',
});
process.on('message', async (m) => {
  if (m !== 'stop') return;
  const r = rss.stop();
  const p = await probe.stop();
  process.send({ probe: p, rss: r }, () => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
process.send('ready');
