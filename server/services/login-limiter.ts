// Slows password guessing. An attempt is reserved (counted) before the password is hashed, so
// requests in flight cannot all pass the check; a success gives its reservation back and clears
// that account's count from that address only. Three counts, each a sliding window:
// - per account and address: the owner's typos, and one guesser at one account;
// - per address over all accounts: one guesser spraying many names (IPv6 per /64, since one host
//   holds a whole /64);
// - per account over all addresses: a distributed guesser. Addresses where the account signed in
//   within KNOWN_ADDRESS_MS are exempt from it, so strangers cannot lock the owner out of their
//   usual address (only that address's own counts apply there).
// An account is its id when the name resolves (the database compares the name), else the name
// normalised, so variants of an unknown name count together. LoginLimiter keeps counts in this
// process; with several instances the Redis one (server/redis/login-limiter.ts) shares them.

import { addressGroup } from '../tracker/address-group.js';

const MINUTE = 60_000;

/** At most `max` attempts within any `windowMs`. */
export interface LimitRule {
  max: number;
  windowMs: number;
}

/** The sign-in policy: the three counts and how long a sign-in makes an address known. */
export interface LoginPolicy {
  accountAddress: LimitRule;
  address: LimitRule;
  account: LimitRule;
  knownAddressMs: number;
}

/** 5 per 15 min per account+address: room for typos, 480 guesses a day from one address. */
export const ACCOUNT_ADDRESS_LIMIT: LimitRule = { max: 5, windowMs: 15 * MINUTE };
/** 30 per 15 min per address: a shared (NAT) address has room for several people's typos. */
export const ADDRESS_LIMIT: LimitRule = { max: 30, windowMs: 15 * MINUTE };
/**
 * 100 per hour per account from all addresses: a botnet gets 2,400 guesses a day; filling it takes
 * at least 5 addresses at the per-account+address pace, and even then not at a known address.
 */
export const ACCOUNT_LIMIT: LimitRule = { max: 100, windowMs: 60 * MINUTE };
/** An address where the account signed in stays exempt from ACCOUNT_LIMIT for 30 days. */
export const KNOWN_ADDRESS_MS = 30 * 24 * 60 * MINUTE;
/** The policy main.ts wires in. */
export const LOGIN_POLICY: LoginPolicy = { accountAddress: ACCOUNT_ADDRESS_LIMIT, address: ADDRESS_LIMIT, account: ACCOUNT_LIMIT, knownAddressMs: KNOWN_ADDRESS_MS };

/** The counters one attempt touches (names without any store prefix). */
export interface AttemptKeys {
  accountAddress: string;
  address: string;
  account: string;
  /** Marks `address` as known for the account. */
  known: string;
}

/** One counted attempt: `member` is its entry in each count, `account` whether ACCOUNT_LIMIT counted it. */
export interface Reservation {
  keys: AttemptKeys;
  member: string;
  at: number;
  account: boolean;
}

export type ReserveResult = { ok: true; reservation: Reservation } | { ok: false; retryAfterMs: number };

/** Sign-in attempt bookkeeping, shared by the memory and Redis implementations. */
export interface LoginAttempts {
  /** Counts one attempt at `account` from `ip` if every applicable count is under its limit (atomically), else says how long to wait. */
  reserve(account: string, ip: string): ReserveResult | Promise<ReserveResult>;
  /** The attempt succeeded: its reservation is given back, and the account's count from its address cleared. */
  succeed(r: Reservation): void | Promise<void>;
}

/** The counters for an attempt at `account` (`id:<n>` or `name:<normalised>`) from `ip`. */
export function attemptKeys(account: string, ip: string): AttemptKeys {
  const a = addressGroup(ip);
  return { accountAddress: `aa:${account}|${a}`, address: `ad:${a}`, account: `ac:${account}`, known: `kn:${account}|${a}` };
}

/** Milliseconds until `times` (ascending) is under `rule` at `now`; 0 when it already is. */
export function waitFor(times: readonly number[], rule: LimitRule, now: number): number {
  return times.length >= rule.max ? times[times.length - rule.max] + rule.windowMs - now : 0;
}

/** Reservations between sweeps of expired counts (memory stays bounded by recent attempts). */
export const SWEEP_EVERY = 1000;

/** The in-process limiter: synchronous, so a check and its count cannot be split by another request. */
export class LoginLimiter implements LoginAttempts {
  private readonly attempts = new Map<string, number[]>();
  private readonly known = new Map<string, number>();
  private sinceSweep = 0;
  private seq = 0;

  constructor(private readonly policy: LoginPolicy = LOGIN_POLICY, private readonly clock: () => number = Date.now) {}

  private recent(key: string, rule: LimitRule, now: number): number[] {
    const list = this.attempts.get(key);
    if (list === undefined) return [];
    let drop = 0;
    while (drop < list.length && now - list[drop] >= rule.windowMs) drop++;
    if (drop > 0) list.splice(0, drop);
    if (list.length === 0) this.attempts.delete(key);
    return list;
  }

  reserve(account: string, ip: string): ReserveResult {
    const now = this.clock();
    if (++this.sinceSweep >= SWEEP_EVERY) this.sweep(now);
    const keys = attemptKeys(account, ip);
    const countAccount = !((this.known.get(keys.known) ?? 0) > now);
    const rules: [string, LimitRule][] = [[keys.accountAddress, this.policy.accountAddress], [keys.address, this.policy.address]];
    if (countAccount) rules.push([keys.account, this.policy.account]);
    let wait = 0;
    for (const [key, rule] of rules) wait = Math.max(wait, waitFor(this.recent(key, rule, now), rule, now));
    if (wait > 0) return { ok: false, retryAfterMs: wait };
    for (const [key] of rules) {
      const list = this.attempts.get(key);
      if (list === undefined) this.attempts.set(key, [now]);
      else list.push(now);
    }
    return { ok: true, reservation: { keys, member: `${now}:${++this.seq}`, at: now, account: countAccount } };
  }

  succeed(r: Reservation): void {
    this.attempts.delete(r.keys.accountAddress);
    const giveBack = (key: string): void => {
      const list = this.attempts.get(key);
      const i = list?.lastIndexOf(r.at) ?? -1;
      if (list !== undefined && i >= 0) list.splice(i, 1);
      if (list?.length === 0) this.attempts.delete(key);
    };
    giveBack(r.keys.address);
    if (r.account) giveBack(r.keys.account);
    this.known.set(r.keys.known, this.clock() + this.policy.knownAddressMs);
  }

  /** Drops counts with nothing inside the longest window, and lapsed known addresses. */
  private sweep(now: number): void {
    this.sinceSweep = 0;
    const longest = Math.max(this.policy.accountAddress.windowMs, this.policy.address.windowMs, this.policy.account.windowMs);
    for (const [key, list] of this.attempts) if (now - list[list.length - 1] >= longest) this.attempts.delete(key);
    for (const [key, until] of this.known) if (until <= now) this.known.delete(key);
  }
}
