// Item 7: a JSON body of BYTES (2 MiB; the server reads at most 1 MiB): does the client get the
// 413 the server writes, or a reset?
import { describe, postGraphql } from './http-client.mjs';

/** One request; answer and time. */
export async function run(ctx, { bytes }) {
  const empty = JSON.stringify({ query: '{stats{torrents}}', variables: { pad: '' } });
  const body = JSON.stringify({ query: '{stats{torrents}}', variables: { pad: 'x'.repeat(bytes - empty.length) } });
  const r = await postGraphql(ctx.base, body, { timeoutMs: ctx.timeoutMs });
  return { ...describe(r, ctx.timeoutMs), ms: r.ms, details: `${body.length} B body${r.status ? `, HTTP ${r.status} read` : ', no HTTP status read'}` };
}
