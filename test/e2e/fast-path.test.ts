import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { databaseKinds } from '../helpers/databases.js';
import { makeTorrent } from '../helpers/make-torrent.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
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

describe('tracker fast path on shared connections', () => {
  let t: TestServer;
  let hash: string;
  let target: (port: number, extra?: string) => string;
  before(async () => {
    t = await startTestServer(databaseKinds()[0]);
    const m = makeTorrent();
    const f = path.join(t.dataDir, 'm.torrent');
    writeFileSync(f, m.file);
    hash = (await t.cli(['register', f])).stdout.trim();
    while (!t.server.registered.has(hash)) await new Promise((r) => setTimeout(r, 50));
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
});
