// Failed logins counted in Redis, so every instance behind a load balancer enforces one limit:
// per key a sorted set of failure times (ms), trimmed to the window on each look.
import type { Redis } from 'ioredis';
import { attemptKeys, MAX_FAILURES, MAX_FAILURES_PER_ADDRESS, WINDOW_MS, type LoginAttempts } from '../services/login-limiter.js';

export class RedisLoginLimiter implements LoginAttempts {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly max = MAX_FAILURES,
    private readonly maxPerAddress = MAX_FAILURES_PER_ADDRESS,
    private readonly windowMs = WINDOW_MS,
  ) {}

  private key(k: string): string {
    return `${this.prefix}login:${k}`;
  }

  /** Milliseconds until another attempt is allowed (0: now). */
  async retryAfter(username: string, ip: string): Promise<number> {
    const now = Date.now();
    const keys = attemptKeys(username, ip, this.max, this.maxPerAddress);
    const m = this.redis.multi();
    for (const [k, max] of keys) {
      m.zremrangebyscore(this.key(k), 0, now - this.windowMs);
      m.zrange(this.key(k), -max, -max, 'WITHSCORES');
    }
    const replies = (await m.exec()) ?? [];
    let wait = 0;
    keys.forEach((_, i) => {
      const [err, oldest] = replies[i * 2 + 1] ?? [];
      if (err) throw err;
      const scores = oldest as string[];
      if (scores.length === 2) wait = Math.max(wait, Number(scores[1]) + this.windowMs - now);
    });
    return wait;
  }

  async fail(username: string, ip: string): Promise<void> {
    const now = Date.now();
    const m = this.redis.multi();
    for (const [k] of attemptKeys(username, ip)) {
      m.zadd(this.key(k), now, `${now}:${Math.random()}`);
      m.pexpire(this.key(k), this.windowMs);
    }
    await m.exec();
  }

  async succeed(username: string, ip: string): Promise<void> {
    await this.redis.del(...attemptKeys(username, ip).map(([k]) => this.key(k)));
  }
}
