// The native accept loop (server/http/native-front.ts) on a real port, with a memory swarm store:
// which connections it answers itself (a closing tracker request, whole in the first read) and
// which become Node sockets with their bytes (keep-alive, other routes, split or pipelined heads),
// connections that send nothing yet (they wait as descriptors, then are served or cut), the
// per-address limit, and a close that is a FIN after the reply.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import bencode from 'bencode';
import { ConnectionLimit } from '../../../server/http/connection-limit.js';
import { createHttpServer } from '../../../server/http/create-server.js';
import { acceptAddon, acceptAddonError, listenNative, type NativeFront } from '../../../server/http/native-front.js';
import { createLogger } from '../../../server/logger.js';
import { CompletedTally } from '../../../server/tracker/completed-tally.js';
import { MemoryPeerStore } from '../../../server/tracker/memory-peer-store.js';
import type { TrackerContext } from '../../../server/tracker/tracker-context.js';
import { TrackerStats } from '../../../server/tracker/tracker-stats.js';
import { announceUrl } from '../../helpers/tracker-client.js';
import { waitUntil } from '../../helpers/wait.js';

const native = acceptAddon();
const skip = native === null && process.env.CI !== 'true'
  ? `the HTTP accept addon is not built (${acceptAddonError()}): run npm run build:native (python3, make, a C compiler)` : false;
const IDLE_MS = 300;
const LIMIT = 4;

interface Exchange {
  data: Buffer;
  /** How the server's side ended: 'fin' (end), 'reset' (ECONNRESET), 'open' (neither within the wait). */
  ended: 'fin' | 'reset' | 'open';
}

/** Connects, writes each part (`pauseMs` between), and reads until the server closes or `waitMs` pass. */
function exchange(port: number, parts: string[], o: { pauseMs?: number; waitMs?: number; host?: string } = {}): Promise<Exchange> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const c = net.connect(port, o.host ?? '127.0.0.1');
    let done = false;
    const finish = (ended: Exchange['ended']): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      c.destroy();
      resolve({ data: Buffer.concat(chunks), ended });
    };
    const timer = setTimeout(() => finish('open'), o.waitMs ?? 3000);
    c.on('data', (d) => chunks.push(d));
    c.on('end', () => finish('fin'));
    c.on('error', (e: NodeJS.ErrnoException) => finish(e.code === 'ECONNRESET' ? 'reset' : 'open'));
    c.on('connect', async () => {
      for (let i = 0; i < parts.length; i++) {
        if (i > 0 || (o.pauseMs !== undefined && parts.length === 1)) await new Promise((r) => setTimeout(r, o.pauseMs ?? 0));
        if (!c.destroyed) c.write(parts[i], 'latin1');
      }
    });
  });
}

function bodyOf(reply: Buffer): Record<string, unknown> {
  const at = reply.indexOf('\r\n\r\n');
  assert.ok(at > 0, `a reply head: ${reply.toString('latin1', 0, 80)}`);
  return bencode.decode(reply.subarray(at + 4)) as Record<string, unknown>;
}

