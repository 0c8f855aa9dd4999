// The heaviest work the API accepts: queries just under the cost limit (as many aliases of 100
// torrents with every listed field, or of 1,000 files of the 10,000-file torrent, as the limit
// admits), looped by one or several clients. Not an attack of the issue but its consequence: what
// bounded work still costs the announce path. The limit and each alias's cost are read from the
// server's own refusal of 10 aliases ("operation costs N; the limit is L"), so the documents follow
// the build under test (SEEDHOST_DIR) rather than a figure written here.
import { describeMany, errorsOf, medianMax, ms, postGraphql } from './http-client.mjs';

const FIELDS = 'infoHash name size pieceLength createdAt magnetUri torrentUrl seeders leechers completed fileCount';
const PROBE_ALIASES = 10;

const torrentsAlias = (i) => `t${i}:torrents(first:100){nodes{${FIELDS}}}`;
const filesAlias = (filesHash) => (i) => `f${i}:torrent(infoHash:"${filesHash}"){files(first:1000${i ? `,after:"${i * 1000 - 1}"` : ''}){path size}}`;
const documentOf = (alias, n) => `query{${Array.from({ length: n }, (_, i) => alias(i)).join(' ')}}`;

/** How many aliases fit under the server's limit: 10 are sent, the refusal names their cost and the limit. */
async function aliasesUnderLimit(ctx, alias) {
  const r = await postGraphql(ctx.base, { query: documentOf(alias, PROBE_ALIASES) }, { timeoutMs: ctx.timeoutMs });
  const m = /operation costs (\d+); the limit is (\d+)/.exec(errorsOf(r).map((e) => e.message).join(' '));
  if (m === null) return { n: PROBE_ALIASES, limit: null, each: null }; // accepted: the limit is above 10 aliases
  const each = Number(m[1]) / PROBE_ALIASES, limit = Number(m[2]);
  return { n: Math.max(1, Math.floor(limit / each)), limit, each };
}

/** The documents looped: each accepted, each as close to the cost limit as whole aliases allow. */
export async function ceilingQueries(ctx) {
  const kinds = [torrentsAlias, filesAlias(ctx.setup.filesHash)];
  const fitted = await Promise.all(kinds.map((k) => aliasesUnderLimit(ctx, k)));
  return {
    queries: kinds.map((k, i) => documentOf(k, fitted[i].n)),
    said: `limit ${fitted[0].limit ?? 'over 10 aliases'}: ${fitted[0].n} x 100 torrents (${fitted[0].each ?? '?'} each), ${fitted[1].n} x 1,000 files (${fitted[1].each ?? '?'} each)`,
  };
}

/** `clients` clients alternate the documents until `seconds` have passed. */
export async function run(ctx, { clients = 4, seconds = 10 }) {
  const { queries, said } = await ceilingQueries(ctx);
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const answers = [];
  let turn = 0;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < end) answers.push(await postGraphql(ctx.base, { query: queries[turn++ % queries.length] }, { timeoutMs: ctx.timeoutMs }));
  }));
  const { median, max } = medianMax(answers.map((r) => r.ms));
  return { ...describeMany(answers, ctx.timeoutMs), ms: performance.now() - t0,
    details: `${clients} clients looping ${seconds} s over ${queries.length} documents (${said}): ${answers.length} requests, each ${ms(median)} median, ${ms(max)} max` };
}
