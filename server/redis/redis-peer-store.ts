// PeerStore in Redis, so several tracker processes share one set of swarms. Same rules as the
// memory store; the announces of one event-loop tick go out as one Lua script call
// (announce-batch.ts, announce.lua.ts), keys are in keys.ts.
import { SocketAddress } from 'node:net';
import { Redis } from 'ioredis';
import { decodeCompactPeer } from '../tracker/compact-peer.js';
import { peersPerAddress, type AnnounceResult, type PeerAnnounce, type PeerInfo, type PeerStore, type PeerStoreOptions, type SwarmCounts } from '../tracker/peer-store.js';
import { AnnounceBatcher } from './announce-batch.js';
import { ANNOUNCE_LUA } from './announce.lua.js';
import { globalKeys, LEECHERS4, swarmKeys, type GlobalKeys } from './keys.js';
import { EXPIRE_LUA, PEER_PAGE_LUA, PEERS_LUA, SCRAPE_LUA, SEED_COMPLETED_LUA, TAKE_COMPLETED_LUA, TOTALS_LUA } from './swarm-scripts.lua.js';

type Arg = string | Buffer | number;

/** The scripts defineScripts adds to the client; `...Buffer` variants keep byte strings intact. */
interface Scripts {
  seedhostAnnounceBuffer(...args: Arg[]): Promise<Buffer>;
  seedhostScrape(...args: Arg[]): Promise<number[]>;
  seedhostPeersBuffer(...args: Arg[]): Promise<Buffer[]>;
  seedhostPeerPageBuffer(...args: Arg[]): Promise<Buffer[]>;
  seedhostExpire(...args: Arg[]): Promise<[number, number]>;
  seedhostTotals(...args: Arg[]): Promise<[number, number]>;
  seedhostSeedCompleted(...args: Arg[]): Promise<number>;
  seedhostTakeCompleted(...args: Arg[]): Promise<string[]>;
}

/** Torrents per expire/totals script call; peers one expire call drops at most (~10 ms of Redis). */
const BATCH = 200, EXPIRE_LIMIT = 2000;

function defineScripts(r: Redis): Redis & Scripts {
  // numberOfKeys omitted: the caller passes the key count first (it depends on the torrents)
  r.defineCommand('seedhostAnnounce', { numberOfKeys: 3, lua: ANNOUNCE_LUA });
  r.defineCommand('seedhostScrape', { lua: SCRAPE_LUA });
  r.defineCommand('seedhostPeers', { numberOfKeys: 5, lua: PEERS_LUA });
  r.defineCommand('seedhostPeerPage', { numberOfKeys: 9, lua: PEER_PAGE_LUA });
  r.defineCommand('seedhostExpire', { lua: EXPIRE_LUA });
  r.defineCommand('seedhostTotals', { lua: TOTALS_LUA });
  r.defineCommand('seedhostSeedCompleted', { numberOfKeys: 1, lua: SEED_COMPLETED_LUA });
  r.defineCommand('seedhostTakeCompleted', { numberOfKeys: 2, lua: TAKE_COMPLETED_LUA });
  return r as Redis & Scripts;
}

/** ip and port of compact bytes, the IPv6 address in its canonical short form (as sockets give it). */
function addressOf(addr: Buffer): { ip: string; port: number } {
  const p = decodeCompactPeer(addr, 0, addr.length === 18);
  if (addr.length === 18) p.ip = new SocketAddress({ address: p.ip, family: 'ipv6' }).address;
  return p;
}

/** Peers from a peers script's reply: member, last-seen score, peer-data value per peer. */
function peersOf(r: Buffer[]): PeerInfo[] {
  const out: PeerInfo[] = [];
  for (let i = 0; i < r.length; i += 3) {
    const v = r[i + 2];
    const [, uploaded, downloaded, left] = v.subarray(21).toString('latin1').split(',').map(Number);
    out.push({
      ...addressOf(r[i]), peerId: Buffer.from(v.subarray(1, 21)), seeder: v[0] - 48 < LEECHERS4,
      uploaded, downloaded, left, lastSeen: Number(r[i + 1].toString('latin1')),
    });
  }
  return out;
}

export interface RedisPeerStoreOptions extends PeerStoreOptions {
  /** Prefix of every key the store uses (tests give each store its own); default `seedhost:`. */
  prefix?: string;
}

/**
 * PeerStore kept in Redis (7.0 or later); asynchronous. Built from an ioredis client, which stays
 * the caller's to close, or from a URL, in which case the store opens its own auto-pipelining
 * client and close() quits it. Not for Redis Cluster: scripts touch keys shared by all torrents,
 * and the announce script builds the torrents' key names itself instead of declaring them.
 */
export class RedisPeerStore implements PeerStore {
  readonly sync = false;
  private readonly redis: Redis & Scripts;
  private readonly ownsClient: boolean;
  /** Prefix of every key this store uses. */
  readonly prefix: string;
  private readonly keys: GlobalKeys;
  private readonly batcher: AnnounceBatcher;

