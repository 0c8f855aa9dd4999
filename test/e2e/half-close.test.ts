// A client that sends its request and then half-closes (shutdown of its write side, FIN) still
// gets the whole reply on Node's http path, where replies are prepared asynchronously: webseed
// content, the web UI and /metrics (memory store, and Redis when TEST_REDIS_URL is set). The server
// ends the connection after the reply.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { publishTorrent } from '../../server/services/publish-torrent.js';
import { databaseKinds } from '../helpers/databases.js';
import { closeAndClearRedis, storeBackends } from '../helpers/redis.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

interface RawReply {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
}

/** Writes `request`, half-closes, reads until the server ends the connection. */
function halfClosedExchange(port: number, request: string): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => s.end(request));
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', reject);
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error('the server did not end the half-closed connection'));
    }, 10_000);
    s.on('end', () => {
      clearTimeout(timer);
      s.end();
      const raw = Buffer.concat(chunks);
      const headEnd = raw.indexOf('\r\n\r\n');
      if (headEnd === -1) return reject(new Error(`no reply head (got ${raw.length} bytes)`));
      const [statusLine, ...lines] = raw.toString('latin1', 0, headEnd).split('\r\n');
      const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: raw.subarray(headEnd + 4) });
    });
  });
}

/** The reply is complete: its body is exactly Content-Length long. */
function assertComplete(r: RawReply): void {
  assert.ok(r.headers.has('content-length'), 'a Content-Length header');
  assert.equal(r.body.length, Number(r.headers.get('content-length')));
}

const stream = async function* (b: Buffer): AsyncGenerator<Buffer> { yield b; };

const backends = storeBackends();

for (const backend of backends) {
  describe(`half-closing clients (${backend.name} store)`, () => {
    let t: TestServer;
    let hash: string;
    const data = randomBytes(300_000);
    before(async () => {
      t = await startTestServer(databaseKinds()[0], backend.env());
      const deps = { ds: t.server.ds, files: t.server.files, events: t.server.events, publicUrl: t.baseUrl, maxUploadBytes: 0 };
      hash = (await publishTorrent(deps, { name: 'half.bin', files: [{ path: 'half.bin', size: data.length, stream: stream(data) }] })).infoHash;
    });
    after(() => closeAndClearRedis(t));

    it('gets the whole webseed file after half-closing', async () => {
      const r = await halfClosedExchange(t.server.port, `GET /webseed/${hash}/half.bin HTTP/1.1\r\nHost: x\r\n\r\n`);
      assert.equal(r.status, 200);
      assertComplete(r);
      assert.ok(r.body.equals(data));
    });

    it('gets a webseed range and a 404 after half-closing', async () => {
      const r = await halfClosedExchange(t.server.port, `GET /webseed/${hash}/half.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=1000-1999\r\n\r\n`);
      assert.equal(r.status, 206);
      assert.ok(r.body.equals(data.subarray(1000, 2000)));
      const missing = await halfClosedExchange(t.server.port, `GET /webseed/${'ab'.repeat(20)}/x.bin HTTP/1.1\r\nHost: x\r\n\r\n`);
      assert.equal(missing.status, 404);
      assertComplete(missing);
    });

    it('gets the web UI answer after half-closing', async () => {
      // 200 with the page when the UI is built, else 404 saying so: either way read from disk first
      const r = await halfClosedExchange(t.server.port, 'GET / HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n\r\n');
      assert.ok(r.status === 200 || (r.status === 404 && /not built/.test(r.body.toString())), `status ${r.status}`);
      assertComplete(r);
    });

    it('gets /metrics after half-closing', async () => {
      const r = await halfClosedExchange(t.server.port, 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.equal(r.status, 200);
      assertComplete(r);
      assert.match(r.body.toString(), /^seedhost_announces_total/m);
    });

    it('gets every reply to requests pipelined before the half-close, in order', async () => {
      const one = `GET /webseed/${hash}/half.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=0-9\r\n\r\n`;
      const r = await halfClosedExchange(t.server.port, one + 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n' + one.replace('0-9', '10-19'));
      const text = r.body.toString('latin1');
      assert.equal(r.status, 206);
      assert.ok(r.body.subarray(0, 10).equals(data.subarray(0, 10)));
      assert.equal((text.match(/HTTP\/1\.1 (200|206) /g) ?? []).join(','), 'HTTP/1.1 200 ,HTTP/1.1 206 ');
      assert.ok(r.body.subarray(r.body.length - 10).equals(data.subarray(10, 20)));
    });
  });
}
