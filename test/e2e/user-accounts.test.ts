// Account changes that must hold under concurrency and end what they should: the last-admin rule
// when two admins demote or delete each other at once, names that clash under the database's
// comparison, and sessions ended by a password change.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { UserEntity } from '../../server/db/entities/user.entity.js';
import { hashPassword } from '../../server/services/users.js';
import { databaseKinds } from '../helpers/databases.js';
import { ADMIN_ENV, codeOf, gql, login, ok, type GqlReply } from '../helpers/graphql-client.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const RACES = 15;

for (const kind of databaseKinds()) {
  describe(`user accounts (${kind.name})`, () => {
    let t: TestServer;
    let admin: string;
    let hash: string;
    const q = (query: string, variables: Record<string, unknown>, token?: string): Promise<GqlReply> => gql(t.baseUrl, query, variables, token);
    const admins = async (): Promise<string[]> => (await t.server.ds.getRepository(UserEntity).findBy({ role: 'admin' })).map((u) => u.username);
    /** Exactly two admins, `<tag>a` and `<tag>b`, signed in. */
    const twoAdmins = async (tag: string): Promise<{ ids: [number, number]; tokens: [string, string] }> => {
      await t.server.ds.query("UPDATE users SET role = 'uploader'");
      const repo = t.server.ds.getRepository(UserEntity);
      const rows = await repo.save([`${tag}a`, `${tag}b`].map((username) => repo.create({ username, passwordHash: hash, role: 'admin', createdAt: new Date() })));
      const tokens = await Promise.all(rows.map((r) => login(t.baseUrl, r.username, 'race-password')));
      return { ids: [rows[0].id, rows[1].id], tokens: [tokens[0], tokens[1]] };
    };
    /** Runs both at once; asserts one succeeded, the other got a clear refusal, and exactly one admin remains. */
    const race = async (round: number, mutation: string, a: () => Promise<GqlReply>, b: () => Promise<GqlReply>): Promise<void> => {
      const replies = await Promise.all([a(), b()]);
      const won = replies.filter((r) => r.errors === undefined && r.data?.[mutation] != null);
      const lost = replies.filter((r) => r.errors !== undefined);
      assert.equal((await admins()).length, 1, `round ${round}: admins left ${JSON.stringify(await admins())}`);
      assert.equal(won.length, 1, `round ${round}: ${JSON.stringify(replies)}`);
      assert.equal(lost.length, 1);
      assert.ok(['CONFLICT', 'FORBIDDEN', 'UNAUTHENTICATED'].includes(codeOf(lost[0]) ?? ''), `round ${round}: ${JSON.stringify(lost[0].errors)}`);
    };
    before(async () => {
      t = await startTestServer(kind, ADMIN_ENV);
      admin = await login(t.baseUrl, ADMIN_ENV.ADMIN_USERNAME, ADMIN_ENV.ADMIN_PASSWORD);
      hash = await hashPassword('race-password');
    });
    after(() => t.close());

    it(`keeps exactly one admin when two admins demote each other at once (${RACES} rounds)`, async () => {
      for (let round = 0; round < RACES; round++) {
        const { ids: [a, b], tokens: [ta, tb] } = await twoAdmins(`dm${round}`);
        await race(round, 'updateUser', () => q(UPDATE_USER, { id: b, r: 'uploader' }, ta), () => q(UPDATE_USER, { id: a, r: 'uploader' }, tb));
      }
    });

    it(`keeps exactly one admin when two admins delete each other at once (${RACES} rounds)`, async () => {
      for (let round = 0; round < RACES; round++) {
        const { ids: [a, b], tokens: [ta, tb] } = await twoAdmins(`del${round}`);
        await race(round, 'deleteUser', () => q(DELETE_USER, { id: b }, ta), () => q(DELETE_USER, { id: a }, tb));
      }
    });

    it('refuses to demote or delete the last admin with CONFLICT', async () => {
      const { ids: [a], tokens: [ta] } = await twoAdmins('last');
      ok(await q(DELETE_USER, { id: (await t.server.ds.getRepository(UserEntity).findOneByOrFail({ username: 'lastb' })).id }, ta));
      for (const r of [await q(UPDATE_USER, { id: a, r: 'uploader' }, ta), await q(DELETE_USER, { id: a }, ta)]) {
        assert.equal(codeOf(r), 'CONFLICT');
        assert.match(r.errors?.[0].message ?? '', /the last admin/);
      }
      assert.deepEqual(await admins(), ['lasta']);
      await t.server.ds.query("UPDATE users SET role = 'admin' WHERE username = ?", [ADMIN_ENV.ADMIN_USERNAME]);
    });

    it('refuses a name that clashes with an existing one under the database\'s comparison or case, as bad input', async () => {
      ok(await q(CREATE_USER, { u: 'carol', p: 'carol-password', r: 'uploader' }, admin));
      for (const u of ['Carol', 'CAROL']) {
        const r = await q(CREATE_USER, { u, p: 'carol-password', r: 'uploader' }, admin);
        assert.equal(codeOf(r), 'BAD_USER_INPUT', u);
        assert.match(r.errors?.[0].message ?? '', /already exists/);
      }
      for (const u of ['carol ', 'cárol', 'ｃａｒｏｌ', 'a b', '', 'x'.repeat(65)]) assert.equal(codeOf(await q(CREATE_USER, { u, p: 'carol-password', r: 'uploader' }, admin)), 'BAD_USER_INPUT', JSON.stringify(u));
      const both = await Promise.all(['dave', 'Dave', 'DAVE'].map((u) => q(CREATE_USER, { u, p: 'dave-password', r: 'uploader' }, admin)));
      assert.equal(both.filter((r) => r.errors === undefined).length, 1, JSON.stringify(both));
      assert.deepEqual(both.filter((r) => r.errors !== undefined).map(codeOf), ['BAD_USER_INPUT', 'BAD_USER_INPUT']);
    });

    it('ends every session of a user whose password an admin changed, and keeps their API tokens', async () => {
      const id = ok(await q(CREATE_USER, { u: 'erin', p: 'erin-password', r: 'uploader' }, admin)).createUser.id;
      const sessions = [await login(t.baseUrl, 'erin', 'erin-password'), await login(t.baseUrl, 'erin', 'erin-password')];
      const api = ok(await q(CREATE_API_TOKEN, { name: 'ci' }, sessions[0])).createApiToken.token;
      const other = await login(t.baseUrl, ADMIN_ENV.ADMIN_USERNAME, ADMIN_ENV.ADMIN_PASSWORD);
      ok(await q(UPDATE_USER, { id, p: 'erin-new-password' }, admin));
      for (const s of sessions) assert.equal(ok(await q(ME, {}, s)).me, null);
      assert.equal(ok(await q(ME, {}, api)).me.username, 'erin', 'API tokens stay');
      assert.equal(ok(await q(ME, {}, other)).me.username, ADMIN_ENV.ADMIN_USERNAME, 'other users\' sessions stay');
      assert.equal(codeOf(await q(LOGIN, { u: 'erin', p: 'erin-password' })), 'UNAUTHENTICATED');
      assert.equal(ok(await q(LOGIN, { u: 'erin', p: 'erin-new-password' })).login.user.username, 'erin');
    });

    it('keeps only the session that made a change of one\'s own password', async () => {
      const [mine, elsewhere] = [await login(t.baseUrl, ADMIN_ENV.ADMIN_USERNAME, ADMIN_ENV.ADMIN_PASSWORD), await login(t.baseUrl, ADMIN_ENV.ADMIN_USERNAME, ADMIN_ENV.ADMIN_PASSWORD)];
      const id = ok(await q(ME, {}, mine)).me.id;
      ok(await q(UPDATE_USER, { id, p: ADMIN_ENV.ADMIN_PASSWORD }, mine));
      assert.equal(ok(await q(ME, {}, mine)).me.id, id);
      assert.equal(ok(await q(ME, {}, elsewhere)).me, null);
      assert.equal(ok(await q(ME, {}, admin)).me, null);
      admin = mine;
    });
  });
}

const LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token user { username } } }';
const ME = '{ me { id username } }';
const CREATE_USER = 'mutation($u: String!, $p: String!, $r: Role!) { createUser(username: $u, password: $p, role: $r) { id } }';
const UPDATE_USER = 'mutation($id: Int!, $r: Role, $p: String) { updateUser(id: $id, role: $r, password: $p) { id role } }';
const DELETE_USER = 'mutation($id: Int!) { deleteUser(id: $id) }';
const CREATE_API_TOKEN = 'mutation($name: String!) { createApiToken(name: $name) { token } }';
