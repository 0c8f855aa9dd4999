// One Redis or a Redis Cluster behind one type: which node serves a slot, so that the store
// sends each node one call for the torrents it holds, and which node to WAIT on.
import { Cluster, type Redis } from 'ioredis';

/** A single Redis or a Redis Cluster (ioredis). */
export type RedisClient = Redis | Cluster;

/** true for a Redis Cluster client. */
export function isCluster(c: RedisClient): c is Cluster {
  return c instanceof Cluster;
}

/**
 * The node serving `slot`, as "host:port" of its master, from the client's slot map; '' on a
 * single Redis or while the map is unknown (then one call goes out and the cluster redirects it).
 */
export function nodeOfSlot(c: RedisClient, slot: number): string {
  return isCluster(c) ? (c.slots[slot]?.[0] ?? '') : '';
}

/** Replicas the slot map lists for `slot` (0 on a single Redis). */
export function replicasOfSlot(c: RedisClient, slot: number): number {
  return isCluster(c) ? Math.max(0, (c.slots[slot]?.length ?? 1) - 1) : 0;
}

/** Per cluster client, its connection to each node by "host:port" (found once, again when not ready). */
const links = new WeakMap<Cluster, Map<string, Redis>>();

/** The connection to the master serving `slot` (undefined on a single Redis, or unknown). */
export function masterOfSlot(c: RedisClient, slot: number): Redis | undefined {
  if (!isCluster(c)) return undefined;
  const key = c.slots[slot]?.[0];
  if (key === undefined) return undefined;
  let byKey = links.get(c);
  if (byKey === undefined) links.set(c, byKey = new Map());
  let r = byKey.get(key);
  // a connection the client replaced (a node gone and back) is found again
  if (r === undefined || r.status !== 'ready') {
    r = c.nodes('all').find((n) => `${n.options.host}:${n.options.port}` === key);
    if (r === undefined) byKey.delete(key);
    else byKey.set(key, r);
  }
  return r;
}

/** Splits `items` into runs of one node each, order kept within a run. */
export function groupByNode<T>(c: RedisClient, items: readonly T[], slotOf: (t: T) => number): T[][] {
  if (!isCluster(c)) return items.length === 0 ? [] : [items.slice()];
  const groups = new Map<string, T[]>();
  for (const t of items) {
    const n = nodeOfSlot(c, slotOf(t));
    let g = groups.get(n);
    if (g === undefined) groups.set(n, g = []);
    g.push(t);
  }
  return [...groups.values()];
}
