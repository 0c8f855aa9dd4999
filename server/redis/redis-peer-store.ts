// PeerStore in Redis or a Redis Cluster, so several tracker processes share one set of swarms.
// Same rules as the memory store; the announces of one event-loop tick go out as one Lua script
// call per node (announce-batch.ts, announce.lua.ts), keys are in keys.ts, nodes in redis-nodes.ts.
import { SocketAddress } from 'node:net';
import { Redis, ReplyError } from 'ioredis';
import { decodeCompactPeer } from '../tracker/compact-peer.js';
import { peersPerAddress, type AnnounceResult, type PeerAnnounce, type PeerInfo, type PeerStore, type PeerStoreOptions, type SwarmCounts } from '../tracker/peer-store.js';
import { AnnounceBatcher, NOT_SERVED, NotServedHere, RESENDS, type BatchRoute } from './announce-batch.js';
import { SwarmViews } from './swarm-views.js';
import { ANNOUNCE_LUA } from './announce.lua.js';
import { LEECHERS4, slotKeys, swarmKeys } from './keys.js';
import { NodeScript, slotMapRefresher } from './node-scripts.js';
import { groupByNode, isCluster, masterOfSlot, replicasOfSlot, type RedisClient } from './redis-nodes.js';
import { SLOTS, slotOfTag, tagOfSlot } from './slots.js';
import { EXPIRE_LUA, LIST_SWARMS_LUA, PEER_PAGE_LUA, REMOVE_LUA, SCRAPE_LUA, SEED_COMPLETED_LUA, PENDING_COMPLETED_LUA, CONFIRM_COMPLETED_LUA, TOTALS_LUA } from './swarm-scripts.lua.js';

type Arg = string | Buffer | number;

/** The scripts defineScripts adds to the client; `...Buffer` variants keep byte strings intact. */
interface Scripts {
  seedhostAnnounceBuffer(...args: Arg[]): Promise<Buffer>;
  seedhostScrape(...args: Arg[]): Promise<number[]>;
  seedhostPeerPageBuffer(...args: Arg[]): Promise<Buffer[]>;
  seedhostExpire(...args: Arg[]): Promise<[number, number, number, number]>;
  seedhostTotals(...args: Arg[]): Promise<[number, number]>;
  seedhostListSwarms(...args: Arg[]): Promise<(string | number)[]>;
  seedhostRemove(...args: Arg[]): Promise<number>;
  seedhostSeedCompleted(...args: Arg[]): Promise<number>;
  seedhostPendingCompleted(...args: Arg[]): Promise<string[]>;
  seedhostConfirmCompleted(...args: Arg[]): Promise<number>;
}

/**
 * Torrents per expire/totals script call; the budget of one expire call (a peer read costs 1, one
 * dropped EXPIRE_DROP_COST more: a few ms of Redis); peers per page of peers().
 */
const BATCH = 200, EXPIRE_BUDGET = 2000, PEERS_PAGE = 1000;
/** Slots whose registries one list/take call reads (a cluster has 16384, most of them small). */
const SLOT_CHUNK = 1024;
/** Longest wait (ms) for a replica to confirm a batch that raised a completed count. */
export const REPLICA_WAIT_MS = 1000;
/** The scripts sent to one master's connection on a cluster (node-scripts.ts): those that write, and scrape. */
const ON_NODE = {
  announce: new NodeScript(ANNOUNCE_LUA), scrape: new NodeScript(SCRAPE_LUA), expire: new NodeScript(EXPIRE_LUA),
  remove: new NodeScript(REMOVE_LUA), seedCompleted: new NodeScript(SEED_COMPLETED_LUA), confirmCompleted: new NodeScript(CONFIRM_COMPLETED_LUA),
};