describe('native HTTP accept loop', { skip }, () => {
  const hash = randomBytes(20).toString('hex');
  const store = new MemoryPeerStore();
  const tracker: TrackerContext = { store, registered: new Set([hash]), completed: new CompletedTally(), interval: 1800, minInterval: 900, stats: new TrackerStats() };
  const deps = { tracker, trustedProxies: undefined, log: createLogger('silent') };
  const limit = new ConnectionLimit(LIMIT, undefined);
  let front: NativeFront;
  let port: number;
  const target = (p: number, left = 1): string => {
    const u = new URL(announceUrl('http://x/announce', { infoHash: hash, peerId: `-XX0001-${String(p).padStart(12, '0')}`, port: p, left }));
    return `${u.pathname}${u.search}`;
  };
  const closing = (p: number): string => `GET ${target(p)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;

  before(async () => {
    const { server, fastPath } = createHttpServer({ ...deps, health: async () => ({ ok: 1 }), fastPath: { connectionLimit: limit } });
    front = await listenNative(native!, server, fastPath, deps, limit, 0, '::', { idleTimeoutMs: IDLE_MS });
    port = front.port;
  });
  after(async () => {
    front.closeAll();
    await front.close();
  });

  it('answers a closing announce itself, whole, and closes with a FIN after the reply', async () => {
    const before = front.counts();
    const r = await exchange(port, [closing(7001)]);
    assert.equal(r.ended, 'fin');
    assert.match(r.data.toString('latin1'), /^HTTP\/1\.1 200 OK\r\n[^]*Content-Length: (\d+)\r\n[^]*Connection: close\r\n\r\n/);
    const len = Number(/Content-Length: (\d+)/.exec(r.data.toString('latin1'))![1]);
    assert.equal(r.data.length - r.data.indexOf('\r\n\r\n') - 4, len, 'the whole body');
    assert.equal(bodyOf(r.data).interval, 1800);
    const now = front.counts();
    assert.equal(now.answered - before.answered, 1);
    assert.equal(now.handedOver - before.handedOver, 0, 'no Node socket');
    assert.equal(now.accepted - before.accepted, 1);
  });

  it('keys the peer by the address text Node gives (an IPv4 client of a dual-stack port)', async () => {
    await exchange(port, [closing(7002)]);
    const r = await exchange(port, [closing(7003)]);
    const peers = bodyOf(r.data).peers as Uint8Array;
    const found: string[] = [];
    for (let i = 0; i + 6 <= peers.length; i += 6) found.push(`${peers.slice(i, i + 4).join('.')}:${(peers[i + 4] << 8) | peers[i + 5]}`);
    assert.ok(found.includes('127.0.0.1:7002'), `peers ${found.join(' ')}`);
  });

  it('answers HTTP/1.0 without keep-alive itself too; a scrape as well', async () => {
    const before = front.counts();
    const r = await exchange(port, [`GET ${target(7004)} HTTP/1.0\r\n\r\n`]);
    assert.equal(r.ended, 'fin');
    assert.equal(bodyOf(r.data).interval, 1800);
    const s = await exchange(port, [`GET /scrape?info_hash=${hash.replace(/../g, '%$&')} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
    assert.ok(bodyOf(s.data).files !== undefined);
    assert.equal(front.counts().answered - before.answered, 2);
    assert.equal(front.counts().handedOver - before.handedOver, 0);
  });

  it('hands a keep-alive announce to the fast path: the connection stays open for the next request', async () => {
    const before = front.counts();
    const c = net.connect(port, '127.0.0.1');
    const replies: string[] = [];
    let buf = '';
    c.on('data', (d) => {
      buf += d.toString('latin1');
      const m = /Content-Length: (\d+)\r\n[^]*?\r\n\r\n/.exec(buf);
      if (m !== null && buf.length >= m.index + m[0].length + Number(m[1])) {
        replies.push(buf.slice(0, m.index + m[0].length + Number(m[1])));
        buf = buf.slice(m.index + m[0].length + Number(m[1]));
      }
    });
    await new Promise((r) => c.once('connect', r));
    c.write(`GET ${target(7005)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.ok(await waitUntil(() => replies.length === 1));
    assert.match(replies[0], /Connection: keep-alive/);
    c.write(`GET ${target(7005)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.ok(await waitUntil(() => replies.length === 2), 'the second request on the same connection');
    c.destroy();
    assert.equal(front.counts().handedOver - before.handedOver, 1);
    assert.equal(front.counts().answered - before.answered, 0);
  });

  it('hands a request Node refuses (HTTP/1.1 without Host) to Node, which answers 400', async () => {
    const r = await exchange(port, [`GET ${target(7014)} HTTP/1.1\r\nConnection: close\r\n\r\n`]);
    assert.match(r.data.toString('latin1'), /^HTTP\/1\.1 400 Bad Request/);
  });

  it("hands every other route to Node's http server with the bytes already read", async () => {
    const r = await exchange(port, ['GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
    assert.match(r.data.toString('latin1'), /^HTTP\/1\.1 200 OK/);
    assert.match(r.data.toString('latin1'), /"ok":1/);
    const nf = await exchange(port, ['GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
    assert.match(nf.data.toString('latin1'), /^HTTP\/1\.1 404/);
  });

  it('hands over a head split across reads and pipelined requests, answered as the fast path does', async () => {
    const text = closing(7006);
    const split = await exchange(port, [text.slice(0, 30), text.slice(30)], { pauseMs: 50 });
    assert.equal(split.ended, 'fin');
    assert.equal(bodyOf(split.data).interval, 1800);
    // two requests in one write: the first is answered with its close, the second never runs
    const two = await exchange(port, [`GET ${target(7007)} HTTP/1.1\r\nHost: x\r\n\r\n${closing(7008)}`]);
    assert.equal(two.data.toString('latin1').match(/HTTP\/1\.1 200 OK/g)?.length, 2);
    assert.equal(two.ended, 'fin');
  });

  it('keeps a connection that has sent nothing as a descriptor, then serves its request when it comes', async () => {
    const before = front.counts();
    const r = await exchange(port, [closing(7009)], { pauseMs: 120 });
    assert.equal(r.ended, 'fin');
    assert.equal(bodyOf(r.data).interval, 1800);
    const now = front.counts();
    assert.equal(now.waited - before.waited, 1, 'it waited in the set');
    assert.equal(now.answered - before.answered, 1, 'and was answered without a Node socket');
  });

  it('cuts a connection that sends nothing within the idle timeout, and releases its count', async () => {
    const r = await exchange(port, [], { waitMs: IDLE_MS * 8 });
    assert.notEqual(r.ended, 'open', 'the server closed it');
    assert.equal(r.data.length, 0);
    assert.ok(await waitUntil(() => limit.of('127.0.0.1') === 0), 'counted no more');
  });

  it('refuses connections beyond the per-address limit with a 503, the waiting ones counted', async () => {
    const silent = await Promise.all(Array.from({ length: LIMIT }, () => new Promise<net.Socket>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(s));
      s.on('error', () => undefined);
    })));
    assert.ok(await waitUntil(() => limit.of('127.0.0.1') === LIMIT));
    assert.equal(front.counts().waiting, LIMIT, 'the silent ones wait as descriptors');
    const refusedBefore = limit.refused;
    const r = await exchange(port, [closing(7010)]);
    assert.match(r.data.toString('latin1'), /^HTTP\/1\.1 503 Service Unavailable/);
    assert.equal(r.ended, 'fin');
    assert.equal(limit.refused - refusedBefore, 1);
    for (const s of silent) s.destroy();
    assert.ok(await waitUntil(() => limit.of('127.0.0.1') === 0), 'the closed ones released');
    assert.equal(front.counts().waiting, 0);
    assert.equal(bodyOf((await exchange(port, [closing(7011)])).data).interval, 1800, 'served again');
  });

  it('serves IPv6 clients, keyed by their own address text', async () => {
    const r = await exchange(port, [closing(7012)], { host: '::1' });
    assert.equal(r.ended, 'fin');
    assert.equal(bodyOf(r.data).interval, 1800);
  });

  it('stops accepting on close and resolves once its connections are gone', async () => {
    const { server, fastPath } = createHttpServer({ ...deps, health: async () => ({}) });
    const f = await listenNative(native!, server, fastPath, deps, undefined, 0, '127.0.0.1');
    const held = net.connect(f.port, '127.0.0.1');
    held.on('error', () => undefined);
    await new Promise((r) => held.once('connect', r));
    held.write(`GET ${target(7013)} HTTP/1.1\r\nHost: x\r\n\r\n`); // keep-alive: a Node socket now
    await waitUntil(() => f.counts().handedOver === 1);
    let closed = false;
    const closing = f.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(closed, false, 'waits for the open connection');
    await assert.rejects(new Promise((resolve, reject) => {
      const c = net.connect(f.port, '127.0.0.1', () => resolve(c));
      c.on('error', reject);
    }), /ECONNREFUSED/);
    held.destroy();
    await closing;
    assert.equal(closed, true);
  });
});

describe('native HTTP accept loop out of file descriptors', { skip }, () => {
  it('pauses accepting (no spinning on the readable socket), then serves the queued connections once descriptors are free', async () => {
    const hash = randomBytes(20).toString('hex');
    const child = spawn('sh', ['-c', `ulimit -n 96 && exec "${process.execPath}" "${fileURLToPath(new URL('../../helpers/native-front-child.js', import.meta.url))}" ${hash}`], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const next = async (): Promise<string> => (await lines.next()).value as string;
    const counts = async (): Promise<{ accepted: number; paused: number; answered: number; cpu: { user: number; system: number } }> => {
      child.stdin!.write('counts\n');
      return JSON.parse(await next());
    };
    const held: net.Socket[] = [];
    try {
      const port = Number(await next());
      // silent connections: each one holds a descriptor of the child's until it closes
      for (let i = 0; i < 120; i++) {
        const c = net.connect(port, '127.0.0.1');
        c.on('error', () => undefined);
        held.push(c);
      }
      assert.ok(await waitUntil(async () => (await counts()).paused > 0, 10_000), 'accepting paused');
      const before = await counts();
      await new Promise((r) => setTimeout(r, 500));
      const after = await counts();
      const cpuMs = (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1000;
      assert.ok(cpuMs < 250, `${cpuMs} ms of CPU in 500 ms out of descriptors: not spinning`);
      // a request queued behind the full table is served once the silent ones go
      const u = new URL(announceUrl('http://x/announce', { infoHash: hash, peerId: '-XX0001-000000000001', port: 7001, left: 1 }));
      const waiting = exchange(port, [`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`], { waitMs: 10_000 });
      await new Promise((r) => setTimeout(r, 200));
      for (const c of held) c.destroy();
      const r = await waiting;
      assert.equal(r.ended, 'fin');
      assert.equal(bodyOf(r.data).interval, 1800);
    } finally {
      for (const c of held) c.destroy();
      child.kill();
    }
  });
});

describe('the accept addon\'s finish(fd, reply)', { skip }, () => {
  /** A connected pair: the client, and the server's side paused from its start (nothing read by Node). */
  const pair = async (): Promise<{ client: net.Socket; theirs: net.Socket; close: () => Promise<void> }> => {
    let theirs!: net.Socket;
    const srv = net.createServer({ pauseOnConnect: true }, (s) => (theirs = s));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const client = net.connect((srv.address() as net.AddressInfo).port, '127.0.0.1');
    client.on('error', () => undefined);
    await new Promise((r) => client.once('connect', r));
    await waitUntil(() => theirs !== undefined);
    theirs.on('error', () => undefined);
    return { client, theirs, close: async () => { client.destroy(); theirs.destroy(); await new Promise((r) => srv.close(r)); } };
  };
  const fdOf = (s: net.Socket): number => (s as unknown as { _handle: { fd: number } })._handle.fd;

  it('does not close a socket with unread bytes (a reset would lose the reply): the whole reply written, the socket left open', async () => {
    const { client, theirs, close } = await pair();
    try {
      client.write('more than the request');
      await new Promise((r) => setTimeout(r, 50));
      const reply = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok');
      assert.equal(native!.finish(fdOf(theirs), reply, reply.length), reply.length);
      let got = '';
      client.on('data', (d) => (got += d.toString('latin1')));
      assert.ok(await waitUntil(() => got.endsWith('ok')), 'the reply arrived');
      assert.equal(client.destroyed, false, 'and the connection is still open');
    } finally {
      await close();
    }
  });

  it('returns the bytes the kernel took when a reply does not fit, the socket left open for the rest', async () => {
    const { client, theirs, close } = await pair();
    try {
      client.pause();
      const big = Buffer.alloc(64 << 20, 0x61);
      const sent = native!.finish(fdOf(theirs), big, big.length);
      assert.ok(sent > 0 && sent < big.length, `${sent} of ${big.length} bytes taken`);
    } finally {
      await close();
    }
  });

  it('closes the socket after a reply that went whole with nothing unread (-1), and reports a peer gone (-2)', async () => {
    const { client, theirs, close } = await pair();
    try {
      const fd = fdOf(theirs);
      let got = '';
      client.on('data', (d) => (got += d.toString('latin1')));
      const ended = new Promise((r) => client.once('end', r));
      assert.equal(native!.finish(fd, Buffer.from('bye'), 3), -1);
      await ended;
      assert.equal(got, 'bye', 'the reply, then a FIN');
      // the descriptor is closed now; Node's handle must not close it again
      (theirs as unknown as { _handle: { fd: number } | null })._handle = null;
    } finally {
      await close().catch(() => undefined);
    }
    const second = await pair();
    try {
      second.client.resetAndDestroy();
      await new Promise((r) => setTimeout(r, 50));
      const fd = fdOf(second.theirs);
      const r1 = native!.finish(fd, Buffer.from('x'), 1);
      // the first send to a reset peer may still be taken by the kernel; the next fails
      const r = r1 === -2 ? r1 : native!.finish(fd, Buffer.from('x'), 1);
      assert.ok(r === -2 || r1 === -2, `finish after a reset: ${r1}, ${r}`);
      (second.theirs as unknown as { _handle: { fd: number } | null })._handle = null;
    } finally {
      await second.close().catch(() => undefined);
    }
  });
});
