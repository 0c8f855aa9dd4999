// What resolvers receive: the wired services (no DI container: main.ts builds GraphQLDeps once)
// and who is asking.
import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { PubSub } from 'type-graphql';
import { authenticate, type AuthUser } from '../services/auth.js';
import { fileCounts } from '../services/torrent-catalog.js';
import type { CatalogEvents } from '../services/catalog-events.js';
import type { LoginAttempts } from '../services/login-limiter.js';
import type { PublishStats } from '../services/publish-stats.js';
import type { SwarmHistory } from '../services/swarm-history.js';
import type { FileStore } from '../storage/file-store.js';
import type { AnnounceRate } from '../tracker/announce-rate.js';
import type { PeerStore } from '../tracker/peer-store.js';
import type { SwarmWatchers } from './pubsub.js';

export interface GraphQLDeps {
  ds: DataSource;
  store: PeerStore;
  files: FileStore;
  events: CatalogEvents;
  registered: ReadonlySet<string>;
  /** A hybrid's v2 hash cut to 40 hex -> its infoHash (the tracker's v2Aliases). */
  v2Aliases?: ReadonlyMap<string, string>;
  publicUrl: string;
  /** PUBLIC_UDP_URL (magnets and new torrents list it beside HTTP); undefined: none. */
  udpAnnounceUrl?: string;
  maxUploadBytes: number;
  /** MAX_TORRENT_FILES. */
  maxTorrentFiles: number;
  limiter: LoginAttempts;
  pubSub: PubSub;
  watchers: SwarmWatchers;
  announces: AnnounceRate;
  /** Swarm history for Swarm.history (absent: no history). */
  history?: SwarmHistory;
  /** Counts uploads for the metrics endpoint, when given. */
  publishes?: PublishStats;
}

export interface GraphQLContext {
  deps: GraphQLDeps;
  /** null: anonymous (no token, or one that is unknown, expired or revoked). */
  user: AuthUser | null;
  /** The bearer token as sent, for logout. */
  token: string | null;
  ip: string;
  /** Per-operation batching: every torrent's fileCount of one page in one query. */
  fileCounts: DataLoader<number, number>;
}

/** Builds the context from an Authorization value (`Bearer <token>`) and the client address. */
export async function buildContext(deps: GraphQLDeps, authorization: unknown, ip: string): Promise<GraphQLContext> {
  const m = typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization.trim()) : null;
  const token = m?.[1] ?? null;
  const user = token === null ? null : await authenticate(deps.ds, token);
  return { deps, user, token, ip, fileCounts: new DataLoader((ids) => fileCounts(deps.ds, ids)) };
}
