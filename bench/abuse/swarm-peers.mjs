// Item 3: CLIENTS concurrent swarm{peers{...}} queries on the swarm filled by swarm-fill
// (anonymous, or with the admin's token). If the swarm is not full (the server was restarted),
// prepare() fills it again before the measured window.
import { describeMany, medianMax, ms, postGraphql } from './http-client.mjs';
import { fill, swarmSize } from './swarm-fill.mjs';

/** Refills the swarm when it holds fewer than 90 % of `peers` (not measured). */
export async function prepare(ctx, { peers }) {
  const n = await swarmSize(ctx.base, ctx.setup.swarmHash);
  if (n !== null && n >= 0.9 * peers) return { note: '' };
  const r = await fill(ctx.base, ctx.setup.swarmHash, { peers, seconds: 60 });
  return { note: `swarm held ${n}; refilled before the window (${r.accepted} accepted)` };
}

/** The attack: the queries at once; answers and the slowest time. */
export async function run(ctx, { clients, admin }, prepared) {
  const query = `{swarm(infoHash:"${ctx.setup.swarmHash}"){seeders leechers peers{ip port client seeder uploaded downloaded left lastSeen}}}`;
  const held = await swarmSize(ctx.base, ctx.setup.swarmHash);
  const answers = await Promise.all(Array.from({ length: clients }, () => postGraphql(ctx.base, { query }, { token: admin ? ctx.setup.adminToken : undefined, timeoutMs: ctx.timeoutMs })));
  const { max } = medianMax(answers.map((r) => r.ms));
  return { ...describeMany(answers, ctx.timeoutMs), ms: max,
    details: `${clients} concurrent ${admin ? 'admin' : 'anonymous'} queries on a swarm of ${held ?? '?'} peers, slowest ${ms(max)}${prepared?.note ? `; ${prepared.note}` : ''}` };
}
