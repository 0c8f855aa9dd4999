// Item 2: 200 aliases of torrents(search: $s) with one 900 kB search string (a variable, so the
// document stays small and the JSON body under 1 MiB).
import { describe, postGraphql } from './http-client.mjs';

/** One request; answer and time. */
export async function run(ctx, { aliases, searchBytes }) {
  const query = `query($s:String){${Array.from({ length: aliases }, (_, i) => `a${i}:torrents(search:$s){totalCount}`).join(' ')}}`;
  const r = await postGraphql(ctx.base, { query, variables: { s: 'x'.repeat(searchBytes) } }, { timeoutMs: ctx.timeoutMs });
  return { ...describe(r, ctx.timeoutMs), ms: r.ms, details: `${(query.length / 1e3).toFixed(1)} kB document + ${Math.round(searchBytes / 1e3)} kB search` };
}
