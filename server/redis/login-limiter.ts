// Sign-in attempts counted in Redis, so every instance behind a load balancer enforces one limit:
// per count a sorted set of attempt times (ms). One script checks every applicable count and
// records the attempt in all of them, so concurrent requests cannot all pass the check. Keys share
// the hash tag {login}, so the script's keys stay in one slot on a Redis Cluster too.
import type { RedisClient } from './redis-nodes.js';
import { attemptKeys, LOGIN_POLICY, type AttemptKeys, type LoginAttempts, type LoginPolicy, type Reservation, type ReserveResult } from '../services/login-limiter.js';

// KEYS: account+address, address, account (sorted sets), known (expiry time of the exemption).
// ARGV: now, member, then max and window per sorted set. Returns {1, counted sets} or {0, wait ms}.
const RESERVE = `
local now = tonumber(ARGV[1])
local n = 3
local known = redis.call('GET', KEYS[4])
if known and tonumber(known) > now then n = 2 end
local wait = 0
for i = 1, n do
  local max, win = tonumber(ARGV[1 + 2 * i]), tonumber(ARGV[2 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - win)
  if redis.call('ZCARD', KEYS[i]) >= max then
    local oldest = redis.call('ZRANGE', KEYS[i], -max, -max, 'WITHSCORES')
    wait = math.max(wait, tonumber(oldest[2]) + win - now)
  end
end
if wait > 0 then return {0, wait} end
for i = 1, n do
  redis.call('ZADD', KEYS[i], now, ARGV[2])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2 + 2 * i]))
end
return {1, n}
`;

type Scripted = RedisClient & { seedhostLoginReserve(...args: (string | number)[]): Promise<[number, number]> };

export class RedisLoginLimiter implements LoginAttempts {
  private readonly redis: Scripted;

  constructor(
    redis: RedisClient,
    private readonly prefix: string,
    private readonly policy: LoginPolicy = LOGIN_POLICY,
    private readonly clock: () => number = Date.now,
  ) {
    redis.defineCommand('seedhostLoginReserve', { numberOfKeys: 4, lua: RESERVE });
    this.redis = redis as Scripted;
  }

  private key(k: string): string {
    return `${this.prefix}{login}:${k}`;
  }

  async reserve(account: string, ip: string): Promise<ReserveResult> {
    const now = this.clock();
    const keys: AttemptKeys = attemptKeys(account, ip);
    const member = `${now}:${Math.random().toString(36).slice(2)}`;
    const { accountAddress: aa, address: ad, account: ac } = this.policy;
    const [ok, value] = (await this.redis.seedhostLoginReserve(
      this.key(keys.accountAddress), this.key(keys.address), this.key(keys.account), this.key(keys.known),
      now, member, aa.max, aa.windowMs, ad.max, ad.windowMs, ac.max, ac.windowMs,
    ));
    if (ok !== 1) return { ok: false, retryAfterMs: value };
    return { ok: true, reservation: { keys, member, at: now, account: value === 3 } };
  }

  async succeed(r: Reservation): Promise<void> {
    const m = this.redis.multi().del(this.key(r.keys.accountAddress)).zrem(this.key(r.keys.address), r.member);
    if (r.account) m.zrem(this.key(r.keys.account), r.member);
    m.set(this.key(r.keys.known), this.clock() + this.policy.knownAddressMs, 'PX', this.policy.knownAddressMs);
    const replies = (await m.exec()) ?? [];
    for (const [err] of replies) if (err) throw err;
  }
}
