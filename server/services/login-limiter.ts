// Slows password guessing: after 5 failed logins for one username, or 30 from one address (many
// users may share one), within 15 minutes, further attempts are refused until the window passes.
// In memory, per process.

const WINDOW_MS = 15 * 60 * 1000;
const MAX_FAILURES = 5;
const MAX_FAILURES_PER_ADDRESS = 30;

export class LoginLimiter {
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
    for (const [key, max] of [[`u:${username.toLowerCase()}`, this.max], [`ip:${ip}`, this.maxPerAddress]] as const) {
      const list = this.recent(key, now);
      if (list.length >= max) wait = Math.max(wait, list[list.length - max] + this.windowMs - now);
    }
    return wait;
  }

  fail(username: string, ip: string, now = Date.now()): void {
    for (const key of [`u:${username.toLowerCase()}`, `ip:${ip}`]) this.failures.set(key, [...this.recent(key, now), now]);
  }

  succeed(username: string, ip: string): void {
    this.failures.delete(`u:${username.toLowerCase()}`);
    this.failures.delete(`ip:${ip}`);
  }
}
