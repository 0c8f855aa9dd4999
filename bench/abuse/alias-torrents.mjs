// Item 2: 500 aliases of torrents(first:100){nodes{...}} in one query (about 55 kB), sent once,
// or by 4 clients in a loop for LOOP_SECONDS.
import { describe, describeMany, medianMax, ms, postGraphql } from './http-client.mjs';

const FIELDS = 'infoHash name size createdAt magnetUri torrentUrl seeders leechers completed';

/** The query with `n` aliases. */
export const aliasedTorrents = (n) => `query{${Array.from({ length: n }, (_, i) => `a${i}:torrents(first:100){nodes{${FIELDS}}}`).join(' ')}}`;

/** clients 1: one request; more: each client repeats it until `seconds` have passed. */
export async function run(ctx, { aliases, clients = 1, seconds = 10 }) {
  const query = aliasedTorrents(aliases);
  if (clients === 1) {
    const r = await postGraphql(ctx.base, { query }, { timeoutMs: ctx.timeoutMs });
    return { ...describe(r, ctx.timeoutMs), ms: r.ms, details: `${Math.round(query.length / 1e3)} kB document` };
  }
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const answers = [];
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < end) answers.push(await postGraphql(ctx.base, { query }, { timeoutMs: ctx.timeoutMs }));
  }));
  const { median, max } = medianMax(answers.map((r) => r.ms));
  return { ...describeMany(answers, ctx.timeoutMs), ms: performance.now() - t0,
    details: `${clients} clients looping ${seconds} s: ${answers.length} requests, each ${ms(median)} median, ${ms(max)} max` };
}
