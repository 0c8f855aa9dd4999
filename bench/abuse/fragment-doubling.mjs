// Item 1: a query whose fragments each spread the next twice (2^k paths through k fragments;
// 775 bytes at k=20), over HTTP or as a graphql-ws subscribe message.
import { describe, postGraphql } from './http-client.mjs';
import { describeWs, openSocket, operate } from './ws-client.mjs';

/** `query{...F0} fragment F0 on Query{...F1 ...F1} ... fragment F<k> on Query{stats{torrents}}`. */
export function doublingQuery(k) {
  let q = 'query{...F0}';
  for (let i = 0; i < k; i++) q += ` fragment F${i} on Query{...F${i + 1} ...F${i + 1}}`;
  return `${q} fragment F${k} on Query{stats{torrents}}`;
}

/** Sends the query once; answer and time of the server's reply. */
export async function run(ctx, { k, via }) {
  const query = doublingQuery(k);
  if (via === 'http') {
    const r = await postGraphql(ctx.base, { query }, { timeoutMs: ctx.timeoutMs });
    return { ...describe(r, ctx.timeoutMs), ms: r.ms, details: `${query.length} B document` };
  }
  const t0 = performance.now();
  const sock = await openSocket(ctx.wsUrl, { timeoutMs: ctx.timeoutMs });
  if (!sock.acked) return { answer: `socket refused: ${sock.refused}`, ms: performance.now() - t0 };
  const r = await operate(sock, 1, query, undefined, ctx.timeoutMs);
  sock.ws.terminate();
  return { ...describeWs(r, ctx.timeoutMs), ms: r.ms, details: `${query.length} B document` };
}
