// MAX_CONNECTIONS_PER_ADDRESS: one address past the limit gets a 503 (then our FIN) on each further
// connection, before anything it sends is read; the connections it holds keep working, a closed one
// frees its place, the refusals are counted in /metrics, and connections from TRUSTED_PROXIES are
// not counted. The database plays no part (SQLite only).
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { databaseKinds } from '../helpers/databases.js';
import { exchangeUntilClosed } from '../helpers/raw-http.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { waitUntil } from '../helpers/wait.js';

const sqlite = databaseKinds()[0];
const LIMIT = 4;

/** A connection held open, with what it has been sent. */
interface Held {
  socket: net.Socket;
  received: () => string;
  closed: Promise<void>;
}

function hold(port: number): Promise<Held> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let data = '';
    socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.once('error', reject);
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
  });
}

const healthz = 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
const healthzKeepAlive = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
const refusedCount = async (baseUrl: string): Promise<number> => {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return Number(/^seedhost_http_connections_refused_total (\d+)$/m.exec(text)?.[1] ?? NaN);
};

describe('connections per address', () => {
  let t: TestServer;
  let port: number;
  const held: Held[] = [];
  before(async () => {
    t = await startTestServer(sqlite, { MAX_CONNECTIONS_PER_ADDRESS: String(LIMIT) });
    port = t.server.port;
  });
  after(async () => {
    for (const h of held) h.socket.destroy();
    await t.close();
  });

  it(`holds ${LIMIT} connections of one address, answers the next 503 without reading it, and frees a place on close`, async () => {
    for (let i = 0; i < LIMIT; i++) held.push(await hold(port));
    assert.ok(await waitUntil(async () => t.server.connections.of('127.0.0.1') === LIMIT), 'the server did not count the held connections');
    assert.equal(await refusedCount(t.baseUrl).catch(() => NaN), NaN, 'a fetch from the same address is refused too');

    // the next one is answered at once, whatever it sends (here a valid request) and even if it sends nothing
    const refused = (await exchangeUntilClosed(port, healthz)).toString('latin1');
    assert.match(refused, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
    assert.match(refused, /\r\nRetry-After: 10\r\n/);
    assert.match(refused, /\r\n\r\ntoo many connections from one address\n$/);
    const silent = await hold(port);
    await silent.closed;
    assert.match(silent.received(), /^HTTP\/1\.1 503 /, 'a connection that sent nothing is answered and closed too');

    // the held ones are served meanwhile
    held[0].socket.write(healthzKeepAlive);
    assert.ok(await waitUntil(async () => held[0].received().includes('\r\n\r\n')), 'a held connection was not answered');
    assert.match(held[0].received(), /^HTTP\/1\.1 200 /);

    held[1].socket.destroy();
    assert.ok(await waitUntil(async () => t.server.connections.of('127.0.0.1') === LIMIT - 1), 'the closed connection was not released');
    const served = (await exchangeUntilClosed(port, healthz)).toString('latin1');
    assert.match(served, /^HTTP\/1\.1 200 /, 'the freed place was not given to a new connection');

    for (const h of held.splice(0)) h.socket.destroy();
    assert.ok(await waitUntil(async () => t.server.connections.of('127.0.0.1') === 0));
    assert.equal(await refusedCount(t.baseUrl), 3, 'refusals counted: the fetch, the request and the silent one');
  });
});

describe('connections per address behind a trusted proxy', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer(sqlite, { MAX_CONNECTIONS_PER_ADDRESS: String(LIMIT), TRUSTED_PROXIES: '127.0.0.1' });
  });
  after(() => t.close());

  it('does not count connections from a trusted proxy (every client behind it shares its address)', async () => {
    const many = await Promise.all(Array.from({ length: 3 * LIMIT }, () => hold(t.server.port)));
    try {
      const r = (await exchangeUntilClosed(t.server.port, healthz)).toString('latin1');
      assert.match(r, /^HTTP\/1\.1 200 /);
      assert.equal(t.server.connections.of('127.0.0.1'), 0);
    } finally {
      for (const h of many) h.socket.destroy();
    }
  });
});
