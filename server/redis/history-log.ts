// Swarm history in Redis, shared by every instance: one instance claims each minute's sample
// (SET NX on a per-minute key), and each torrent's samples are a list of 16-byte entries
// (minute, seeders, leechers, completed as big-endian uint32) trimmed to HISTORY_MINUTES, which
// expires once the torrent had no activity for as long.
import type { RedisClient } from './redis-nodes.js';
import { HISTORY_MINUTES, type HistoryLog, type SwarmSample } from '../services/swarm-history.js';

const ENTRY = 16;
const u32 = (n: number): number => Math.max(0, Math.min(0xffff_ffff, Math.floor(n)));

export class RedisHistoryLog implements HistoryLog {
  constructor(private readonly redis: RedisClient, private readonly prefix: string, private readonly id: string) {}

  private key(infoHash: string): string {
    // the torrent's hash tag: on a cluster its three commands go to the node of its slot
    return `${this.prefix}history:{${infoHash}}`;
  }

  async claim(minute: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}history:minute:${minute}`, this.id, 'PX', 3 * 60_000, 'NX')) === 'OK';
  }

  async append(samples: ReadonlyMap<string, SwarmSample>): Promise<void> {
    const writes: Promise<unknown>[] = [];
    for (const [h, s] of samples) {
      const b = Buffer.alloc(ENTRY);
      b.writeUInt32BE(u32(s.minute), 0);
      b.writeUInt32BE(u32(s.seeders), 4);
      b.writeUInt32BE(u32(s.leechers), 8);
      b.writeUInt32BE(u32(s.completed), 12);
      const k = this.key(h);
      // one transaction per torrent (one slot), not one across torrents: a cluster refuses that
      writes.push(this.redis.multi().rpush(k, b).ltrim(k, -HISTORY_MINUTES, -1).pexpire(k, HISTORY_MINUTES * 60_000).exec());
    }
    await Promise.all(writes);
  }

  async read(infoHash: string, sinceMinute: number): Promise<SwarmSample[]> {
    const raw = await this.redis.lrangeBuffer(this.key(infoHash), 0, -1);
    const out: SwarmSample[] = [];
    for (const b of raw) {
      if (b.length !== ENTRY) continue;
      const minute = b.readUInt32BE(0);
      if (minute >= sinceMinute) out.push({ minute, seeders: b.readUInt32BE(4), leechers: b.readUInt32BE(8), completed: b.readUInt32BE(12) });
    }
    return out;
  }

  async forget(infoHash: string): Promise<void> {
    await this.redis.del(this.key(infoHash));
  }

  async close(): Promise<void> {}
}
