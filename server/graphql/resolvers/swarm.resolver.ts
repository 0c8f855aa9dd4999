// Swarm queries: counts for everyone, a bounded page of peers for admins only (addresses are
// personal data, and a whole swarm is too big for one reply).
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../context.js';
import { fail } from '../errors.js';
import { infoHashArg } from '../info-hash-arg.js';
import { loopSlices } from '../loop-slices.js';
import { toPeer } from '../mappers.js';
import { HISTORY_MINUTES, MAX_HISTORY_POINTS } from '../../services/swarm-history.js';
import { Peer, Stats, Swarm, SwarmPoint } from '../types/swarm.type.js';

/** Peers one `Swarm.peers` page holds at most, and by default. */
export const MAX_PEERS_PAGE = 200, DEFAULT_PEERS_PAGE = 50;

/** Highest position a peer cursor may name (a swarm never holds more peers). */
const MAX_POSITION = 2 ** 31;

@ArgsType()
class PeersArgs {
  @Field(() => Int, { nullable: true, description: `Page size, 0 to ${MAX_PEERS_PAGE} (default ${DEFAULT_PEERS_PAGE}).` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last peer already seen.' })
  after?: string | null;
}

const encodeCursor = (position: number): string => Buffer.from(JSON.stringify({ p: position })).toString('base64url');

/** The position a cursor names; BAD_USER_INPUT for anything this resolver did not write. */
function decodeCursor(cursor: string): number {
  let p: unknown;
  try {
    p = (JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { p?: unknown })?.p;
  } catch {
    p = undefined;
  }
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > MAX_POSITION) fail('BAD_USER_INPUT', 'invalid cursor');
  return p;
}

@Resolver(() => Swarm)
export class SwarmResolver {
  @Query(() => Swarm, { nullable: true, description: 'Live swarm of a registered torrent: counts for everyone, peers for admins; null if not registered.' })
  async swarm(@Arg('infoHash') infoHash: string, @Ctx() { deps }: GraphQLContext): Promise<Swarm | null> {
    const asked = infoHashArg(infoHash);
    // a hybrid's v2 hash (as its v2 peers announce it) reads the torrent's one swarm
    const h = deps.registered.has(asked) ? asked : deps.v2Aliases?.get(asked) ?? asked;
    if (!deps.registered.has(h)) return null;
    const [c] = await deps.store.scrape([h]);
    return { infoHash: h, seeders: c.complete, leechers: c.incomplete, completed: c.downloaded };
  }

  @FieldResolver(() => [Peer], {
    nullable: true,
    description: `A page of the swarm's peers, seeders first (a changing swarm may repeat or skip one between pages). Admins only: null with FORBIDDEN for anyone else.`,
  })
  async peers(@Root() s: Swarm, @Args() a: PeersArgs, @Ctx() { deps, user }: GraphQLContext): Promise<Peer[]> {
    if (user?.role !== 'admin') fail('FORBIDDEN', 'peer lists are for admins only');
    const first = a.first ?? DEFAULT_PEERS_PAGE;
    if (first < 0 || first > MAX_PEERS_PAGE) fail('BAD_USER_INPUT', `first must be 0 to ${MAX_PEERS_PAGE}`);
    const offset = a.after == null ? 0 : decodeCursor(a.after);
    const page = await deps.store.peerPage(s.infoHash, offset, first);
    return loopSlices.paced(page.map((p, i) => toPeer(p, encodeCursor(offset + i + 1))));
  }

  @FieldResolver(() => [SwarmPoint], {
    description: `The swarm's counts a minute apart over the last \`minutes\` (1 to ${HISTORY_MINUTES}, default 60), oldest first: at most ${MAX_HISTORY_POINTS} points (longer spans merge minutes into buckets: the most seeders and leechers of each). Minutes without peers read as zero; empty before the first sample with peers.`,
  })
  async history(@Root() s: Swarm, @Arg('minutes', () => Int, { nullable: true }) minutes: number | null, @Ctx() { deps }: GraphQLContext): Promise<SwarmPoint[]> {
    const m = minutes ?? 60;
    if (!Number.isInteger(m) || m < 1 || m > HISTORY_MINUTES) fail('BAD_USER_INPUT', `minutes must be 1 to ${HISTORY_MINUTES}`);
    const points = (await deps.history?.read(s.infoHash, m)) ?? [];
    return loopSlices.paced(points.map((p) => ({ at: new Date(p.minute * 60_000), seeders: p.seeders, leechers: p.leechers, completed: p.completed })));
  }

  @Query(() => Stats)
  async stats(@Ctx() { deps }: GraphQLContext): Promise<Stats> {
    const t = await deps.store.totals();
    return { torrents: deps.registered.size, peers: t.peers, seeders: t.seeders, leechers: t.leechers, announcesLastMinute: deps.announces.lastMinute() };
  }
}
