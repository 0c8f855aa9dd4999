// Admission over HTTP on a real server (admission.ts): one address may have MAX_PER_ADDRESS
// operations running or waiting; past that it is answered 429 RATE_LIMITED with Retry-After at
// once, while another address is still served. Sign-ins hold their turn while the password is
// hashed off the loop, which keeps the first ones in flight while the rest arrive.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_PER_ADDRESS } from '../../server/graphql/admission.js';
import { databaseKinds } from '../helpers/databases.js';
import { codeOf } from '../helpers/graphql-client.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

interface Reply {
  status: number;
  retryAfter: string | null;
  code: string | null;
  message: string;
}

async function loginFrom(t: TestServer, ip: string, username: string): Promise<Reply> {
  const res = await fetch(`${t.baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': ip },
    body: JSON.stringify({ query: LOGIN, variables: { u: username, p: 'not-the-password' } }),
  });
  const body = (await res.json()) as { errors?: { message: string; extensions?: Record<string, unknown> }[] };
  return { status: res.status, retryAfter: res.headers.get('retry-after'), code: codeOf({ status: res.status, data: null, errors: body.errors } as Parameters<typeof codeOf>[0]), message: body.errors?.[0]?.message ?? '' };
}

// admission does not depend on the database: one run, on the first kind
const [kind] = databaseKinds();

describe(`GraphQL admission over HTTP (${kind.name})`, () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer(kind, { TRUSTED_PROXIES: '127.0.0.1/32, ::1' });
  });
  after(() => t.close());

  it(`answers 429 RATE_LIMITED past ${MAX_PER_ADDRESS} operations from one address, and serves another address meanwhile`, async () => {
    const burst = Array.from({ length: 40 }, (_, i) => loginFrom(t, '10.9.0.1', `nobody-${i}`));
    const other = loginFrom(t, '10.9.0.2', 'someone');
    const replies = await Promise.all(burst);
    const busy = replies.filter((r) => r.status === 429);
    assert.ok(busy.length >= 40 - 2 * MAX_PER_ADDRESS, `${busy.length} of 40 refused`);
    for (const r of busy) {
      assert.deepEqual([r.code, r.retryAfter], ['RATE_LIMITED', '1']);
      assert.match(r.message, /too many requests in progress from this address/);
    }
    // the ones admitted were checked (and failed) as sign-ins
    for (const r of replies.filter((x) => x.status !== 429)) assert.equal(r.code, 'UNAUTHENTICATED');
    assert.equal((await other).code, 'UNAUTHENTICATED', 'another address is admitted during the burst');
    // once the burst has been answered the address is admitted again
    assert.equal((await loginFrom(t, '10.9.0.1', 'nobody-again')).code, 'UNAUTHENTICATED');
  });
});

const LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }';
