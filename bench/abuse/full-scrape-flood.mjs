// Issue 13 item 4: full scrapes (an empty /scrape: every registered torrent, about 140 kB for
// 2,000) at RATE a second from CONNECTIONS keep-alive connections for SECONDS, as one address.
// Requests are due on a fixed schedule; a connection whose answer is late sends its next at once.
import http from 'node:http';
import { medianMax, ms, size } from './http-client.mjs';
import { tally } from './raw-http.mjs';
import { ensureScrapeTorrents } from './scrape-torrents.mjs';

/** Registers the catalog the attack needs (2,000 torrents). */
export async function prepare(ctx) {
  return { catalog: await ensureScrapeTorrents(ctx) };
}

function scrapeOnce(url, agent, timeoutMs) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let done = false;
    const finish = (kind, bytes = 0) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ kind, bytes, ms: performance.now() - t0 });
    };
    const req = http.get(url, { agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const failure = /14:failure reason(\d+):/.exec(body.toString('latin1', 0, 200));
        if (res.statusCode !== 200) finish(`HTTP ${res.statusCode}`, body.length);
        else if (failure) finish(`failure "${body.toString('latin1', failure.index + failure[0].length, failure.index + failure[0].length + Number(failure[1]))}"`, body.length);
        else finish('full list', body.length);
      });
      res.on('error', (e) => finish(`reset ${e.code ?? e.message}`));
    });
    req.on('error', (e) => finish(`reset ${e.code ?? e.message}`));
    const timer = setTimeout(() => { finish('timed out'); req.destroy(); }, timeoutMs);
  });
}

/** The attack; answer: what the scrapes got, at what rate, how fast. */
export async function run(ctx, { rate = 250, connections = 4, seconds = 10 }, { catalog }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const url = `${ctx.base}/scrape`;
  const t0 = performance.now(), endAt = t0 + seconds * 1000;
  let next = 0;
  const results = [];
  await Promise.all(Array.from({ length: connections }, async () => {
    while (true) {
      const due = t0 + (next * 1000) / rate;
      if (due >= endAt || performance.now() >= endAt) return;
      next++;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      results.push(await scrapeOnce(url, agent, Math.min(ctx.timeoutMs, 10_000)));
    }
  }));
  agent.destroy();
  const elapsed = performance.now() - t0;
  const full = results.filter((r) => r.kind === 'full list');
  const lat = medianMax(results.map((r) => r.ms));
  return {
    answer: `${results.length} scrapes at ${(results.length / (elapsed / 1000)).toFixed(0)}/s (${rate}/s due): ${tally(results.map((r) => r.kind))}`,
    ms: elapsed,
    details: `catalog ${catalog} torrents; a full list ${full.length ? size(medianMax(full.map((r) => r.bytes)).median) : '-'}; answer median ${ms(lat.median)}, max ${ms(lat.max)}; ${connections} connections from 127.0.0.1`,
  };
}
