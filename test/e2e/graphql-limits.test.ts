import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { getIntrospectionQuery } from 'graphql';
import { databaseKinds } from '../helpers/databases.js';
import { MAX_COST } from '../../server/graphql/operation-limits.js';
import { codeOf, gql, ok, seenErrors, type GqlReply } from '../helpers/graphql-client.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { httpGet } from '../helpers/tracker-client.js';

interface RawReply {
  /** Everything the server sent, as text. */
  text: string;
  /** Whether the connection ended in a reset (ECONNRESET, EPIPE) rather than a clean close. */
  reset: boolean;
}

/** Sends `head` and `body` over a raw socket, then half-closes; resolves once the server closes. */
function rawExchange(port: number, head: string, body: Buffer): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let reset = false;
    const timer = setTimeout(() => reject(new Error('the server did not close the connection')), 15_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e: NodeJS.ErrnoException) => { reset = e.code === 'ECONNRESET' || e.code === 'EPIPE'; });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString('utf8'), reset });
    });
    socket.write(head);
    socket.end(body);
  });
}

/** A JSON body of about `bytes` bytes: a small query with a long variable. */
const jsonBody = (bytes: number): Buffer => Buffer.from(JSON.stringify({ query: STATS, variables: { pad: 'a'.repeat(bytes) } }));

const post = (t: TestServer, body: unknown): Promise<GqlReply> =>
  httpGet(`${t.baseUrl}/graphql`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
    .then((r) => {
      const parsed = JSON.parse(r.body.toString()) as { data?: Record<string, unknown>; errors?: GqlReply['errors'] };
      return { status: r.status, data: parsed.data, errors: parsed.errors };
    });

// The limits do not depend on the database: one run, on the first kind.
const [kind] = databaseKinds();

describe(`GraphQL operation limits over HTTP (${kind.name})`, () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer(kind);
  });
  after(() => t.close());

  it('refuses the fragments that each spread the next twice (issue item 1) by cost, with HTTP 400', async () => {
    for (const k of [20, 30]) {
      const r = await gql(t.baseUrl, DOUBLING(k));
      assert.equal(r.status, 400);
      assert.equal(codeOf(r), 'QUERY_TOO_COMPLEX');
      assert.match(r.errors?.[0]?.message ?? '', new RegExp(`the limit is ${MAX_COST}\\b`));
      assert.equal(r.data, undefined, 'nothing ran');
    }
  });

  it('refuses the alias attacks of issue item 2: too many tokens, too many aliases, or too dear', async () => {
    const torrents500 = `{ ${Array.from({ length: 500 }, (_, i) => `a${i}: torrents(first: 100) { nodes { infoHash name size files { path size } } }`).join(' ')} }`;
    assert.equal(codeOf(await gql(t.baseUrl, torrents500)), 'GRAPHQL_PARSE_FAILED');
    const torrents21 = `{ ${Array.from({ length: 21 }, (_, i) => `a${i}: torrents(first: 100) { nodes { name } }`).join(' ')} }`;
    const aliases = await gql(t.baseUrl, torrents21);
    assert.equal(codeOf(aliases), 'GRAPHQL_VALIDATION_FAILED');
    assert.match(aliases.errors?.[0]?.message ?? '', /Aliases limit of 20 exceeded, found 21/);
    const files = `{ ${Array.from({ length: 5 }, (_, i) => `a${i}: torrent(infoHash: "${'ab'.repeat(20)}") { files { path size } }`).join(' ')} }`;
    assert.equal(codeOf(await gql(t.baseUrl, files)), 'QUERY_TOO_COMPLEX');
  });

  it('costs pages from the variables: 100 torrents with their files are refused, one is served', async () => {
    const refused = await gql(t.baseUrl, TORRENT_FILES, { n: 100 });
    assert.equal(refused.status, 400);
    assert.equal(codeOf(refused), 'QUERY_TOO_COMPLEX');
    assert.deepEqual(ok(await gql(t.baseUrl, TORRENT_FILES, { n: 1 })).torrents.nodes, []);
  });

  it('serves the standard introspection query (as GraphiQL sends it) and refuses deep introspection', async () => {
    const options = { descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true };
    const schema = ok(await gql(t.baseUrl, getIntrospectionQuery(options))).__schema;
    assert.ok(schema.types.some((ty: { name: string }) => ty.name === 'Torrent'));
    const deep = await gql(t.baseUrl, `{ __type(name: "Query") { fields { type { ${'ofType { '.repeat(25)}name${' }'.repeat(25)} } } } }`);
    assert.equal(codeOf(deep), 'GRAPHQL_VALIDATION_FAILED');
  });

  it('answers a 2 MiB JSON body 413 and closes without a reset (declared length, and chunked)', async () => {
    const body = jsonBody(2 * 1024 * 1024);
    const declared = await rawExchange(t.server.port, `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`, body);
    const chunked = await rawExchange(t.server.port, 'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]));
    for (const r of [declared, chunked]) {
      assert.match(r.text, /^HTTP\/1\.1 413 /);
      assert.match(r.text, /\r\nConnection: close\r\n/i);
      assert.equal(JSON.parse(r.text.slice(r.text.indexOf('\r\n\r\n') + 4)).errors[0].extensions.code, 'PAYLOAD_TOO_LARGE');
      assert.equal(r.reset, false);
    }
    assert.equal(ok(await gql(t.baseUrl, STATS)).stats.torrents, 0, 'the server still answers');
  });

  it('refuses a GET query string of 13 KiB at the token limit (longer ones are refused by Node: 431)', async () => {
    const query = `{${'stats{torrents}'.repeat(700)}}`; // 13 KiB once percent-encoded
    const r = await httpGet(`${t.baseUrl}/graphql?query=${encodeURIComponent(query)}`, { headers: { 'apollo-require-preflight': 'true' } });
    assert.equal(r.status, 400);
    assert.equal(JSON.parse(r.body.toString()).errors[0].extensions.code, 'GRAPHQL_PARSE_FAILED');
  });

  it('answers persisted-query requests (wrong hash, hash only, malformed) with a client error code, not an internal one', async () => {
    const wrong = await post(t, { query: STATS, extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } });
    const hashOnly = await post(t, { extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } });
    const malformed = await post(t, { query: STATS, extensions: { persistedQuery: { version: 'x', sha256Hash: 5 } } });
    const notAnObject = await post(t, { query: STATS, extensions: 'persisted' });
    for (const r of [wrong, hashOnly, malformed]) {
      assert.equal(r.status, 200); // Apollo's protocol for these: clients then send the whole query
      assert.equal(codeOf(r), 'PERSISTED_QUERY_NOT_SUPPORTED');
      assert.equal(r.data, undefined);
    }
    assert.equal(notAnObject.status, 400);
    assert.equal(codeOf(notAnObject), 'BAD_REQUEST');
    assert.ok(!seenErrors.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR'));
  });
});

const STATS = '{ stats { torrents } }';
const TORRENT_FILES = 'query($n: Int) { torrents(first: $n) { nodes { infoHash files { path size } } } }';
/** Issue 12, item 1: fragments that each spread the next twice (2^k leaves when expanded). */
const DOUBLING = (k: number): string => {
  let s = 'query{...F0}';
  for (let i = 0; i < k; i++) s += ` fragment F${i} on Query{...F${i + 1} ...F${i + 1}}`;
  return `${s} fragment F${k} on Query{stats{torrents}}`;
};