function defineScripts(r: RedisClient): RedisClient & Scripts {
  // one routing key (a key of the node) first: the scripts build the other names themselves
  r.defineCommand('seedhostAnnounce', { numberOfKeys: 1, lua: ANNOUNCE_LUA });
  // a tick's announces are one call already (announce-batch.ts): written at once, not through an
  // auto-pipeline (its Pipeline object and one more setImmediate per call)
  const ignored = r.options.autoPipeliningIgnoredCommands;
  if (ignored !== undefined && !ignored.includes('seedhostAnnounce')) ignored.push('seedhostAnnounce');
  r.defineCommand('seedhostScrape', { numberOfKeys: 1, lua: SCRAPE_LUA });
  r.defineCommand('seedhostPeerPage', { numberOfKeys: 9, lua: PEER_PAGE_LUA });
  r.defineCommand('seedhostExpire', { numberOfKeys: 1, lua: EXPIRE_LUA });
  r.defineCommand('seedhostTotals', { numberOfKeys: 1, lua: TOTALS_LUA });
  r.defineCommand('seedhostListSwarms', { numberOfKeys: 1, lua: LIST_SWARMS_LUA });
  r.defineCommand('seedhostRemove', { numberOfKeys: 1, lua: REMOVE_LUA });
  r.defineCommand('seedhostSeedCompleted', { numberOfKeys: 1, lua: SEED_COMPLETED_LUA });
  r.defineCommand('seedhostPendingCompleted', { numberOfKeys: 1, lua: PENDING_COMPLETED_LUA });
  r.defineCommand('seedhostConfirmCompleted', { numberOfKeys: 1, lua: CONFIRM_COMPLETED_LUA });
  return r as RedisClient & Scripts;
}

/** ip and port of compact bytes, the IPv6 address in its canonical short form (as sockets give it). */
function addressOf(addr: Buffer): { ip: string; port: number } {
  const p = decodeCompactPeer(addr, 0, addr.length === 18);
  if (addr.length === 18) p.ip = new SocketAddress({ address: p.ip, family: 'ipv6' }).address;
  return p;
}

