// The fast path's bounds on a real server (port 0, memory swarm store): what a client that does
// not read can make the server hold, how many pipelined requests run per event-loop turn, when a
// stalled send is cut, when an idle or silent connection is cut, and that a head sent a byte at a time is gathered in linear work.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createHttpServer } from '../../../server/http/create-server.js';
import { MAX_HEAD_BYTES, MAX_REQUESTS_PER_TURN, MAX_UNSENT_BYTES } from '../../../server/http/tracker-fast-path.js';
import { createLogger } from '../../../server/logger.js';
import { CompletedTally } from '../../../server/tracker/completed-tally.js';
import { MemoryPeerStore } from '../../../server/tracker/memory-peer-store.js';
import type { TrackerContext } from '../../../server/tracker/tracker-context.js';
import { TrackerStats } from '../../../server/tracker/tracker-stats.js';
import { announceUrl } from '../../helpers/tracker-client.js';
import { waitUntil } from '../../helpers/wait.js';

const SEND_TIMEOUT_MS = 400;

describe('tracker fast path bounds', () => {
  const hash = randomBytes(20).toString('hex');
  const store = new MemoryPeerStore();
  const tracker: TrackerContext = { store, registered: new Set([hash]), completed: new CompletedTally(), interval: 1800, minInterval: 900, stats: new TrackerStats() };
  let server: http.Server;
  let port: number;
  const accepted: net.Socket[] = [];
  const request = (p: number): string => {
    const u = new URL(announceUrl('http://x/announce', { infoHash: hash, peerId: `-XX0001-${p}`, port: p, left: 1 }));
    return `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: x\r\n\r\n`;
  };
  /** The server's side of `client`. */
  const serverSide = async (client: net.Socket): Promise<net.Socket> => {
    await waitUntil(() => accepted.some((s) => s.remotePort === client.localPort));
    return accepted.find((s) => s.remotePort === client.localPort) as net.Socket;
  };
  const connect = (): Promise<net.Socket> => new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1', () => resolve(c));
    c.on('error', () => undefined); // the server cuts some of these connections: that is the point
  });

  before(async () => {
    ({ server } = createHttpServer({ tracker, trustedProxies: undefined, log: createLogger('silent'), health: async () => ({}), fastPath: { sendTimeoutMs: SEND_TIMEOUT_MS } }));
    server.on('connection', (s: net.Socket) => accepted.push(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('stops reading a client that pipelines and never reads, holding at most MAX_UNSENT_BYTES plus one reply', async () => {
    const client = await connect();
    client.pause(); // never reads
    const theirs = await serverSide(client);
    let maxUnsent = 0;
    let maxReply = 0;
    const write = theirs.write.bind(theirs) as (chunk: Buffer) => boolean;
    theirs.write = ((chunk: Buffer) => {
      const r = write(chunk);
      maxUnsent = Math.max(maxUnsent, theirs.writableLength);
      maxReply = Math.max(maxReply, chunk.length);
      return r;
    }) as typeof theirs.write;
    const one = Buffer.from(request(9001), 'latin1');
    const flood = Buffer.alloc(one.length * Math.ceil((40 << 20) / one.length));
    for (let o = 0; o < flood.length; o += one.length) one.copy(flood, o);
    client.write(flood);
    // the server stops reading once the kernel's buffers are full and replies pile up in its own
    const stopped = await waitUntil(() => theirs.isPaused() && theirs.writableLength > MAX_UNSENT_BYTES, 120_000);
    assert.ok(stopped, `server read ${theirs.bytesRead} of ${flood.length} bytes without stopping`);
    assert.ok(theirs.bytesRead < flood.length / 2, `server read ${theirs.bytesRead} of ${flood.length} bytes`);
    assert.ok(maxUnsent <= MAX_UNSENT_BYTES + maxReply, `held ${maxUnsent} unsent bytes`);
    console.log('DIAG', theirs.bytesRead, flood.length, maxUnsent, maxReply);
    client.destroy();
    assert.ok(await waitUntil(() => theirs.destroyed));
  });

  it(`answers at most ${MAX_REQUESTS_PER_TURN} pipelined requests per turn of the event loop`, async () => {
    const client = await connect();
    const theirs = await serverSide(client);
    let turn = 0;
    let ticking = true;
    const tick = (): void => {
      turn++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const perTurn = new Map<number, number>();
    const write = theirs.write.bind(theirs) as (chunk: Buffer) => boolean;
    theirs.write = ((chunk: Buffer) => {
      perTurn.set(turn, (perTurn.get(turn) ?? 0) + 1);
      return write(chunk);
    }) as typeof theirs.write;
    const n = 2000;
    let replies = 0;
    client.on('data', (c: Buffer) => { replies += c.toString('latin1').split('HTTP/1.1 200').length - 1; });
    client.write(request(9002).repeat(n));
    assert.ok(await waitUntil(() => replies === n, 60_000), `${replies} of ${n} replies`);
    ticking = false;
    client.destroy();
    // a turn runs one continuation (setImmediate) and at most one read of new bytes
    const most = Math.max(...perTurn.values());
    assert.ok(most <= 2 * MAX_REQUESTS_PER_TURN, `${most} replies in one turn`);
    assert.ok(perTurn.size >= n / (2 * MAX_REQUESTS_PER_TURN));
  });

  it('destroys a connection whose unsent replies do not drain within the send timeout', async () => {
    const client = await connect();
    client.pause();
    const theirs = await serverSide(client);
    let stalledAt = 0;
    const flood = request(9003).repeat(60_000);
    client.write(flood);
    assert.ok(await waitUntil(() => {
      if (stalledAt === 0 && theirs.isPaused() && theirs.writableLength > MAX_UNSENT_BYTES) stalledAt = Date.now();
      return theirs.destroyed;
    }, 120_000, 20), 'the stalled connection was kept');
    assert.ok(stalledAt > 0, 'it was destroyed before it stalled');
    assert.ok(Date.now() - stalledAt >= SEND_TIMEOUT_MS - 50, 'destroyed before the send timeout');
    client.destroy();
  });

  it('destroys a connection idle longer than the idle timeout, silent or after a reply, and keeps a busy one', async () => {
    const IDLE_MS = 400;
    const { server: idleServer } = createHttpServer({ tracker, trustedProxies: undefined, log: createLogger('silent'), health: async () => ({}), fastPath: { idleTimeoutMs: IDLE_MS } });
    await new Promise<void>((resolve) => idleServer.listen(0, '127.0.0.1', resolve));
    const idlePort = (idleServer.address() as net.AddressInfo).port;
    const clients: net.Socket[] = [];
    const open = (): Promise<{ c: net.Socket; closedAt: () => number }> => new Promise((resolve) => {
      let closed = 0;
      const c = net.connect(idlePort, '127.0.0.1', () => resolve({ c, closedAt: () => closed }));
      clients.push(c);
      c.on('error', () => undefined);
      c.on('data', () => undefined);
      c.on('close', () => { closed = Date.now(); });
    });
    try {
      const t0 = Date.now();
      const silent = await open();
      const answered = await open();
      answered.c.write(request(9101));
      const busy = await open();
      // a client that keeps announcing every IDLE_MS / 4 stays connected past the timeout
      const beat = setInterval(() => busy.c.write(request(9102)), IDLE_MS / 4);
      assert.ok(await waitUntil(() => silent.closedAt() > 0 && answered.closedAt() > 0, 5000, 20), 'idle connections were kept');
      assert.ok(silent.closedAt() - t0 >= IDLE_MS - 50, `a silent connection was cut after ${silent.closedAt() - t0} ms`);
      assert.ok(silent.closedAt() - t0 < 3 * IDLE_MS, `a silent connection was kept ${silent.closedAt() - t0} ms`);
      assert.equal(busy.closedAt(), 0, 'a connection in use was cut');
      clearInterval(beat);
      busy.c.destroy();
    } finally {
      for (const c of clients) c.destroy();
      idleServer.closeAllConnections();
      await new Promise((resolve) => idleServer.close(resolve));
    }
  });

  it('gathers a head sent a byte at a time with work linear in its length', async () => {
    const head = request(9004).replace('\r\nHost: x', `\r\nHost: x\r\nX-Pad: ${'p'.repeat(MAX_HEAD_BYTES - 1024)}`);
    const bytes = Buffer.from(head, 'latin1');
    const client = await connect();
    client.setNoDelay(true);
    await serverSide(client);
    let copied = 0;
    let searched = 0;
    const concat = Buffer.concat;
    const indexOf = Buffer.prototype.indexOf;
    Buffer.concat = ((list: readonly Uint8Array[], total?: number) => {
      const out = concat(list, total);
      copied += out.length;
      return out;
    }) as typeof Buffer.concat;
    Buffer.prototype.indexOf = function (this: Buffer, value: string | number | Uint8Array, byteOffset?: number | BufferEncoding, encoding?: BufferEncoding) {
      searched += this.length - (typeof byteOffset === 'number' ? byteOffset : 0);
      return indexOf.call(this, value, byteOffset as number, encoding);
    };
    let reply = '';
    try {
      client.on('data', (c: Buffer) => { reply += c.toString('latin1'); });
      for (let i = 0; i < bytes.length; i++) {
        client.write(bytes.subarray(i, i + 1));
        if (i % 64 === 0) await new Promise((r) => setImmediate(r)); // let the server read in many small pieces
      }
      assert.ok(await waitUntil(() => reply.includes('8:intervali'), 60_000), 'no reply');
    } finally {
      Buffer.concat = concat;
      Buffer.prototype.indexOf = indexOf;
      client.destroy();
    }
    assert.ok(copied <= 3 * bytes.length, `copied ${copied} bytes for a ${bytes.length}-byte head`);
    assert.ok(searched <= 3 * bytes.length, `searched ${searched} bytes for a ${bytes.length}-byte head`);
  });
});
