// Item 5: SUBSCRIPTIONS swarmUpdated subscriptions on one anonymous socket (a registered, quiet
// torrent, so no update is pushed), then one query as a marker: when it is answered the server
// has read everything before it. The socket is closed at the end (its cleanup is in the window).
import { ms } from './http-client.mjs';
import { readGauges, startGaugePoller } from './gauge-poller.mjs';
import { closeWords, openSocket, safeParse, subscribeMessage } from './ws-client.mjs';

/** The attack; what the server made of the subscriptions, and how long until the marker answered. */
export async function run(ctx, { subscriptions }) {
  const t0 = performance.now();
  const sock = await openSocket(ctx.wsUrl, { timeoutMs: ctx.timeoutMs });
  if (!sock.acked) return { answer: `socket refused: ${sock.refused}`, ms: performance.now() - t0 };
  const gauges = startGaugePoller(ctx.base, ['graphql_swarm_subscriptions']);
  const codes = new Map();
  let firstMessage = '', closedAt = null;
  const marker = new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), ctx.timeoutMs);
    sock.ws.on('message', (data) => {
      const m = safeParse(data);
      if (m?.id === 'marker' && (m.type === 'next' || m.type === 'error')) { clearTimeout(timer); resolve('answered'); }
      else if (m?.type === 'error' || (m?.type === 'next' && m.payload?.errors)) {
        const errs = m.type === 'error' ? m.payload : m.payload.errors;
        const code = errs?.[0]?.extensions?.code ?? 'no code';
        codes.set(code, (codes.get(code) ?? 0) + 1);
        firstMessage ||= String(errs?.[0]?.message ?? '').slice(0, 160);
      }
    });
    sock.closed.then((c) => { clearTimeout(timer); closedAt = performance.now() - t0; resolve(closeWords(c)); });
  });
  const query = `subscription{swarmUpdated(infoHash:"${ctx.setup.filesHash}"){seeders}}`;
  let sent = 0;
  for (; sent < subscriptions && sock.ws.readyState === 1; sent++) sock.ws.send(subscribeMessage(`s${sent}`, query));
  if (sock.ws.readyState === 1) sock.ws.send(subscribeMessage('marker', '{stats{torrents}}'));
  const end = await marker;
  const answered = performance.now() - t0;
  // read before closing: the subscriptions end with the socket
  const now = end === 'answered' ? (await readGauges(ctx.base, ['graphql_swarm_subscriptions'])).graphql_swarm_subscriptions : null;
  const refused = [...codes].map(([c, n]) => `${n} refused ${c}`).join(', ');
  sock.ws.close(1000);
  await Promise.race([sock.closed, new Promise((r) => setTimeout(r, 10_000))]);
  sock.ws.terminate();
  const polled = (await gauges.stop()).graphql_swarm_subscriptions;
  const held = polled === null && now === null ? null : Math.max(polled ?? 0, now ?? 0);
  return {
    answer: `${sent} sent, ${refused || 'none refused'}, server held up to ${held ?? '?'}; ${end === 'answered' ? 'marker answered' : end}`,
    ms: closedAt ?? answered, message: firstMessage,
    details: `${end === 'answered' ? `marker answered after ${ms(answered)}` : `${end} after ${ms(closedAt ?? answered)}`}, socket closed by us after ${ms(performance.now() - t0)}`,
  };
}
