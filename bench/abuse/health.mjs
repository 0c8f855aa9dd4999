#!/usr/bin/env node
// Between attacks: has the server recovered? Announces (registered hash, 2 s timeout each) until
// one is answered and the server process used under SETTLE_PCT % of a core over the last 0.5 s,
// for at most SETTLE_MAX s. Prints one line; exit 0 settled, 1 no announce answered (stalled or
// gone), 2 answering but still busy at the end (the next attack would start on a busy server).
//   node health.mjs BASE_URL INFOHASH SERVER_PID
import { readFileSync } from 'node:fs';
import http from 'node:http';

const [base, infoHash, pid] = process.argv.slice(2);
const maxMs = Number(process.env.SETTLE_MAX ?? 30) * 1000, pct = Number(process.env.SETTLE_PCT ?? 25);
const esc = (buf) => [...buf].map((b) => '%' + b.toString(16).padStart(2, '0')).join('');
const url = `${base}/announce?info_hash=${esc(Buffer.from(infoHash, 'hex'))}&peer_id=${esc(Buffer.from('-HC0001-abusehealth0'))}&port=6882&uploaded=0&downloaded=0&left=0&numwant=0`;
const HZ = 100; // USER_HZ on Linux
const ticks = () => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return null;
  }
};
const announce = () => new Promise((resolve) => {
  const req = http.get(url, { agent: false, timeout: 2000 }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode === 200)); });
  req.on('timeout', () => req.destroy());
  req.on('error', () => resolve(false));
});
const t0 = performance.now();
let answered = false, busy = 100;
while (performance.now() - t0 < maxMs) {
  if (ticks() === null) { process.stdout.write('server process gone\n'); process.exit(1); }
  answered = await announce();
  const a = ticks(), ta = performance.now();
  await new Promise((r) => setTimeout(r, 500));
  const b = ticks();
  busy = a === null || b === null ? 100 : (100 * (b - a) / HZ) / ((performance.now() - ta) / 1000);
  if (answered && busy < pct) {
    process.stdout.write(`settled after ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    process.exit(0);
  }
}
process.stdout.write(answered ? `still busy after ${maxMs / 1000} s (${busy.toFixed(0)} % of a core)\n` : `no announce answered within ${maxMs / 1000} s\n`);
process.exit(answered ? 2 : 1);
