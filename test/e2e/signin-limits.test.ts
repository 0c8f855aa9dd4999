// Sign-in under attack, through GraphQL `login` on a real server: the attempt is reserved before
// the password is hashed, counts follow the database's comparison of names, another account's
// success resets nothing, and a stranger cannot lock the owner out of the owner's own address.
// Addresses are set with X-Forwarded-For from a trusted proxy (the test itself, 127.0.0.1).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { ACCOUNT_ADDRESS_LIMIT, ACCOUNT_LIMIT, ADDRESS_LIMIT } from '../../server/services/login-limiter.js';
import { databaseKinds } from '../helpers/databases.js';
import { ADMIN_ENV, codeOf, gql, login, ok, type GqlReply } from '../helpers/graphql-client.js';
import { deletePrefix, TEST_REDIS_URL } from '../helpers/redis.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

/** POSTs `query` as if from `ip` (X-Forwarded-For, trusted from the loopback). */
async function gqlFrom(baseUrl: string, ip: string, query: string, variables: Record<string, unknown>, token?: string): Promise<GqlReply> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-Forwarded-For': ip };
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${baseUrl}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: Record<string, any> | null; errors?: GqlReply['errors'] };
  return { status: res.status, data: body.data, errors: body.errors };
}

const backends = TEST_REDIS_URL === undefined ? ['memory'] : ['memory', 'redis'];