  constructor(client: Redis | string, opts: RedisPeerStoreOptions = {}) {
    this.ownsClient = typeof client === 'string';
    // auto-pipelining: the other commands of one tick (scrapes, the batch) share one write
    this.redis = defineScripts(typeof client === 'string' ? new Redis(client, { enableAutoPipelining: true }) : client);
    this.prefix = opts.prefix ?? 'seedhost:';
    this.keys = globalKeys(this.prefix);
    const g = this.keys;
    const perAddress = peersPerAddress(opts);
    this.batcher = new AnnounceBatcher((now, blob) => this.redis.seedhostAnnounceBuffer(g.completed, g.dirty, g.swarms, this.prefix, now, blob, perAddress));
  }

  announce(a: PeerAnnounce, out: AnnounceResult): Promise<void> {
    return this.batcher.add(a, out);
  }

  async scrape(infoHashes: readonly string[]): Promise<SwarmCounts[]> {
    if (infoHashes.length === 0) return [];
    const keys = [this.keys.completed, ...infoHashes.flatMap((h) => swarmKeys(this.prefix, h).slice(0, 4))];
    const r = await this.redis.seedhostScrape(keys.length, ...keys, ...infoHashes);
    return infoHashes.map((_, i) => ({ complete: r[i * 3], incomplete: r[i * 3 + 1], downloaded: r[i * 3 + 2] }));
  }

  async peers(infoHash: string): Promise<PeerInfo[]> {
    return peersOf(await this.redis.seedhostPeersBuffer(...swarmKeys(this.prefix, infoHash).slice(0, 5)));
  }

  async peerPage(infoHash: string, offset: number, limit: number): Promise<PeerInfo[]> {
    if (limit <= 0) return [];
    return peersOf(await this.redis.seedhostPeerPageBuffer(...swarmKeys(this.prefix, infoHash), offset, limit));
  }

  /** Raises the torrent's completed count to `downloaded` if lower (never lowers it; does not mark it changed). */
  async seedCompleted(infoHash: string, downloaded: number): Promise<void> {
    await this.redis.seedhostSeedCompleted(this.keys.completed, infoHash, downloaded);
  }

  async removeTorrent(infoHash: string): Promise<void> {
    const g = this.keys;
    await this.redis.multi().del(...swarmKeys(this.prefix, infoHash)).hdel(g.completed, infoHash)
      .srem(g.dirty, infoHash).srem(g.swarms, infoHash).exec();
  }

  async expire(before: number): Promise<number> {
    let dropped = 0;
    await this.eachSwarmBatch(async (hashes) => {
      const keys = [this.keys.swarms, ...hashes.flatMap((h) => swarmKeys(this.prefix, h))];
      for (let more = 1; more === 1;) {
        const r = await this.redis.seedhostExpire(keys.length, ...keys, before, EXPIRE_LIMIT, ...hashes);
        dropped += r[0];
        more = r[1];
      }
    });
    return dropped;
  }

  /** As PeerStore.totals, but `swarms` counts torrents with at least one peer (not merely announced to). */
  async totals(): Promise<{ swarms: number; peers: number; seeders: number; leechers: number }> {
    let seeders = 0, leechers = 0;
    await this.eachSwarmBatch(async (hashes) => {
      const keys = hashes.flatMap((h) => swarmKeys(this.prefix, h).slice(0, 4));
      const r = await this.redis.seedhostTotals(keys.length, ...keys);
      seeders += r[0];
      leechers += r[1];
    });
    return { swarms: await this.redis.scard(this.keys.swarms), peers: seeders + leechers, seeders, leechers };
  }

  /**
   * Takes the torrents whose completed count rose since the last call, with their absolute counts,
   * atomically (of several trackers sharing the Redis, one gets each change). Write them with
   * GREATEST(stored, count); on failure hand the hashes to restoreCompletedChanges.
   */
  async takeCompletedChanges(): Promise<Map<string, number>> {
    const r = await this.redis.seedhostTakeCompleted(this.keys.dirty, this.keys.completed);
    const out = new Map<string, number>();
    for (let i = 0; i < r.length; i += 2) out.set(r[i], Number(r[i + 1]));
    return out;
  }

  /** Marks torrents changed again (after a failed database write), so the next take returns them. */
  async restoreCompletedChanges(infoHashes: Iterable<string>): Promise<void> {
    const list = [...infoHashes];
    if (list.length > 0) await this.redis.sadd(this.keys.dirty, ...list);
  }

  /** Quits the client if the store opened it. */
  async close(): Promise<void> {
    if (this.ownsClient) await this.redis.quit();
  }

  /** Runs `fn` on batches of the torrents in the swarms set, each torrent once (SSCAN, never KEYS). */
  private async eachSwarmBatch(fn: (hashes: string[]) => Promise<void>): Promise<void> {
    const seen = new Set<string>(); // SSCAN may return an element twice while the set rehashes
    let cursor = '0';
    do {
      const [next, found] = await this.redis.sscan(this.keys.swarms, cursor, 'COUNT', BATCH);
      cursor = next;
      const hashes = found.filter((h) => !seen.has(h) && seen.add(h) !== undefined);
      if (hashes.length > 0) await fn(hashes);
    } while (cursor !== '0');
  }
}
