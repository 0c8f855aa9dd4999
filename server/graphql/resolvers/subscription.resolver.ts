// Live events over graphql-ws: swarm counts (coalesced), torrents added and removed.
import { Repeater } from '@graphql-yoga/subscription';
import { Arg, Resolver, Root, Subscription } from 'type-graphql';
import type { GraphQLContext } from '../context.js';
import { currentCounts, startingWithCurrent } from '../current-counts.js';
import { infoHashArg } from '../info-hash-arg.js';
import { fail } from '../errors.js';
import { SWARM_UPDATED, SWARM_UPDATED_ALL, TORRENT_ADDED, TORRENT_REMOVED, type EventBus } from '../pubsub.js';
import { SwarmUpdate, TorrentRemoved } from '../types/swarm.type.js';
import { Torrent } from '../types/torrent.type.js';

/** Most torrents one swarmsUpdated subscription follows (a page of the list is at most 100). */
export const MAX_WATCHED_TORRENTS = 100;

@Resolver()
export class SubscriptionResolver {
  @Subscription(() => SwarmUpdate, {
    subscribe: ({ args, context }) => {
      const { pubSub, watchers, registered } = (context as GraphQLContext).deps;
      const bus = pubSub as EventBus;
      const given = (args as { infoHash?: string | null }).infoHash;
      if (given === undefined || given === null) return watchers.watch('', bus.subscribe(SWARM_UPDATED_ALL));
      // checked before anything is kept, so watcher keys are only torrents this server tracks
      const asked = infoHashArg(given);
      const h = registered.has(asked) ? asked : (context as GraphQLContext).deps.v2Aliases?.get(asked) ?? asked;
      if (!registered.has(h)) fail('NOT_FOUND', 'no torrent with this infoHash');
      return watchers.watch(h, bus.subscribe(SWARM_UPDATED, h));
    },
    description: 'Counts of one torrent (or every torrent without infoHash), pushed after announces that change them; at most a few per second per torrent. BAD_USER_INPUT unless infoHash is 40 hex characters, NOT_FOUND for a torrent not tracked here.',
  })
  swarmUpdated(@Root() u: SwarmUpdate, @Arg('infoHash', () => String, { nullable: true }) _infoHash: string | null): SwarmUpdate {
    return u;
  }

  @Subscription(() => SwarmUpdate, {
    subscribe: ({ args, context }) => {
      const { pubSub, watchers, registered, store } = (context as GraphQLContext).deps;
      const bus = pubSub as EventBus;
      const { infoHashes: given, current } = args as { infoHashes: string[]; current?: boolean | null };
      if (given.length > MAX_WATCHED_TORRENTS) fail('BAD_USER_INPUT', `at most ${MAX_WATCHED_TORRENTS} infoHashes`);
      // torrents deleted meanwhile are left out, not refused: a list shown for a while may hold some
      const tracked = [...new Set(given.map(infoHashArg))].filter((h) => registered.has(h));
      const live = Repeater.merge(tracked.map((h) => bus.subscribe(SWARM_UPDATED, h)));
      return watchers.watchMany(tracked, current === true ? startingWithCurrent(live, () => currentCounts(store, tracked)) : live);
    },
    description: `Counts of the given torrents (what a page shows), as swarmUpdated pushes them; at most ${MAX_WATCHED_TORRENTS} (BAD_USER_INPUT beyond), hashes this server does not track are ignored. With current: true, first the counts of each as they are when the subscription starts (nothing changed between a query and this subscription is missed).`,
  })
  swarmsUpdated(
    @Root() u: SwarmUpdate,
    @Arg('infoHashes', () => [String]) _infoHashes: string[],
    @Arg('current', () => Boolean, { nullable: true, defaultValue: false, description: 'Push the current counts of each torrent first.' }) _current: boolean,
  ): SwarmUpdate {
    return u;
  }

  @Subscription(() => Torrent, { topics: TORRENT_ADDED })
  torrentAdded(@Root() t: Torrent): Torrent {
    return t;
  }

  @Subscription(() => TorrentRemoved, { topics: TORRENT_REMOVED })
  torrentRemoved(@Root() r: TorrentRemoved): TorrentRemoved {
    return r;
  }
}
