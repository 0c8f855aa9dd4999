// Item 5: MESSAGES graphql-ws messages of MESSAGE_BYTES (1 MiB) each on one socket: a small query
// padded with an unused variable.
import { ms } from './http-client.mjs';
import { closeWords, openSocket, safeParse } from './ws-client.mjs';

/** One message of exactly `bytes` bytes. */
function paddedMessage(id, bytes) {
  const empty = JSON.stringify({ id, type: 'subscribe', payload: { query: '{stats{torrents}}', variables: { pad: '' } } });
  return JSON.stringify({ id, type: 'subscribe', payload: { query: '{stats{torrents}}', variables: { pad: 'x'.repeat(bytes - empty.length) } } });
}

/** The attack; how many were answered, and how the socket ended. */
export async function run(ctx, { messages, bytes }) {
  const t0 = performance.now();
  const sock = await openSocket(ctx.wsUrl, { timeoutMs: ctx.timeoutMs });
  if (!sock.acked) return { answer: `socket refused: ${sock.refused}`, ms: performance.now() - t0 };
  let answered = 0, refused = 0, firstMessage = '';
  const end = new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timed out'), ctx.timeoutMs);
    sock.ws.on('message', (data) => {
      const m = safeParse(data);
      if (m?.type === 'next' && !m.payload?.errors) answered++;
      else if (m?.type === 'error' || m?.type === 'next') { refused++; firstMessage ||= String((m.payload?.errors ?? m.payload)?.[0]?.message ?? '').slice(0, 160); }
      if (answered + refused === messages) { clearTimeout(timer); resolve('all answered'); }
    });
    sock.closed.then((c) => { clearTimeout(timer); resolve(closeWords(c)); });
  });
  let sent = 0;
  for (; sent < messages && sock.ws.readyState === 1; sent++) sock.ws.send(paddedMessage(`b${sent}`, bytes));
  const how = await end;
  const took = performance.now() - t0;
  sock.ws.terminate();
  return { answer: `${answered} answered, ${refused} refused of ${sent} sent; ${how}`, ms: took, message: firstMessage,
    details: `${messages} x ${bytes} B messages, ended after ${ms(took)}` };
}
