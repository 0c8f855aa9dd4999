#!/usr/bin/env node
// Subscription fan-out load: N graphql-ws clients subscribe to swarmUpdated(infoHash) of one
// torrent; a probe announces a new seeder every PROBE_MS; delivery latency = receipt time minus
// the probe's send time (update k has seeders == k). Prints one JSON line at the end.
//   node subscribers.mjs BASE_URL INFOHASH N SECONDS
import http from 'node:http';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [base, infoHash, nArg, secArg] = process.argv.slice(2);
const N = Number(nArg ?? 1000), SECONDS = Number(secArg ?? 10), PROBE_MS = Number(process.env.PROBE_MS ?? 500);
const ws = base.replace(/^http/, 'ws') + '/graphql';
const esc = (hex) => Buffer.from(hex, 'hex').reduce((s, b) => s + '%' + b.toString(16).padStart(2, '0'), '');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const get = (url) => new Promise((res, rej) => http.get(url, { agent }, (r) => { r.resume(); r.on('end', res); }).on('error', rej));

const sentAt = new Map();
const latencies = [];
let subscribed = 0, errors = 0;
const clients = [];
const ready = [];
for (let i = 0; i < N; i++) {
  const c = createClient({ url: ws, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0 });
  clients.push(c);
  ready.push(new Promise((resolve) => {
    let first = true;
    c.subscribe({ query: `subscription($h: String) { swarmUpdated(infoHash: $h) { seeders } }`, variables: { h: infoHash } }, {
      next: (v) => {
        const k = v.data?.swarmUpdated?.seeders;
        const t = sentAt.get(k);
        if (t !== undefined) latencies.push(performance.now() - t);
        if (first) { first = false; }
      },
      error: () => { errors++; resolve(); },
      complete: () => resolve(),
    });
    c.on('connected', () => { subscribed++; resolve(); });
  }));
}
await Promise.race([Promise.all(ready), new Promise((r) => setTimeout(r, 30_000))]);
await new Promise((r) => setTimeout(r, 500)); // let subscriptions register server-side
process.stdout.write(`READY ${subscribed}\n`);
let k = 0;
const end = performance.now() + SECONDS * 1000;
while (performance.now() < end) {
  k++;
  const pid = `-PR0001-${String(k).padStart(12, '0')}`;
  sentAt.set(k, performance.now());
  await get(`${base}/announce?info_hash=${esc(infoHash)}&peer_id=${pid}&port=${20000 + k}&uploaded=0&downloaded=0&left=0&event=started&numwant=0`);
  await new Promise((r) => setTimeout(r, PROBE_MS));
}
await new Promise((r) => setTimeout(r, 1000));
for (const c of clients) void c.dispose();
const s = latencies.sort((a, b) => a - b);
const q = (p) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN);
console.log('SUBSJSON ' + JSON.stringify({ clients: N, connected: subscribed, errors, probes: k, expected: k * subscribed, delivered: s.length,
  p50_ms: +q(0.5).toFixed(1), p99_ms: +q(0.99).toFixed(1), max_ms: +(s[s.length - 1] ?? NaN).toFixed(1) }));
process.exit(0);
