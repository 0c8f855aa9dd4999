// A Lua script run on the connection of one cluster node, not through the cluster client: the
// client would follow an ASK to the node a slot is moving to and run the script there while keys
// of the slot are still on the first node (the move would then meet keys that exist on both).
// A reply saying the node ran nothing because the routing key's slot is not, or not only, its own
// is NotServedHere; the caller reads the slot map again and sends later (announce-batch.ts RESENDS).
import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { NotServedHere } from './announce-batch.js';

type Arg = string | Buffer | number;

/** Replies of a node that ran nothing: the slot of the routing key moved, is moving, or the cluster is down. */
const NOT_HERE = /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN) /;

export class NodeScript {
  private readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  /** Runs it on `node` (loading it there if the node lacks it) with one key, `args[0]`, in `slot`; `bytes`: the reply as Buffers. */
  async run(node: Redis, slot: number, args: Arg[], bytes: boolean): Promise<unknown> {
    const call = (...a: Arg[]): Promise<unknown> => (bytes ? node.callBuffer(...(a as [string, ...Arg[]])) : node.call(...(a as [string, ...Arg[]])));
    try {
      try {
        return await call('EVALSHA', this.sha, 1, ...args);
      } catch (e) {
        if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
        return await call('EVAL', this.lua, 1, ...args);
      }
    } catch (e) {
      if (e instanceof Error && NOT_HERE.test(e.message)) throw new NotServedHere(e.message, slot);
      throw e;
    }
  }
}

/** Reads the cluster's slot map again; calls while a read is under way share it. */
export function slotMapRefresher(c: Cluster): () => Promise<void> {
  let under: Promise<void> | undefined;
  return () => under ??= new Promise<void>((resolve, reject) => c.refreshSlotsCache((e) => (e ? reject(e) : resolve()))).finally(() => { under = undefined; });
}