/** Peers from a peer page script's reply: member, last-seen ms, peer-data value per peer. */
function peersOf(r: Buffer[]): PeerInfo[] {
  const out: PeerInfo[] = [];
  for (let i = 0; i < r.length; i += 3) {
    const v = r[i + 2];
    // "slot,uploaded,downloaded,left[,identity]" and, written by this version, ";" and the time (slots.lua.ts)
    const fields = v.subarray(21).toString('latin1');
    const [, uploaded, downloaded, left] = fields.slice(0, fields.indexOf(';') >>> 0).split(',').map(Number);
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
  /**
   * Keep small swarms' peers here with their version and pick replies from them while the swarm
   * is unchanged (swarm-views.ts); default true. False: the script picks every reply's peers.
   */
  views?: boolean;
}

/** A torrent with its hash slot. */
interface Slotted {
  h: string;
  slot: number;
}

/**
 * PeerStore kept in Redis (7.0 or later) or a Redis Cluster; asynchronous. Built from an ioredis
 * client (Redis or Cluster), which stays the caller's to close, or from a URL, in which case the
 * store opens its own auto-pipelining client and close() quits it. On a cluster, a call that
 * raised a completed count waits (WAIT, at most REPLICA_WAIT_MS) until a replica has it before
 * its announces are answered, so a promoted replica has every count a peer was told.
 */
export class RedisPeerStore implements PeerStore {
  readonly sync = false;
  private readonly redis: RedisClient & Scripts;
  private readonly ownsClient: boolean;
  private readonly cluster: boolean;
  /** Prefix of every key this store uses. */
  readonly prefix: string;
  private readonly batcher: AnnounceBatcher;
  private readonly views: SwarmViews | undefined;
  /** Reads a cluster's slot map again (undefined on a single Redis). */
  private readonly refresh: (() => Promise<void>) | undefined;

  constructor(client: RedisClient | string, opts: RedisPeerStoreOptions = {}) {
    this.ownsClient = typeof client === 'string';
    // auto-pipelining: the other commands of one tick (scrapes, the batch) share one write
    this.redis = defineScripts(typeof client === 'string' ? new Redis(client, { enableAutoPipelining: true }) : client);
    this.cluster = isCluster(this.redis);
    this.prefix = opts.prefix ?? 'seedhost:';
    const perAddress = peersPerAddress(opts);
    this.views = opts.views === false ? undefined : new SwarmViews();
    this.refresh = isCluster(this.redis) ? slotMapRefresher(this.redis) : undefined;
    const route: BatchRoute = {
      slotOf: (h) => this.slotOf(h), split: (items) => groupByNode(this.redis, items, (p) => p.slot),
      refresh: this.refresh,
    };
    this.batcher = new AnnounceBatcher(async (now, blob, slot, completions) => {
      const args: Arg[] = [this.routeKey(slot), this.prefix, now, blob, perAddress];
      // on a cluster, to the node the slot map names; the cluster client (which finds a node by
      // itself and follows a failover) only while the map names none, or that node's link is down
      const r = await this.onNode(slot, ON_NODE.announce, true, args, () => this.redis.seedhostAnnounceBuffer(...args));
      if (completions) await this.replicated(slot);
      return r;
    }, route, this.views);
  }

  /** The torrent's hash slot on a cluster; 0 (one set of registries) on a single Redis. */
  private slotOf(infoHash: string): number {
    return this.cluster ? slotOfTag(infoHash) : 0;
  }

  /** A key in `slot`, to route a script to the node serving it. */
  private routeKey(slot: number): string {
    return slotKeys(this.prefix, tagOfSlot(slot)).completed;
  }

  /**
   * Runs `script` with `args` (routing key first) on the master the slot map names for `slot`
   * (node-scripts.ts: no ASK followed, NotServedHere when the node ran nothing); through the
   * client (`viaClient`) on a single Redis, while the map names no node, or its link is down.
   */
  private async onNode<T>(slot: number, script: NodeScript, bytes: boolean, args: Arg[], viaClient: () => Promise<T>): Promise<T> {
    const node = masterOfSlot(this.redis, slot);
    if (node === undefined || node.status !== 'ready') return viaClient();
    try {
      return await script.run(node, slot, args, bytes) as T;
    } catch (e) {
      // the link broke under the call (not an answer of the node): the cluster client, which
      // reconnects and follows a failover, sends it again (a batch applied twice in a row leaves
      // the swarms as once: a peer's second announce is a re-announce, a completion counts once)
      if (e instanceof NotServedHere || e instanceof ReplyError) throw e;
      return viaClient();
    }
  }

  /** Waits until a replica of the slot's master has what it wrote so far (if it has replicas). */
  private async replicated(slot: number): Promise<void> {
    if (replicasOfSlot(this.redis, slot) === 0) return;
    await masterOfSlot(this.redis, slot)?.wait(1, REPLICA_WAIT_MS);
  }

  /** Torrents with their slots, in runs of one node each. */
  private runs(infoHashes: readonly string[]): Slotted[][] {
    return groupByNode(this.redis, infoHashes.map((h) => ({ h, slot: this.slotOf(h) })), (t) => t.slot);
  }

  /** Swarms whose views this store holds (swarm-views.ts). */
  get heldViews(): number {
    return this.views?.size ?? 0;
  }

  announce(a: PeerAnnounce, out: AnnounceResult): Promise<void> {
    return this.batcher.add(a, out);
  }

  async scrape(infoHashes: readonly string[]): Promise<SwarmCounts[]> {
    if (infoHashes.length === 0) return [];
    const at = new Map<string, number[]>();
    infoHashes.forEach((h, i) => (at.get(h) ?? at.set(h, []).get(h) as number[]).push(i));
    const out: SwarmCounts[] = new Array(infoHashes.length);
    // torrents a node did not serve (resharding, a stale slot map) are asked again as announces are
    let todo = [...at.keys()], why = '';
    for (let resent = 0; todo.length > 0; resent++) {
      if (resent > 0) {
        if (resent > RESENDS.length) throw new Error(`scrape not answered after ${RESENDS.length} resends: ${why} (resharding?)`);
        await this.refresh?.().catch(() => undefined);
        await new Promise((res) => setTimeout(res, Math.max(RESENDS[resent - 1], RESENDS[1])));
      }
      const missed: string[] = [];
      await Promise.all(this.runs(todo).map(async (run) => {
        const slot = run[0].slot, args: Arg[] = [this.routeKey(slot), this.prefix, ...run.flatMap((t) => [t.h, tagOfSlot(t.slot)])];
        let r: number[];
        try {
          r = await this.onNode(slot, ON_NODE.scrape, false, args, () => this.redis.seedhostScrape(...args));
        } catch (e) {
          if (!(e instanceof NotServedHere)) throw e;
          why = e.message;
          missed.push(...run.map((t) => t.h));
          return;
        }
        run.forEach((t, j) => {
          if (r[j * 3] < 0) {
            why = NOT_SERVED;
            missed.push(t.h);
            return;
          }
          for (const i of at.get(t.h) as number[]) out[i] = { complete: r[j * 3], incomplete: r[j * 3 + 1], downloaded: r[j * 3 + 2] };
        });
      }));
      todo = missed;
    }
    return out;
  }

  async peers(infoHash: string): Promise<PeerInfo[]> {
    const all: PeerInfo[] = [];
    for (;;) {
      const page = await this.peerPage(infoHash, all.length, PEERS_PAGE);
      all.push(...page);
      if (page.length < PEERS_PAGE) return all;
    }
  }

  async peerPage(infoHash: string, offset: number, limit: number): Promise<PeerInfo[]> {
    if (limit <= 0) return [];
    return peersOf(await this.redis.seedhostPeerPageBuffer(...swarmKeys(this.prefix, infoHash), offset, limit));
  }

  /** Raises the torrent's completed count to `downloaded` if lower (never lowers it; does not mark it changed). */
  async seedCompleted(infoHash: string, downloaded: number): Promise<void> {
    const slot = this.slotOf(infoHash), args = [this.routeKey(slot), infoHash, downloaded];
    await this.onNode(slot, ON_NODE.seedCompleted, false, args, () => this.redis.seedhostSeedCompleted(...args));
  }

  async removeTorrent(infoHash: string): Promise<void> {
    const slot = this.slotOf(infoHash);
    this.views?.drop(infoHash);
    const args = [this.routeKey(slot), this.prefix, infoHash, tagOfSlot(slot)];
    await this.onNode(slot, ON_NODE.remove, false, args, () => this.redis.seedhostRemove(...args));
  }

  /**
   * Drops the peers last seen before `before`. Every peer's time is read to find them (a time is
   * no longer kept in a sorted set per role, which cost a ZADD per announce), so a full pass runs
   * at most once per half the timeout (`now - before`): a peer goes between 1 and 1.5 timeouts
   * after its last announce, and a peer's time is read about once per announce at the usual
   * interval (PEER_TIMEOUT is 2.1 of them). The time of the last full pass is kept in Redis, for
   * whichever instance sweeps next.
   */
  async expire(before: number): Promise<number> {
    const now = Date.now();
    const passKey = `${this.prefix}sweep:pass`;
    const last = Number(await this.redis.get(passKey) ?? 0);
    if (now - last < (now - before) / 2) return 0;
    let dropped = 0;
    await this.eachSwarmBatch(async (run) => {
      const args = run.flatMap((t) => [t.h, tagOfSlot(t.slot)]);
      // each call reads what its budget allows and says where to go on: torrent, role, slot
      for (let at = 0, role = 1, slot = 0; at < run.length;) {
        const call = [this.routeKey(run[0].slot), this.prefix, before, EXPIRE_BUDGET, role, slot, ...args.slice(at * 2)];
        const [n, done, r, s] = await this.onNode(run[0].slot, ON_NODE.expire, false, call, () => this.redis.seedhostExpire(...call));
        dropped += n;
        at += done;
        role = r;
        slot = s;
      }
    });
    await this.redis.set(passKey, String(now));
    return dropped;
  }

  /** As PeerStore.totals, but `swarms` counts torrents with at least one peer (not merely announced to). */
  async totals(): Promise<{ swarms: number; peers: number; seeders: number; leechers: number }> {
    let seeders = 0, leechers = 0, swarms = 0;
    await this.eachSwarmBatch(async (run) => {
      const r = await this.redis.seedhostTotals(this.routeKey(run[0].slot), this.prefix, ...run.map((t) => t.h));
      seeders += r[0];
      leechers += r[1];
      swarms += run.length;
    });
    return { swarms, peers: seeders + leechers, seeders, leechers };
  }

  /**
   * The torrents whose completed count rose and is not yet confirmed written, with their absolute
   * counts. Write them with GREATEST(stored, count), then confirmCompletedChanges; until then they
   * stay pending, so a tracker that fails or dies before its write has lost nothing (another
   * instance, or its next flush, writes them; two writing the same count agree).
   */
  async pendingCompletedChanges(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    await this.eachSlotChunk(async (slots) => {
      const r = await this.redis.seedhostPendingCompleted(this.routeKey(slots[0]), this.prefix, ...slots.map(tagOfSlot));
      for (let i = 0; i < r.length; i += 2) out.set(r[i], Number(r[i + 1]));
    });
    return out;
  }

  /** The counts written to the database: each torrent stops being pending unless its count rose since. */
  async confirmCompletedChanges(written: ReadonlyMap<string, number>): Promise<void> {
    await Promise.all(this.runs([...written.keys()]).map((run) => {
      const args = [this.routeKey(run[0].slot), this.prefix, ...run.flatMap((t) => [t.h, tagOfSlot(t.slot), written.get(t.h) as number])];
      return this.onNode(run[0].slot, ON_NODE.confirmCompleted, false, args, () => this.redis.seedhostConfirmCompleted(...args));
    }));
  }

  /** Quits the client if the store opened it. */
  async close(): Promise<void> {
    if (this.ownsClient) await this.redis.quit();
  }

  /** Runs `fn` on chunks of the slots in use (all of a cluster's, by node; a single Redis's one). */
  private async eachSlotChunk(fn: (slots: number[]) => Promise<void>): Promise<void> {
    const all = this.cluster ? Array.from({ length: SLOTS }, (_, i) => i) : [0];
    await Promise.all(groupByNode(this.redis, all, (s) => s).map(async (run) => {
      for (let i = 0; i < run.length; i += SLOT_CHUNK) await fn(run.slice(i, i + SLOT_CHUNK));
    }));
  }

  /** Runs `fn` on batches (of one node each) of the torrents that have peers, each torrent once. */
  private async eachSwarmBatch(fn: (run: Slotted[]) => Promise<void>): Promise<void> {
    if (!this.cluster) {
      // SSCAN, never SMEMBERS of a set that may hold every torrent
      const seen = new Set<string>(); // SSCAN may return an element twice while the set rehashes
      let cursor = '0';
      do {
        const [next, found] = await this.redis.sscan(slotKeys(this.prefix, tagOfSlot(0)).swarms, cursor, 'COUNT', BATCH);
        cursor = next;
        const run = found.filter((h) => !seen.has(h) && seen.add(h) !== undefined).map((h) => ({ h, slot: 0 }));
        if (run.length > 0) await fn(run);
      } while (cursor !== '0');
      return;
    }
    await this.eachSlotChunk(async (slots) => {
      const r = await this.redis.seedhostListSwarms(this.routeKey(slots[0]), this.prefix, ...slots.map(tagOfSlot));
      const run: Slotted[] = [];
      for (let i = 0; i < r.length;) {
        const slot = slotOfTag(String(r[i]));
        const n = Number(r[i + 1]);
        for (let j = 0; j < n; j++) run.push({ h: String(r[i + 2 + j]), slot });
        i += 2 + n;
      }
      for (let i = 0; i < run.length; i += BATCH) await fn(run.slice(i, i + BATCH));
    });
  }
}
