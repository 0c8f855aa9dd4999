// Live events over graphql-ws: swarm counts (coalesced), torrents added and removed.
import { Arg, Resolver, Root, Subscription } from 'type-graphql';
import type { GraphQLContext } from '../context.js';
import { SWARM_UPDATED, SWARM_UPDATED_ALL, TORRENT_ADDED, TORRENT_REMOVED, type EventBus } from '../pubsub.js';
import { SwarmUpdate, TorrentRemoved } from '../types/swarm.type.js';
import { Torrent } from '../types/torrent.type.js';

@Resolver()
export class SubscriptionResolver {
  @Subscription(() => SwarmUpdate, {
    subscribe: ({ args, context }) => {
      const { pubSub, watchers } = (context as GraphQLContext).deps;
      const bus = pubSub as EventBus;
      const h = (args as { infoHash?: string | null }).infoHash?.toLowerCase();
      return h ? watchers.watch(h, bus.subscribe(SWARM_UPDATED, h)) : watchers.watch('', bus.subscribe(SWARM_UPDATED_ALL));
    },
    description: 'Counts of one torrent (or every torrent without infoHash), pushed after announces that change them; at most a few per second per torrent.',
  })
  swarmUpdated(@Root() u: SwarmUpdate, @Arg('infoHash', () => String, { nullable: true }) _infoHash: string | null): SwarmUpdate {
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
