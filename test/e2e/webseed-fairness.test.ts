// Clients that stop reading cannot take the webseed from others: each holds at most one read
// buffer (per connection), one address holds at most ADDRESS_BYTES of them, and a response whose
// socket takes nothing for WEBSEED_SEND_TIMEOUT is cut and its buffer freed. Stalled readers are
// raw sockets that send a request and never read (their receive window closes); the downloads
// beside them are Node's client and aria2c, from other loopback addresses.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ADDRESS_BYTES, CHUNK_BYTES, POOL_BYTES } from '../../server/http/webseed-buffers.js';
import { publishTorrent } from '../../server/services/publish-torrent.js';
import { databaseKinds } from '../helpers/databases.js';
import { hasCommand, needs } from '../helpers/environment.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { httpGet } from '../helpers/tracker-client.js';
import { waitUntil } from '../helpers/wait.js';

const kind = databaseKinds()[0];
const skipAria2 = needs(hasCommand('aria2c'), 'aria2c (apt-get install aria2)');
/** Larger than what the kernel buffers for a socket that never reads, so its response stalls. */
const BIG = 16 * 1024 * 1024;
const stream = async function* (b: Buffer): AsyncGenerator<Buffer> { yield b; };

/** A raw socket that asks for `target` and reads nothing until resumed; counts what it then gets. */
class StalledReader {
  readonly socket: net.Socket;
  received = 0;
  readonly ended: Promise<void>;

