import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { databaseKinds } from '../helpers/databases.js';
import { registerViaCli, startTestServer, type TestServer } from '../helpers/test-server.js';
import { exchangeUntilClosed, sendAfterReply } from '../helpers/raw-http.js';
import { announceUrl, escapeBytes } from '../helpers/tracker-client.js';

/** Sends raw bytes (in the given pieces, with pauses) and collects everything until the server closes or `ms` passes. */
function rawExchange(port: number, pieces: string[], ms = 1500): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => { s.destroy(); resolve(data); }, ms);
    s.on('data', (c) => { data += c.toString('latin1'); });
    s.on('close', () => { clearTimeout(timer); resolve(data); });
    s.on('error', reject);
    s.on('connect', async () => {
      for (const p of pieces) {
        s.write(p, 'latin1');
        await new Promise((r) => setTimeout(r, 20));
      }
    });
  });
}

const statusLines = (raw: string): string[] => raw.match(/HTTP\/1\.1 \d{3} [^\r]*/g) ?? [];
const MALFORMED = /d14:failure reason22:malformed HTTP requeste$/;

describe('tracker fast path on shared connections', () => {
  let t: TestServer;
  let hash: string;
  let target: (port: number, extra?: string) => string;
  before(async () => {
    t = await startTestServer(databaseKinds()[0]);
    hash = await registerViaCli(t);
    target = (port, extra) => new URL(announceUrl(`${t.baseUrl}/announce`, { infoHash: hash, peerId: '-XX0001-fast', port, left: 1, extra })).pathname +
      new URL(announceUrl(`${t.baseUrl}/announce`, { infoHash: hash, peerId: '-XX0001-fast', port, left: 1, extra })).search;
  });
  after(() => t.close());

  it('answers pipelined announces in order on one connection', async () => {
    const raw = await rawExchange(t.server.port, [
      `GET ${target(8001)} HTTP/1.1\r\nHost: x\r\n\r\nGET ${target(8002)} HTTP/1.1\r\nHost: x\r\n\r\nGET /scrape?info_hash=${escapeBytes(Buffer.from(hash, 'hex'))} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    ]);
    assert.deepEqual(statusLines(raw), ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
    assert.equal((raw.match(/8:intervali/g) ?? []).length, 2);
    assert.match(raw, /d5:filesd20:/);
  });

  it('assembles a request that arrives byte by byte', async () => {
    const req = `GET ${target(8003)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
    const raw = await rawExchange(t.server.port, [req.slice(0, 5), req.slice(5, 40), req.slice(40, req.length - 2), req.slice(req.length - 2)], 3000);
    assert.deepEqual(statusLines(raw), ['HTTP/1.1 200 OK']);
    assert.match(raw, /Connection: close/);
  });

  it('hands a keep-alive connection to the http server for another route, and keeps answering', async () => {
    const raw = await rawExchange(t.server.port, [
      `GET ${target(8004)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
      `GET ${target(8005)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      'GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    ], 3000);
    assert.deepEqual(statusLines(raw), ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK', 'HTTP/1.1 200 OK', 'HTTP/1.1 404 Not Found']);
    assert.match(raw, /"status":"ok"/);
    assert.equal((raw.match(/8:intervali/g) ?? []).length, 2);
  });

  it('answers a client that half-closes after its request, then closes the connection', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const s = net.connect({ port: t.server.port, host: '127.0.0.1', allowHalfOpen: true }, () => s.end(`GET ${target(8010)} HTTP/1.1\r\nHost: x\r\n\r\n`));
      let data = '';
      s.on('data', (c) => { data += c.toString('latin1'); });
      s.on('end', () => resolve(data));
      s.on('error', reject);
      setTimeout(() => reject(new Error('server kept the half-closed connection open')), 3000).unref();
    });
    assert.deepEqual(statusLines(raw), ['HTTP/1.1 200 OK']);
  });

  it('closes its side when a client connects and leaves without a request', async () => {
    await new Promise<void>((resolve, reject) => {
      const s = net.connect({ port: t.server.port, host: '127.0.0.1', allowHalfOpen: true }, () => s.end());
      s.on('end', () => resolve());
      s.resume();
      s.on('error', reject);
      setTimeout(() => reject(new Error('server kept the connection open')), 3000).unref();
    });
  });

  it('closes after one reply for HTTP/1.0 without keep-alive', async () => {
    const raw = await rawExchange(t.server.port, [`GET ${target(8006)} HTTP/1.0\r\n\r\n`], 3000);
    assert.deepEqual(statusLines(raw), ['HTTP/1.1 200 OK']);
    assert.match(raw, /Connection: close/);
  });

  it('refuses an endless request head with a bencoded failure and a close', async () => {
    const raw = await rawExchange(t.server.port, [`GET /announce?${'a'.repeat(17 * 1024)}`], 3000);
    assert.match(raw, /d14:failure reason16:request too longe/);
  });

  it('sends HEAD and body-carrying requests through Node http, still as tracker failures', async () => {
    const raw = await rawExchange(t.server.port, [`POST ${target(8007)} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab`], 2000);
    assert.match(raw, /^HTTP\/1\.1 200 OK/);
    assert.match(raw, /method not allowed/);
  });

  /** Ports of the peers the store holds for the test torrent. */
  const ports = async (): Promise<number[]> => (await t.server.store.peers(hash)).map((p) => p.port);

  describe('runs nothing after a reply that closes', () => {
    const next = (p: number): string => `GET ${target(p)} HTTP/1.1\r\nHost: x\r\n\r\n`;

    it('after Connection: close', async () => {
      const raw = await sendAfterReply(t.server.port, `GET ${target(8101)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, next(8102));
      assert.deepEqual(statusLines(raw), ['HTTP/1.1 200 OK']);
      const p = await ports();
      assert.ok(p.includes(8101) && !p.includes(8102), 'the request after the close was run');
    });

    it('after an HTTP/1.0 reply without keep-alive', async () => {
      await sendAfterReply(t.server.port, `GET ${target(8103)} HTTP/1.0\r\n\r\n`, next(8104));
      const p = await ports();
      assert.ok(p.includes(8103) && !p.includes(8104));
    });

    it('after request too long, in the same read or a later one', async () => {
      const long = `GET ${target(8105)}&pad=${'a'.repeat(17 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`;
      const raw = (await exchangeUntilClosed(t.server.port, `${long}${next(8106)}`)).toString('latin1');
      assert.match(raw, /request too longe$/);
      const raw2 = await sendAfterReply(t.server.port, `GET /announce?${'a'.repeat(17 * 1024)}`, `\r\n\r\n${next(8107)}`);
      assert.match(raw2, /request too longe$/);
      assert.deepEqual((await ports()).filter((p) => p >= 8105 && p <= 8107), []);
    });

    it('after a tracker failure that closes, on Node\'s path', async () => {
      const raw = (await exchangeUntilClosed(t.server.port, `POST ${target(8130)} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab${next(8131)}`, true)).toString('latin1');
      assert.deepEqual(statusLines(raw), ['HTTP/1.1 200 OK']);
      assert.match(raw, /method not allowed/);
      assert.deepEqual((await ports()).filter((p) => p === 8130 || p === 8131), []);
    });

    it('after refusing a request', async () => {
      const raw = await sendAfterReply(t.server.port, `GET ${target(8108)}\r\n`, `\r\n${next(8109)}`);
      assert.match(raw, MALFORMED);
      assert.deepEqual((await ports()).filter((p) => p === 8108 || p === 8109), []);
    });
  });

  describe('answers every request', () => {
    it('refuses an HTTP/0.9 request line at once instead of waiting for headers', async () => {
      for (const line of [`GET ${target(8110)}\r\n`, `GET ${target(8110)}\n`, 'GET /healthz\r\n']) {
        const raw = (await exchangeUntilClosed(t.server.port, line)).toString('latin1');
        assert.match(raw, MALFORMED, JSON.stringify(line));
      }
      assert.ok(!(await ports()).includes(8110));
    });

    it('answers bare-LF heads as Node does (refused with a bencoded failure), whole or in pieces', async () => {
      const head = `GET ${target(8111)} HTTP/1.1\nHost: x\n\n`;
      assert.match((await exchangeUntilClosed(t.server.port, head)).toString('latin1'), MALFORMED);
      assert.match(await rawExchange(t.server.port, [head.slice(0, 30), head.slice(30)], 1500), MALFORMED);
      const lateLf = `GET ${target(8111)} HTTP/1.1\r\nHost: x\r\n\n`;
      assert.match(await rawExchange(t.server.port, [lateLf.slice(0, 40), lateLf.slice(40)], 1500), MALFORMED);
      assert.ok(!(await ports()).includes(8111));
    });

    it('accepts absolute-form targets (RFC 9112 §3.2.2)', async () => {
      const raw = (await exchangeUntilClosed(t.server.port,
        `GET http://tracker.example${target(8112)} HTTP/1.1\r\nHost: x\r\n\r\nGET HTTP://x:1/healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)).toString('latin1');
      assert.deepEqual(statusLines(raw), ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
      assert.match(raw, /8:intervali/);
      assert.match(raw, /"status":"ok"/);
      assert.ok((await ports()).includes(8112));
    });

    it('answers an Upgrade outside /graphql as a plain request, then closes', async () => {
      const upgrade = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==';
      const announced = (await exchangeUntilClosed(t.server.port, `GET ${target(8113)} HTTP/1.1\r\nHost: x\r\n${upgrade}\r\n\r\n`)).toString('latin1');
      assert.deepEqual(statusLines(announced), ['HTTP/1.1 200 OK']);
      assert.match(announced, /Connection: close/i);
      assert.match(announced, /8:intervali/);
      assert.ok((await ports()).includes(8113));
      const health = (await exchangeUntilClosed(t.server.port, `GET /healthz HTTP/1.1\r\nHost: x\r\n${upgrade}\r\n\r\n`)).toString('latin1');
      assert.match(health, /^HTTP\/1\.1 200 OK[^]*"status":"ok"/);
      const torrent = await exchangeUntilClosed(t.server.port, `GET /torrents/${hash}.torrent HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n`);
      assert.match(torrent.toString('latin1'), /^HTTP\/1\.1 200 OK[^]*application\/x-bittorrent[^]*\r\n\r\nd8:announce/);
      const scrape = (await exchangeUntilClosed(t.server.port, `HEAD /scrape HTTP/1.1\r\nHost: x\r\n${upgrade}\r\n\r\n`)).toString('latin1');
      assert.match(scrape, /^HTTP\/1\.1 200 OK/);
    });
  });
});