for (const kind of databaseKinds()) {
  // the limiter's backend matters for atomicity, the database for names: Redis on SQLite only
  for (const backend of kind.name === 'sqlite' ? backends : ['memory']) {
    describe(`sign-in limits (${kind.name}, ${backend} limiter)`, () => {
      let t: TestServer;
      let admin: string;
      let redis: Redis | undefined;
      const prefix = `seedhost-test-${randomBytes(5).toString('hex')}:`;
      const from = (ip: string, u: string, p: string): Promise<GqlReply> => gqlFrom(t.baseUrl, ip, LOGIN, { u, p });
      const code = async (ip: string, u: string, p: string): Promise<string | null> => codeOf(await from(ip, u, p));
      const make = async (u: string, r = 'uploader'): Promise<number> => ok(await gql(t.baseUrl, CREATE_USER, { u, p: `${u}-password`, r }, admin)).createUser.id;
      before(async () => {
        const redisEnv: Record<string, string> = backend === 'redis' ? { REDIS_URL: TEST_REDIS_URL as string, REDIS_PREFIX: prefix } : {};
        t = await startTestServer(kind, { ...ADMIN_ENV, ...redisEnv, TRUSTED_PROXIES: '127.0.0.1/32, ::1' });
        if (backend === 'redis') redis = new Redis(TEST_REDIS_URL as string);
        admin = await login(t.baseUrl, ADMIN_ENV.ADMIN_USERNAME, ADMIN_ENV.ADMIN_PASSWORD);
        for (const u of ['victim', 'owner', 'mallory', 'twin']) await make(u);
      });
      after(async () => {
        await t.close();
        if (redis !== undefined) {
          await deletePrefix(redis, prefix);
          await redis.quit();
        }
      });

      it('checks at most 5 of 300 concurrent wrong guesses, refuses the rest at once, and then the right password too', async () => {
        const codes = await Promise.all(Array.from({ length: 300 }, (_, i) => code('10.0.0.1', 'victim', `wrong-${i}`)));
        assert.equal(codes.filter((c) => c === 'UNAUTHENTICATED').length, ACCOUNT_ADDRESS_LIMIT.max);
        assert.equal(codes.filter((c) => c === 'RATE_LIMITED').length, 300 - ACCOUNT_ADDRESS_LIMIT.max);
        const right = await from('10.0.0.1', 'victim', 'victim-password');
        assert.equal(codeOf(right), 'RATE_LIMITED');
        assert.match(right.errors?.[0].message ?? '', /try again in \d+ s/);
        assert.equal(ok(await from('10.0.0.2', 'victim', 'victim-password')).login.user.username, 'victim', 'the owner elsewhere is not locked out');
      });

      it('counts the name variants the database folds as one name', async () => {
        const variants = ['Victim', 'victim ', 'víctim', 'ｖｉｃｔｉｍ', 'VICTIM\u200b'];
        for (const v of variants) assert.equal(await code('10.0.1.1', v, 'wrong'), 'UNAUTHENTICATED', JSON.stringify(v));
        assert.equal(await code('10.0.1.1', 'vICTIM', 'victim-password'), 'RATE_LIMITED');
        if (kind.name === 'mysql') {
          // MariaDB's utf8mb4_unicode_ci: every variant is the account victim, and counts as it
          assert.equal(await code('10.0.1.1', 'victim', 'victim-password'), 'RATE_LIMITED');
          for (const v of variants) assert.equal(ok(await from('10.0.1.2', v, 'victim-password')).login.user.username, 'victim', JSON.stringify(v));
        } else {
          // SQLite compares the column as declared (BINARY): the variants are other, unknown names
          assert.equal(ok(await from('10.0.1.1', 'victim', 'victim-password')).login.user.username, 'victim');
          assert.equal(await code('10.0.1.2', 'Victim', 'victim-password'), 'UNAUTHENTICATED');
        }
      });

      it('does not reset the address count when the attacker signs in to their own account in between', async () => {
        const codes: (string | null)[] = [];
        for (let cycle = 0; cycle < 4; cycle++) {
          for (let i = 0; i < 29; i++) codes.push(await code('10.0.2.1', `guess${cycle}-${Math.floor(i / ACCOUNT_ADDRESS_LIMIT.max)}`, 'wrong'));
          codes.push(await code('10.0.2.1', 'mallory', 'mallory-password'));
        }
        assert.equal(codes.length, 120);
        assert.equal(codes.filter((c) => c === 'UNAUTHENTICATED').length, ADDRESS_LIMIT.max, 'guesses checked in all');
        assert.equal(codes.slice(ADDRESS_LIMIT.max + 1).filter((c) => c !== 'RATE_LIMITED').length, 0, 'everything after the limit refused');
        // and guesses at one account resume nowhere after the attacker's own success
        for (let i = 0; i < ACCOUNT_ADDRESS_LIMIT.max; i++) await code('10.0.2.9', 'twin', 'wrong');
        assert.equal(ok(await from('10.0.2.9', 'mallory', 'mallory-password')).login.user.username, 'mallory');
        assert.equal(await code('10.0.2.9', 'twin', 'twin-password'), 'RATE_LIMITED');
      });

      it('keeps the owner signed in at their own address while strangers exhaust every other count', async () => {
        ok(await from('10.0.3.1', 'owner', 'owner-password')); // the owner's usual address
        const strangers = ACCOUNT_LIMIT.max / ACCOUNT_ADDRESS_LIMIT.max;
        const codes = await Promise.all(Array.from({ length: strangers }, async (_, a) => {
          const mine: (string | null)[] = [];
          for (let i = 0; i <= ACCOUNT_ADDRESS_LIMIT.max; i++) mine.push(await code(`172.16.${a}.1`, 'owner', `wrong-${i}`));
          return mine;
        }));
        assert.equal(codes.flat().filter((c) => c === 'UNAUTHENTICATED').length, ACCOUNT_LIMIT.max);
        assert.equal(await code('172.17.0.1', 'owner', 'owner-password'), 'RATE_LIMITED', 'a new address meets the per-account bound');
        assert.equal(ok(await from('10.0.3.1', 'owner', 'owner-password')).login.user.username, 'owner');
      });

      it('refuses an over-long name or password before hashing, as bad input', async () => {
        assert.equal(await code('10.0.4.1', 'x'.repeat(300), 'pw'), 'BAD_USER_INPUT');
        assert.equal(await code('10.0.4.1', 'victim', 'p'.repeat(2000)), 'BAD_USER_INPUT');
      });
    });
  }
}

const LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token user { username role } } }';
const CREATE_USER = 'mutation($u: String!, $p: String!, $r: Role!) { createUser(username: $u, password: $p, role: $r) { id } }';