  constructor(port: number, target: string, opts: { localAddress?: string; headers?: string } = {}) {
    this.socket = net.connect({ port, host: '127.0.0.1', localAddress: opts.localAddress });
    this.socket.pause();
    this.socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\n${opts.headers ?? ''}\r\n`);
    this.socket.on('data', (c: Buffer) => { this.received += c.length; });
    this.ended = new Promise((resolve) => this.socket.on('close', () => resolve()));
    this.socket.on('error', () => undefined);
  }
}

/** An unlabelled sample of this server's /metrics. */
async function metric(t: TestServer, name: string): Promise<number> {
  const text = String((await httpGet(`${t.baseUrl}/metrics`)).body);
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  assert.ok(m !== null, `no ${name} in /metrics`);
  return Number(m[1]);
}

async function publish(t: TestServer, name: string, data: Buffer): Promise<string> {
  const deps = { ds: t.server.ds, files: t.server.files, events: t.server.events, publicUrl: t.baseUrl, maxUploadBytes: 0 };
  return (await publishTorrent(deps, { name, files: [{ path: name, size: data.length, stream: stream(data) }] })).infoHash;
}

describe('webseed fairness', () => {
  describe('with a 2 s send timeout', () => {
    let t: TestServer;
    let big: string;
    const data = randomBytes(BIG);
    before(async () => {
      t = await startTestServer(kind, { WEBSEED_SEND_TIMEOUT: '2' });
      big = await publish(t, 'big.bin', data);
    });
    after(() => t.close());

    it('cuts a reader that takes nothing for the timeout and frees its buffer, while another client downloads', async () => {
      const stalled = new StalledReader(t.server.port, `/webseed/${big}/big.bin`);
      assert.ok(await waitUntil(async () => (await metric(t, 'seedhost_webseed_buffer_bytes')) > 0), 'the stalled response holds a buffer');
      const other = await httpGet(`${t.baseUrl}/webseed/${big}/big.bin`, { localAddress: '127.0.0.1' });
      assert.equal(other.status, 200);
      assert.ok(other.body.equals(data), 'the other download is complete and intact');
      assert.ok(await waitUntil(async () => (await metric(t, 'seedhost_webseed_send_timeouts_total')) >= 1, 15_000), 'the stalled response was cut');
      assert.equal(await metric(t, 'seedhost_webseed_buffer_bytes'), 0, 'and its buffer is back');
      stalled.socket.resume();
      await stalled.ended;
      assert.ok(stalled.received < BIG, `the stalled reader got a cut response (${stalled.received} bytes)`);
    });
  });

  describe('with many stalled readers', () => {
    let t: TestServer;
    let big: string;
    let small: string;
    let other: string;
    const data = randomBytes(BIG);
    const otherData = randomBytes(3 * 1024 * 1024 + 17);
    const stalled: StalledReader[] = [];
    before(async () => {
      // the default send timeout (30 s): the stalled readers hold their buffers for the whole test
      t = await startTestServer(kind, { TRUSTED_PROXIES: '127.0.0.5' });
      big = await publish(t, 'big.bin', data);
      small = await publish(t, 'twelve.txt', Buffer.from('twelve bytes'));
      other = await publish(t, 'other.bin', otherData);
      // 80 from one address, straight; 40 from one address behind the trusted proxy 127.0.0.5
      for (let i = 0; i < 80; i++) stalled.push(new StalledReader(t.server.port, `/webseed/${big}/big.bin`));
      for (let i = 0; i < 40; i++) {
        stalled.push(new StalledReader(t.server.port, `/webseed/${big}/big.bin`, { localAddress: '127.0.0.5', headers: 'X-Forwarded-For: 198.51.100.1\r\n' }));
      }
      const saturated = await waitUntil(async () => (await metric(t, 'seedhost_webseed_buffer_bytes')) >= 2 * ADDRESS_BYTES &&
        (await metric(t, 'seedhost_webseed_buffer_waiting')) > 0, 20_000);
      assert.ok(saturated, 'both stalled addresses hold all they may, and more of their requests wait');
    });
    after(async () => {
      for (const s of stalled) s.socket.destroy();
      await t.close();
    });

    it('holds them to their addresses\' share of the pool', async () => {
      const held = await metric(t, 'seedhost_webseed_buffer_bytes');
      assert.ok(held <= 2 * ADDRESS_BYTES && held <= POOL_BYTES, `${held} bytes held`);
      assert.ok(await metric(t, 'seedhost_webseed_buffer_waiting') >= 120 - (2 * ADDRESS_BYTES) / CHUNK_BYTES);
    });

    it('still serves a small file of another torrent to another address', async () => {
      const r = await httpGet(`${t.baseUrl}/webseed/${small}/twelve.txt`, { localAddress: '127.0.0.2' });
      assert.equal(r.status, 200);
      assert.equal(String(r.body), 'twelve bytes');
    });

    it('still serves the same big file, and another torrent, to other addresses', async () => {
      const [same, another] = await Promise.all([
        httpGet(`${t.baseUrl}/webseed/${big}/big.bin`, { localAddress: '127.0.0.3' }),
        httpGet(`${t.baseUrl}/webseed/${other}/other.bin`, { localAddress: '127.0.0.2' }),
      ]);
      assert.ok(same.body.equals(data));
      assert.ok(another.body.equals(otherData));
    });

    it('shares buffers by X-Forwarded-For behind a trusted proxy: another client of the proxy is served', async () => {
      const r = await httpGet(`${t.baseUrl}/webseed/${other}/other.bin`, { localAddress: '127.0.0.5', headers: { 'X-Forwarded-For': '198.51.100.2' } });
      assert.ok(r.body.equals(otherData));
    });

    it('lets aria2c download another torrent\'s file, split over several connections', { skip: skipAria2, timeout: 90_000 }, async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'seedhost-aria2-'));
      try {
        const code = await new Promise<number | null>((resolve, reject) => {
          const child = spawn('aria2c', ['--interface=127.0.0.2', '--split=4', '--max-connection-per-server=4', '--min-split-size=1M',
            '--connect-timeout=10', '--timeout=20', '--max-tries=1', '--allow-overwrite=true', '--quiet=true', `--dir=${dir}`, '--out=other.bin',
            `${t.baseUrl}/webseed/${other}/other.bin`], { stdio: 'ignore' });
          const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
          child.on('error', reject);
          child.on('close', (c) => {
            clearTimeout(timer);
            resolve(c);
          });
        });
        assert.equal(code, 0);
        assert.ok(readFileSync(path.join(dir, 'other.bin')).equals(otherData));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
