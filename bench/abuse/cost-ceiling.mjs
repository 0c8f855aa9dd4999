// The heaviest work the API accepts: queries just under the cost limit (100 torrents with every
// listed field; 1,000 files of the 10,000-file torrent, three times), looped by several clients.
// Not an attack of the issue but its consequence: what bounded work still costs the announce path.
import { describeMany, medianMax, ms, postGraphql } from './http-client.mjs';

const FIELDS = 'infoHash name size pieceLength createdAt magnetUri torrentUrl seeders leechers completed fileCount';

/** The documents looped: each accepted, each close to the cost limit. */
export const ceilingQueries = (filesHash) => [
  `query{a:torrents(first:100){nodes{${FIELDS}}} b:torrents(first:100){nodes{${FIELDS}}} c:torrents(first:100){nodes{${FIELDS}}}}`,
  `query{a:torrent(infoHash:"${filesHash}"){files(first:1000){path size}} b:torrent(infoHash:"${filesHash}"){files(first:1000,after:"999"){path size}} c:torrent(infoHash:"${filesHash}"){files(first:1000,after:"1999"){path size}}}`,
];

/** `clients` clients alternate the documents until `seconds` have passed. */
export async function run(ctx, { clients = 4, seconds = 10 }) {
  const queries = ceilingQueries(ctx.setup.filesHash);
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const answers = [];
  let turn = 0;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < end) answers.push(await postGraphql(ctx.base, { query: queries[turn++ % queries.length] }, { timeoutMs: ctx.timeoutMs }));
  }));
  const { median, max } = medianMax(answers.map((r) => r.ms));
  return { ...describeMany(answers, ctx.timeoutMs), ms: performance.now() - t0,
    details: `${clients} clients looping ${seconds} s over ${queries.length} documents: ${answers.length} requests, each ${ms(median)} median, ${ms(max)} max` };
}
