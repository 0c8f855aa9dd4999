// Issue 15 item 6 (server side): users change their own password with the current one; wrong
// current passwords count as failed sign-ins; the change ends the user's other sessions.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { databaseKinds } from '../helpers/databases.js';
import { ADMIN_ENV, codeOf, gql, login, ok, setUpAccounts, type Accounts } from '../helpers/graphql-client.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

for (const kind of databaseKinds()) {
  describe(`own password change (${kind.name})`, () => {
    let t: TestServer;
    let acc: Accounts;
    const me = async (token: string): Promise<string | null> => (await gql(t.baseUrl, ME, {}, token)).data?.me?.username ?? null;
    before(async () => {
      t = await startTestServer(kind, ADMIN_ENV);
      acc = await setUpAccounts(t.baseUrl);
    });
    after(() => t.close());

    it('needs a sign-in, the right current password and a valid new one', async () => {
      assert.equal(codeOf(await gql(t.baseUrl, CHANGE, { c: 'alice-password', n: 'whatever-new-1' })), 'UNAUTHENTICATED');
      const wrong = await gql(t.baseUrl, CHANGE, { c: 'not-alice-password', n: 'whatever-new-1' }, acc.alice);
      assert.deepEqual([codeOf(wrong), wrong.errors?.[0].message], ['BAD_USER_INPUT', 'the current password is not right']);
      assert.equal(codeOf(await gql(t.baseUrl, CHANGE, { c: 'alice-password', n: 'short' }, acc.alice)), 'BAD_USER_INPUT');
      assert.equal(await me(acc.alice), 'alice', 'a refused change ends no session');
    });

    it('sets the password and ends every other session of that user, keeping this one and API tokens', async () => {
      const other = await login(t.baseUrl, 'bob', 'bob-password');
      const api = ok(await gql(t.baseUrl, CREATE_TOKEN, { name: 'script' }, acc.bob)).createApiToken.token as string;
      assert.equal(ok(await gql(t.baseUrl, CHANGE, { c: 'bob-password', n: 'bob-new-password' }, acc.bob)).changePassword, true);
      assert.equal(await me(acc.bob), 'bob', 'the session that asked stays');
      assert.equal(await me(other), null, 'the other session ended');
      assert.equal(await me(api), 'bob', 'API tokens stay');
      assert.equal(codeOf(await gql(t.baseUrl, LOGIN, { u: 'bob', p: 'bob-password' })), 'UNAUTHENTICATED');
      assert.equal(await me(await login(t.baseUrl, 'bob', 'bob-new-password')), 'bob');
      assert.equal(await me(acc.alice), 'alice', "another user's sessions are untouched");
    });

    it('counts wrong current passwords with the sign-in limiter', async () => {
      const session = await login(t.baseUrl, 'alice', 'alice-password');
      const codes: (string | null)[] = [];
      for (let i = 0; i < 6; i++) codes.push(codeOf(await gql(t.baseUrl, CHANGE, { c: `guess-${i}-wrong`, n: 'alice-new-password' }, session)));
      assert.equal(codes.at(-1), 'RATE_LIMITED', codes.join(' '));
      assert.ok(codes.slice(0, 4).every((c) => c === 'BAD_USER_INPUT'), codes.join(' '));
      assert.equal(codeOf(await gql(t.baseUrl, CHANGE, { c: 'alice-password', n: 'alice-new-password' }, session)), 'RATE_LIMITED', 'even the right one waits');
    });
  });
}

const CHANGE = 'mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }';
const ME = '{ me { username } }';
const LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }';
const CREATE_TOKEN = 'mutation($name: String!) { createApiToken(name: $name) { token } }';
