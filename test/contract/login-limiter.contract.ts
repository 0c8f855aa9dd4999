// The LoginAttempts contract: the memory and Redis limiters must pass these, each wired in one
// line by a *.test.ts file. A fake clock moves time, so nothing here sleeps or measures time.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  ACCOUNT_ADDRESS_LIMIT, ACCOUNT_LIMIT, ADDRESS_LIMIT, KNOWN_ADDRESS_MS, LOGIN_POLICY,
  type LoginAttempts, type LoginPolicy, type Reservation, type ReserveResult,
} from '../../server/services/login-limiter.js';

/** A limiter with `policy` and `clock`, and how to drop what it stored. */
export type LimiterFactory = (policy: LoginPolicy, clock: () => number) => Promise<{ limiter: LoginAttempts; close(): Promise<void> }> | { limiter: LoginAttempts; close(): Promise<void> };

const MINUTE = 60_000;

/** Registers the contract suite for one LoginAttempts implementation. */
export function loginLimiterContract(name: string, create: LimiterFactory, skip: string | false = false): void {
  describe(`LoginAttempts contract: ${name}`, { skip }, () => {
    let now: number;
    let limiter: LoginAttempts;
    let close: () => Promise<void>;
    beforeEach(async () => {
      now = Date.now();
      ({ limiter, close } = await create(LOGIN_POLICY, () => now));
    });
    afterEach(() => close());

    const reserve = async (account: string, ip: string): Promise<ReserveResult> => limiter.reserve(account, ip);
    const taken = async (account: string, ip: string): Promise<Reservation> => {
      const r = await reserve(account, ip);
      assert.ok(r.ok, `${account} from ${ip} refused`);
      return r.reservation;
    };
    const refused = async (account: string, ip: string): Promise<number> => {
      const r = await reserve(account, ip);
      assert.equal(r.ok, false, `${account} from ${ip} was allowed`);
      return r.ok ? 0 : r.retryAfterMs;
    };
    /** Accounts from the same address, none over ACCOUNT_ADDRESS_LIMIT. */
    const spray = async (count: number, ip: string, tag = 'spray'): Promise<void> => {
      for (let i = 0; i < count; i++) await taken(`name:${tag}${Math.floor(i / ACCOUNT_ADDRESS_LIMIT.max)}`, ip);
    };

    it('refuses the 6th attempt at an account from one address and says for how long; others are unaffected', async () => {
      for (let i = 0; i < ACCOUNT_ADDRESS_LIMIT.max; i++) await taken('id:1', '10.0.0.1');
      now += MINUTE;
      assert.equal(await refused('id:1', '10.0.0.1'), ACCOUNT_ADDRESS_LIMIT.windowMs - MINUTE);
      await taken('id:1', '10.0.0.2');
      await taken('id:2', '10.0.0.1');
    });

    it('takes at most the limit of 300 concurrent attempts', async () => {
      const all = await Promise.all(Array.from({ length: 300 }, () => reserve('id:7', '192.0.2.1')));
      assert.equal(all.filter((r) => r.ok).length, ACCOUNT_ADDRESS_LIMIT.max);
    });

    it('a success clears only that account\'s count from that address, never the address count', async () => {
      for (let i = 0; i < ACCOUNT_ADDRESS_LIMIT.max - 1; i++) await taken('id:1', '10.0.0.1');
      await limiter.succeed(await taken('id:1', '10.0.0.1'));
      for (let i = 0; i < ACCOUNT_ADDRESS_LIMIT.max; i++) await taken('id:1', '10.0.0.1');
      await refused('id:1', '10.0.0.1');
      // an attacker's own account in between does not reset the count of the address
      let failures = 0;
      for (let cycle = 0; cycle < 4; cycle++) {
        for (let i = 0; i < ACCOUNT_ADDRESS_LIMIT.max - 1; i++, failures++) await taken(`name:victim${cycle}`, '10.0.0.9');
        await limiter.succeed(await taken('id:99', '10.0.0.9'));
      }
      while ((await reserve(`name:more${failures}`, '10.0.0.9')).ok) failures++;
      assert.equal(failures, ADDRESS_LIMIT.max);
      await refused('id:99', '10.0.0.9'); // the full address count holds for every account
    });

    it('limits one address over all accounts, an IPv6 address by its /64', async () => {
      await spray(ADDRESS_LIMIT.max, '203.0.113.5');
      await refused('name:another', '203.0.113.5');
      await taken('name:another', '203.0.113.6');
      await spray(ADDRESS_LIMIT.max, '2001:db8:1:2::1');
      await refused('name:another', '2001:db8:1:2:ffff::9');
      await taken('name:another', '2001:db8:1:3::1');
    });

    it('bounds one account over all addresses, but not at an address where it signed in', async () => {
      await limiter.succeed(await taken('id:5', '198.51.100.1'));
      const addresses = ACCOUNT_LIMIT.max / ACCOUNT_ADDRESS_LIMIT.max;
      for (let a = 0; a < addresses; a++) for (let i = 0; i < ACCOUNT_ADDRESS_LIMIT.max; i++) await taken('id:5', `10.1.${a}.1`);
      const wait = await refused('id:5', '10.2.0.1');
      assert.ok(wait > ACCOUNT_ADDRESS_LIMIT.windowMs && wait <= ACCOUNT_LIMIT.windowMs, `wait ${wait}`);
      // the owner's own address still has its own counts, and only those
      for (let i = 0; i < ACCOUNT_ADDRESS_LIMIT.max; i++) await taken('id:5', '198.51.100.1');
      await refused('id:5', '198.51.100.1');
      now += KNOWN_ADDRESS_MS + 1;
      await taken('id:5', '10.2.0.1'); // the window passed too
    });

    it('lets attempts age out of their window, and a known address lapse', async () => {
      for (let i = 0; i < ACCOUNT_ADDRESS_LIMIT.max; i++) await taken('name:carol', '198.51.100.7');
      await refused('name:carol', '198.51.100.7');
      now += ACCOUNT_ADDRESS_LIMIT.windowMs;
      await taken('name:carol', '198.51.100.7');
      await limiter.succeed(await taken('id:8', '198.51.100.8'));
      now += KNOWN_ADDRESS_MS;
      for (let a = 0; a < ACCOUNT_LIMIT.max / ACCOUNT_ADDRESS_LIMIT.max; a++) for (let i = 0; i < ACCOUNT_ADDRESS_LIMIT.max; i++) await taken('id:8', `10.3.${a}.1`);
      await refused('id:8', '198.51.100.8');
    });
  });
}
