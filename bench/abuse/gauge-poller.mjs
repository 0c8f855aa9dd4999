// Reads gauges of the server's /metrics (Prometheus text) every POLL_MS during an attack, one
// request at a time (2 s timeout), and keeps each one's highest value: how many subscriptions or
// sockets the server actually held. Best effort: a stalled server just gives fewer readings.
import { request } from './http-client.mjs';

/** Reads the gauges once (10 s timeout): { [suffix]: value | null }. */
export async function readGauges(base, suffixes) {
  const r = await request(`${base}/metrics`, { method: 'GET', timeoutMs: 10_000 });
  return Object.fromEntries(suffixes.map((s) => {
    const m = new RegExp(`^\\w*${s}(?:\\{\\})?\\s+([\\d.e+]+)`, 'm').exec(r.text ?? '');
    return [s, m ? Number(m[1]) : null];
  }));
}

/** Starts polling the gauges whose names end in `suffixes`; stop() → { [suffix]: max | null }. */
export function startGaugePoller(base, suffixes, pollMs = 500) {
  const max = Object.fromEntries(suffixes.map((s) => [s, null]));
  let running = true;
  const loop = (async () => {
    while (running) {
      const r = await request(`${base}/metrics`, { method: 'GET', timeoutMs: 10_000 });
      for (const s of suffixes) {
        const m = new RegExp(`^\\w*${s}(?:\\{\\})?\\s+([\\d.e+]+)`, 'm').exec(r.text ?? '');
        if (m) max[s] = Math.max(max[s] ?? 0, Number(m[1]));
      }
      if (running) await new Promise((res) => setTimeout(res, pollMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await Promise.race([loop, new Promise((res) => setTimeout(res, 10_500))]);
      return max;
    },
  };
}
