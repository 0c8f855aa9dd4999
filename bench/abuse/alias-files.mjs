// Item 2: 100 aliases of torrent(<the 10,000-file torrent>){files{path size}} (about 8.5 kB).
import { describe, postGraphql } from './http-client.mjs';

/** One request; answer and time. */
export async function run(ctx, { aliases }) {
  const h = ctx.setup.filesHash;
  const query = `query{${Array.from({ length: aliases }, (_, i) => `a${i}:torrent(infoHash:"${h}"){files{path size}}`).join(' ')}}`;
  const r = await postGraphql(ctx.base, { query }, { timeoutMs: ctx.timeoutMs });
  return { ...describe(r, ctx.timeoutMs), ms: r.ms, details: `${(query.length / 1e3).toFixed(1)} kB document, torrent of ${ctx.setup.filesCount} files` };
}
