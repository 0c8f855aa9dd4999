import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  setWsIdleTimeout, WS_CLOSE_FLOOD, WS_IDLE_MS, WS_MAX_MESSAGE_BYTES, WS_MESSAGE_BURST, WS_MESSAGES_PER_SECOND, WS_SOCKETS_PER_ADDRESS, WS_SUBSCRIPTIONS_PER_SOCKET,
} from '../../server/graphql/ws-server.js';
import { databaseKinds } from '../helpers/databases.js';
import { ADMIN_ENV, gql, login, ADMIN, registerAs, setUpAccounts, sleep, type Accounts } from '../helpers/graphql-client.js';
import { connectWs, openWs, type RawWs } from '../helpers/graphql-ws-raw.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { announce, failureOf } from '../helpers/tracker-client.js';
import { waitUntil } from '../helpers/wait.js';

// Documents first, not at the bottom: the case table is read while the suites are declared.
const SWARM_UPDATED = 'subscription($h: String) { swarmUpdated(infoHash: $h) { infoHash seeders } }';
const TORRENTS = 'query($s: String, $a: String) { torrents(search: $s, after: $a) { totalCount nodes { infoHash } } }';
/** A keyset cursor whose sort key JSON-decodes to Infinity. */
const INFINITE_CURSOR = Buffer.from('{"k":1e999,"i":1}').toString('base64url');
/** name, the database where it must fail ('all': every one), document, variables. */
const CASES: [string, 'all' | 'sqlite', string, Record<string, unknown>][] = [
  ['a search longer than SQLite takes as a LIKE pattern', 'sqlite', TORRENTS, { s: 'x'.repeat(50_001) }],
  ['a cursor with 1e999', 'all', TORRENTS, { a: INFINITE_CURSOR }],
  ['a syntax error', 'all', '{ torrents(first: ) { totalCount } }', {}],
  ['an unknown field', 'all', '{ torrents { nope } }', {}],
  ['a variable of the wrong type', 'all', 'query($f: Int) { torrents(first: $f) { totalCount } }', { f: 'ten' }],
  ['an out-of-range page size', 'all', '{ torrents(first: 100000) { totalCount } }', {}],
  ['a mutation without a token', 'all', 'mutation { deleteTorrent(infoHash: "' + 'ab'.repeat(20) + '") }', {}],
  ['two operations and no operationName', 'all', 'query A { stats { torrents } } query B { stats { torrents } }', {}],
  ['a document too deep', 'all', `{ __type(name: "Query") { ${'ofType { '.repeat(40)}name${' }'.repeat(40)} } }`, {}],
];

