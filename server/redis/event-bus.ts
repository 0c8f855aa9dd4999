// Carries events between seedhost instances over Redis pub/sub: "the registry changed" (a torrent
// was added or removed; receivers re-read it from the database at once) and the info_hashes whose
// swarm counts changed, batched per instance so the announce path never waits on Redis. On a
// Redis Cluster the one channel is plain (not sharded) pub/sub: a few messages a second per
// instance, and ioredis's cluster subscriber moves to another node by itself when one fails.
import { randomUUID } from 'node:crypto';
import { createRedisClient, type RedisTarget } from './connect.js';
import { isCluster, type RedisClient } from './redis-nodes.js';

/** What one instance tells the others. */
export type InstanceEvent = { kind: 'registry' } | { kind: 'swarms'; infoHashes: string[] };

interface Message {
  from: string;
  event: InstanceEvent;
}

/** How long swarm changes are gathered before one message carries them all. */
export const SWARM_BATCH_MS = 100;

/** Publishes one event from a process that is not an instance (the command line), then disconnects. */
export async function publishEvent(target: RedisTarget | string, prefix: string, event: InstanceEvent): Promise<void> {
  const r = createRedisClient(target, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  r.on('error', () => undefined); // the rejected command reports it
  try {
    await r.connect();
    const m: Message = { from: 'cli', event };
    await r.publish(`${prefix}events`, JSON.stringify(m));
  } finally {
    r.disconnect();
  }
}

export class RedisEventBus {
  /** This instance's id; its own messages are not delivered back to it. */
  readonly id = randomUUID();
  private readonly pub: RedisClient;
  private readonly sub: RedisClient;
  private readonly channel: string;
  private swarms = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    target: RedisTarget | string,
    prefix: string,
    private readonly onEvent: (e: InstanceEvent) => void,
    private readonly onError: (e: unknown) => void,
  ) {
    this.channel = `${prefix}events`;
    this.pub = createRedisClient(target, { lazyConnect: true, maxRetriesPerRequest: 2 });
    // one Redis: resubscribed here after a reconnect, not by ioredis: its own SUBSCRIBE has no
    // rejection handler, and one cut short (closing while it reconnects) would be an unhandled
    // rejection. A cluster's subscriber resubscribes on the node it moves to.
    this.sub = createRedisClient(target, { lazyConnect: true, autoResubscribe: typeof target === 'string' || 'url' in target ? false : undefined });
    for (const c of [this.pub, this.sub]) c.on('error', onError);
    this.sub.on('message', (_channel: string, text: string) => this.receive(text));
  }

  /** Connects and subscribes; resolves once messages from other instances are being received. */
  async start(): Promise<void> {
    await Promise.all([this.pub.connect(), this.sub.connect()]);
    await this.sub.subscribe(this.channel);
    if (isCluster(this.sub)) return;
    this.sub.on('ready', () => {
      this.sub.subscribe(this.channel).catch(this.onError);
    });
  }

  /** Tells the other instances that torrents were added or removed (after the database commit). */
  registryChanged(): void {
    this.send({ kind: 'registry' });
  }

  /** Queues a swarm change for the next batch (at most one message per SWARM_BATCH_MS). */
  swarmChanged(infoHash: string): void {
    this.swarms.add(infoHash);
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const infoHashes = [...this.swarms];
      this.swarms.clear();
      this.send({ kind: 'swarms', infoHashes });
    }, SWARM_BATCH_MS);
    this.timer.unref();
  }

  private send(event: InstanceEvent): void {
    const m: Message = { from: this.id, event };
    this.pub.publish(this.channel, JSON.stringify(m)).catch(this.onError);
  }

  private receive(text: string): void {
    let m: Message;
    try {
      m = JSON.parse(text) as Message;
    } catch (e) {
      this.onError(e);
      return;
    }
    if (m.from === this.id || typeof m.event !== 'object' || m.event === null) return;
    if (m.event.kind === 'registry') this.onEvent({ kind: 'registry' });
    else if (m.event.kind === 'swarms' && Array.isArray(m.event.infoHashes)) {
      this.onEvent({ kind: 'swarms', infoHashes: m.event.infoHashes.filter((h): h is string => typeof h === 'string') });
    }
  }

  /** Sends what is queued and disconnects. */
  async close(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      if (this.swarms.size > 0) this.send({ kind: 'swarms', infoHashes: [...this.swarms] });
    }
    await Promise.allSettled([this.sub.quit(), this.pub.quit()]);
  }
}
