// Builds the executable schema from the resolvers (code first); `npm run schema` prints it to
// schema/schema.graphql.
import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type PubSub } from 'type-graphql';
import { AuthChecker } from './auth-checker.js';
import { AuthResolver } from './resolvers/auth.resolver.js';
import { LimitsResolver } from './resolvers/limits.resolver.js';
import { SubscriptionResolver } from './resolvers/subscription.resolver.js';
import { SwarmResolver } from './resolvers/swarm.resolver.js';
import { TorrentFilesResolver } from './resolvers/torrent-files.resolver.js';
import { TorrentResolver } from './resolvers/torrent.resolver.js';
import { UserResolver } from './resolvers/user.resolver.js';

/** The schema; `pubSub` carries subscription events (a local bus, or Redis later). */
export function buildGraphQLSchema(pubSub: PubSub): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [TorrentResolver, TorrentFilesResolver, SwarmResolver, AuthResolver, UserResolver, SubscriptionResolver, LimitsResolver],
    authChecker: AuthChecker,
    pubSub,
    validate: false,
  });
}
