// Item 5: SOCKETS graphql-ws sockets from one address at once, each initialised; held HOLD_MS,
// then closed.
import { ms } from './http-client.mjs';
import { startGaugePoller } from './gauge-poller.mjs';
import { openSocket } from './ws-client.mjs';

/** The attack; how many sockets were acked and how the rest were refused. */
export async function run(ctx, { sockets, holdMs = 1000 }) {
  const gauges = startGaugePoller(ctx.base, ['graphql_ws_clients'], 250);
  const t0 = performance.now();
  const opened = await Promise.all(Array.from({ length: sockets }, () => openSocket(ctx.wsUrl, { timeoutMs: ctx.timeoutMs })));
  const settled = performance.now() - t0;
  const acked = opened.filter((s) => s.acked && s.ws.readyState === 1).length;
  const reasons = new Map();
  for (const s of opened) if (!s.acked) reasons.set(s.refused, (reasons.get(s.refused) ?? 0) + 1);
  await new Promise((r) => setTimeout(r, holdMs));
  const stillOpen = opened.filter((s) => s.ws.readyState === 1).length;
  for (const s of opened) s.ws.terminate();
  const held = (await gauges.stop()).graphql_ws_clients;
  const refused = [...reasons].map(([why, n]) => `${n} refused (${why})`).join(', ');
  return {
    answer: `${acked}/${sockets} acked${refused ? `, ${refused}` : ''}`, ms: settled,
    details: `all settled after ${ms(settled)}; ${stillOpen} still open after ${holdMs} ms more; the server counted up to ${held ?? '?'} WebSocket clients`,
  };
}