/** What no answer may contain: database errors, SQL, stack frames. */
const LEAK = /sqlite|\bsql\b|\bselect |no such column|LIKE or GLOB|\bER_[A-Z]|\.js:\d+|\bat \w+ \(/i;
const [first] = databaseKinds();

describe('GraphQL WebSocket limits', () => {
  let t: TestServer;
  let h: string;
  const open: RawWs[] = [];
  const connect = async (headers?: Record<string, string>): Promise<RawWs> => {
    const c = await connectWs(t.baseUrl, headers);
    open.push(c);
    return c;
  };
  before(async () => {
    t = await startTestServer(first, { ...ADMIN_ENV, TRUSTED_PROXIES: '127.0.0.1' });
    h = await registerAs(t.baseUrl, await login(t.baseUrl, ADMIN.username, ADMIN.password));
  });
  after(async () => {
    for (const c of open) c.ws.terminate();
    await t.close();
  });

  it(`refuses operation ${WS_SUBSCRIPTIONS_PER_SOCKET + 1} on one socket with RATE_LIMITED while the others stay live`, async () => {
    const c = await connect();
    await c.init();
    for (let i = 1; i <= WS_SUBSCRIPTIONS_PER_SOCKET; i++) c.subscribe(String(i), SWARM_UPDATED, { h });
    assert.ok(await waitUntil(() => t.server.graphql.swarmWatchers() === WS_SUBSCRIPTIONS_PER_SOCKET), `${t.server.graphql.swarmWatchers()} watchers`);
    c.subscribe('over', SWARM_UPDATED, { h });
    const [e] = await c.errorsOf('over');
    assert.deepEqual([e.extensions.code, e.message], ['RATE_LIMITED', `at most ${WS_SUBSCRIPTIONS_PER_SOCKET} operations at once on one connection`]);
    assert.equal(c.ws.readyState, c.ws.OPEN);
    c.complete('1');
    assert.ok(await waitUntil(() => t.server.graphql.swarmWatchers() === WS_SUBSCRIPTIONS_PER_SOCKET - 1));
    c.subscribe('again', SWARM_UPDATED, { h });
    assert.ok(await waitUntil(() => t.server.graphql.swarmWatchers() === WS_SUBSCRIPTIONS_PER_SOCKET), 'a freed slot takes a new subscription');
    c.ws.terminate();
    assert.ok(await waitUntil(() => t.server.graphql.swarmWatchers() === 0), 'a dead socket leaves no watcher behind');
  });

  it(`closes a socket with 1009 for a message over ${WS_MAX_MESSAGE_BYTES} bytes, and answers one just under it`, async () => {
    const c = await connect();
    await c.init();
    const padded = `{ stats { torrents } }${' '.repeat(WS_MAX_MESSAGE_BYTES - 200)}`;
    c.subscribe('near', padded);
    const m = await c.waitFor((x) => x.id === 'near' && x.type === 'next');
    assert.equal(typeof m.payload.data.stats.torrents, 'number');
    c.ws.send(JSON.stringify({ id: 'big', type: 'subscribe', payload: { query: `{ stats { torrents } }${' '.repeat(WS_MAX_MESSAGE_BYTES)}` } }));
    assert.equal((await c.closed).code, 1009);
  });

  it(`closes a socket that floods messages with ${WS_CLOSE_FLOOD}, having answered at most its burst`, async () => {
    const c = await connect();
    await c.init();
    const start = Date.now();
    for (let i = 0; i < 1000; i++) c.ws.send('{"type":"ping"}');
    const { code } = await c.closed;
    const budget = WS_MESSAGE_BURST + Math.ceil(((Date.now() - start) / 1000) * WS_MESSAGES_PER_SECOND) + 1;
    const pongs = c.messages.filter((m) => m.type === 'pong').length;
    assert.equal(code, WS_CLOSE_FLOOD);
    assert.ok(pongs <= budget, `${pongs} pongs for a budget of ${budget}`);
  });

  it('survives 50,000 subscribe messages on one socket: closed, no watcher left, announces answered', async () => {
    const c = await connect();
    await c.init();
    const batch = Array.from({ length: 50_000 }, (_, i) => JSON.stringify({ id: `s${i}`, type: 'subscribe', payload: { query: SWARM_UPDATED, variables: { h } } }));
    for (const m of batch) c.ws.send(m);
    const a = await announce(t.announceUrl, { infoHash: h, peerId: '-TR3000-wsflood0001', port: 7001, left: 10 });
    assert.equal(failureOf(a), null);
    assert.equal((await c.closed).code, WS_CLOSE_FLOOD);
    const answered = new Set(c.messages.filter((m) => m.id !== undefined).map((m) => m.id)).size;
    assert.ok(answered <= WS_MESSAGE_BURST, `${answered} operations answered`);
    assert.ok(await waitUntil(() => t.server.graphql.swarmWatchers() === 0), `${t.server.graphql.swarmWatchers()} watchers left`);
  });

  it('closes an initialised socket that runs no operation for the idle time, and keeps one that does', async () => {
    setWsIdleTimeout(300);
    try {
      const idle = await connect();
      const busy = await connect();
      await Promise.all([idle.init(), busy.init()]);
      busy.subscribe('live', SWARM_UPDATED, { h });
      assert.deepEqual(await idle.closed, { code: 1000, reason: 'idle' });
      await sleep(600);
      assert.equal(busy.ws.readyState, busy.ws.OPEN, 'a socket with a live subscription is not idle');
      busy.complete('live');
      assert.deepEqual(await busy.closed, { code: 1000, reason: 'idle' });
    } finally {
      setWsIdleTimeout(WS_IDLE_MS);
    }
  });

  it(`refuses socket ${WS_SOCKETS_PER_ADDRESS + 1} from one address with HTTP 429 and accepts another address`, async () => {
    const from = (ip: string) => ({ 'X-Forwarded-For': ip });
    const mine: RawWs[] = [];
    for (let i = 0; i < WS_SOCKETS_PER_ADDRESS; i++) {
      mine.push(await connect(from('203.0.113.7')));
      await mine[i].init(); // or the connection_init timeout would close it
    }
    const refused = await openWs(t.baseUrl, from('203.0.113.7'));
    assert.deepEqual(refused.ok ? 'accepted' : refused.status, 429);
    const other = await openWs(t.baseUrl, from('203.0.113.8'));
    assert.ok(other.ok, 'another address is accepted');
    open.push(other.client);
    await other.client.init();
    mine[0].ws.close();
    await mine[0].closed;
    assert.ok(await waitUntil(async () => {
      const r = await openWs(t.baseUrl, from('203.0.113.7'));
      if (r.ok) open.push(r.client);
      return r.ok;
    }), 'a closed socket frees its address slot');
  });

  it('answers swarmUpdated with BAD_USER_INPUT for a value that is not 40 hex and NOT_FOUND for an unknown info_hash', async () => {
    const c = await connect();
    await c.init();
    c.subscribe('bad', SWARM_UPDATED, { h: 'not-a-hash' });
    c.subscribe('short', SWARM_UPDATED, { h: h.slice(2) });
    c.subscribe('unknown', SWARM_UPDATED, { h: 'ab'.repeat(20) });
    c.subscribe('upper', SWARM_UPDATED, { h: h.toUpperCase() });
    const codes = await Promise.all(['bad', 'short', 'unknown'].map(async (id) => (await c.errorsOf(id))[0].extensions.code));
    assert.deepEqual(codes, ['BAD_USER_INPUT', 'BAD_USER_INPUT', 'NOT_FOUND']);
    assert.ok(await waitUntil(() => t.server.graphql.swarmWatchers() === 1), 'only the valid subscription is counted');
    c.ws.close();
    assert.ok(await waitUntil(() => t.server.graphql.swarmWatchers() === 0));
  });
});

for (const kind of databaseKinds()) {
  describe(`GraphQL errors over WebSocket and HTTP (${kind.name})`, () => {
    let t: TestServer;
    let acc: Accounts;
    let c: RawWs;
    before(async () => {
      t = await startTestServer(kind, ADMIN_ENV);
      acc = await setUpAccounts(t.baseUrl);
      await registerAs(t.baseUrl, acc.alice);
      c = await connectWs(t.baseUrl);
      await c.init();
    });
    after(async () => {
      c.ws.terminate();
      await t.close();
    });

    let n = 0;
    /** The same document over HTTP and WebSocket: both answers as `{ data, errors }`, and the WebSocket's raw text. */
    const both = async (query: string, variables: Record<string, unknown>) => {
      const http = await gql(t.baseUrl, query, variables);
      const id = `op${n++}`;
      c.subscribe(id, query, variables);
      const ws = await c.answerOf(id);
      const texts = c.texts.filter((x) => x.includes(`"${id}"`)).join('\n');
      return { http: { data: http.data, errors: http.errors }, ws, texts };
    };

    for (const [name, failsOn, query, variables] of CASES) {
      it(`answers ${name} over WebSocket as over HTTP: same errors and codes, internals masked`, async () => {
        const r = await both(query, variables);
        if (failsOn === 'all' || failsOn === kind.name) assert.ok(r.http.errors !== undefined && r.http.errors.length > 0, 'HTTP answers an error');
        assert.deepEqual(r.ws, r.http);
        for (const e of r.ws.errors ?? []) {
          assert.equal(typeof e.extensions?.code, 'string', `no code on ${JSON.stringify(e)}`);
          if (e.extensions?.code === 'INTERNAL_SERVER_ERROR') assert.equal(e.message, 'internal error');
        }
        assert.doesNotMatch(r.texts, LEAK);
      });
    }

    it('keeps the socket open after every refused operation', async () => {
      assert.equal(c.ws.readyState, c.ws.OPEN);
      c.subscribe('after', '{ stats { torrents } }');
      assert.equal((await c.waitFor((m) => m.id === 'after' && m.type === 'next')).payload.data.stats.torrents, 1);
    });
  });
}
