// Slows password guessing: after 5 failed logins for one username, or 30 from one address (many
// users may share one), within 15 minutes, further attempts are refused until the window passes.
// LoginLimiter keeps the failures in memory, per process; with several instances the Redis one
// (server/redis/login-limiter.ts) shares them.

export const WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES = 5;
export const MAX_FAILURES_PER_ADDRESS = 30;

/** Failed-login bookkeeping, shared by the memory and Redis implementations. */
export interface LoginAttempts {
  /** Milliseconds until another attempt is allowed (0: now). */
  retryAfter(username: string, ip: string): number | Promise<number>;
  fail(username: string, ip: string): void | Promise<void>;
  succeed(username: string, ip: string): void | Promise<void>;
}

/** The keys a login attempt counts against, each with its limit. */
export function attemptKeys(username: string, ip: string, max = MAX_FAILURES, maxPerAddress = MAX_FAILURES_PER_ADDRESS): [string, number][] {
  return [[`u:${username.toLowerCase()}`, max], [`ip:${ip}`, maxPerAddress]];
}

export class LoginLimiter implements LoginAttempts {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly max = MAX_FAILURES, private readonly maxPerAddress = MAX_FAILURES_PER_ADDRESS, private readonly windowMs = WINDOW_MS) {}

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }

  /** Milliseconds until another attempt is allowed (0: now). */
  retryAfter(username: string, ip: string, now = Date.now()): number {
    let wait = 0;
    for (const [key, max] of attemptKeys(username, ip, this.max, this.maxPerAddress)) {
      const list = this.recent(key, now);
      if (list.length >= max) wait = Math.max(wait, list[list.length - max] + this.windowMs - now);
    }
    return wait;
  }

  fail(username: string, ip: string, now = Date.now()): void {
    for (const [key] of attemptKeys(username, ip)) this.failures.set(key, [...this.recent(key, now), now]);
  }

  succeed(username: string, ip: string): void {
    for (const [key] of attemptKeys(username, ip)) this.failures.delete(key);
  }
}
