// A raw-socket fast path for /announce and /scrape on the one HTTP server: connections are read
// here first; plain tracker GETs are answered straight from the bytes (one write per reply, no
// IncomingMessage/ServerResponse), and the first request that is anything else hands the
// connection, with its unread bytes, to Node's http server for the rest of its life. Heads are
// taken only where Node's parser reads them the same way (request-head.ts); a client is read only
// as fast as it reads its replies, and pipelined requests take turns with everything else.
import type http from 'node:http';
import type { Socket } from 'node:net';
import { encodeFailure } from '../tracker/replies.js';
import type { ConnectionLimit } from './connection-limit.js';
import { HandOverQueue } from './handover-queue.js';
import { MORE, ODD, PendingHead } from './pending-head.js';
import { isHttp09RequestLine, isTrackerRequestLine, parseTrackerHead, type TrackerRequestHead } from './request-head.js';
import { answerAnnounce, answerScrape, type TrackerRouteDeps } from './tracker-answers.js';

/**
 * Longest request head read here (Node's maxHeaderSize is the same); a longer one is handed to
 * Node's parser, which counts fewer of its bytes (not the method, version, colons and line ends)
 * and so decides alone whether it is too long.
 */
export const MAX_HEAD_BYTES = 16 * 1024;
/** A head must be complete this long after its first byte (checked as bytes arrive; silence ends at IDLE_TIMEOUT_MS). */
const HEADS_TIMEOUT_MS = 20_000;
/**
 * A connection that has neither read nor written this long is destroyed. One sweep over the owned
 * connections every IDLE_SWEEP_MS (at most; idle/2 when shorter) checks this, instead of a timer per
 * socket: with one connection per request, arming, refreshing on every read and write, and clearing a
 * Node socket timeout was a measurable part of each request's cost (docs/limits.md).
 */
export const IDLE_TIMEOUT_MS = 30_000;
const IDLE_SWEEP_MS = 1_000;
/**
 * Reply bytes the kernel has not taken yet (socket.writableLength) above which a connection is not
 * read until they drain. An announce reply is 0.1-1.5 kB, so this is 40-600 replies: more than any
 * client pipelines, while a client that never reads holds at most this plus one reply here.
 */
export const MAX_UNSENT_BYTES = 64 * 1024;
/** Pipelined requests answered per event-loop turn; the rest wait for the next turn (setImmediate). */
export const MAX_REQUESTS_PER_TURN = 16;
/** A connection whose unsent replies have not drained this long after it stopped being read is destroyed. */
export const SEND_TIMEOUT_MS = 10_000;
/** Bytes read and dropped after a reply that closes, before the connection is cut (so the close is a FIN, not a reset). */
const MAX_DISCARD_BYTES = 64 * 1024;
const CRLFCRLF = Buffer.from('\r\n\r\n');
/** What Node's clientError handler answers (create-server.ts): the same refusal either way. */
export const MALFORMED = encodeFailure('malformed HTTP request');

export interface FastPath {
  /**
   * Takes a connection accepted elsewhere (the native accept loop) as if it had just been accepted
   * here, with the bytes already read from it; `limitKey` as ConnectionLimit.admit gave it.
   */
  adopt(socket: Socket, limitKey: string | null, read: Buffer): void;
  /** From now on replies close their connection; ends the idle ones at once. */
  closeIdle(): void;
  /** Destroys every connection still owned by the fast path. */
  closeAll(): void;
}

export interface FastPathOptions {
  /** Overrides SEND_TIMEOUT_MS (tests). */
  sendTimeoutMs?: number;
  /** Overrides IDLE_TIMEOUT_MS (tests). */
  idleTimeoutMs?: number;
  /** Connections per address (none: not limited). */
  connectionLimit?: ConnectionLimit;
}

interface Shared {
  deps: TrackerRouteDeps;
  server: http.Server;
  httpConnection: (socket: Socket) => void;
  /** Connections handed to Node's server, started a few per turn. */
  handOvers: HandOverQueue;
  owned: Set<Connection>;
  idle: Set<Connection>;
  closing: boolean;
  sendTimeoutMs: number;
  idleTimeoutMs: number;
  /** Milliseconds (performance.now) as of the last sweep or connection: the idle check's coarse clock. */
  now: number;
  /** The idle sweep's interval, while any connection is owned. */
  sweep: NodeJS.Timeout | undefined;
  startSweep: () => void;
  /** Connections per address (undefined: not limited). */
  limit: ConnectionLimit | undefined;
}

/** A tracker reply's bytes: the head and `body` in one buffer (one write). */
export function replyBytes(body: Buffer, keepAlive: boolean): Buffer {
  const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ' + body.length +
    (keepAlive ? '\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n' : '\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n');
  const out = Buffer.allocUnsafe(head.length + body.length);
  out.write(head, 0, 'latin1');
  body.copy(out, head.length);
  return out;
}

function reply(socket: Socket, body: Buffer, keepAlive: boolean): void {
  const out = replyBytes(body, keepAlive);
  if (keepAlive) socket.write(out);
  else socket.end(out);
}

/** One connection while the fast path owns it. */
class Connection {
  /** Bytes read and not yet answered, from `off`. */
  private buf: Buffer | null = null;
  private off = 0;
  /** An incomplete head (buf is null meanwhile). */
  private partial: PendingHead | null = null;
  private lineChecked = false;
  private headStarted = 0;
  /** The socket is paused by us (an async reply, a full send buffer, or the turn's quota). */
  private held = false;
  private busy = false;
  private waiting = false;
  /** Replied with a close, refused, or handed over: nothing more is read as a request. */
  private done = false;
  private halfClosed = false;
  private discarded = 0;
  private stall: NodeJS.Timeout | undefined;
  /** shared.now when this connection last read or wrote (the idle sweep's input). */
  lastActive: number;

  /** `limitKey`: what the connection limit counts it under (null: not counted), released at close. */
  constructor(private readonly socket: Socket, private readonly shared: Shared, private readonly limitKey: string | null) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', destroyOnError);
    socket.on('close', this.onClose);
    shared.owned.add(this);
    if (shared.sweep === undefined) shared.startSweep();
    this.lastActive = shared.now;
  }

  readonly onData = (chunk: Buffer): void => {
    this.lastActive = this.shared.now;
    if (this.done) {
      this.discarded += chunk.length;
      if (this.discarded > MAX_DISCARD_BYTES) this.socket.destroy();
    } else if (this.partial !== null) {
      this.feed(chunk);
    } else if (this.buf !== null) {
      // a chunk already on its way when we paused: kept for run() (a paused socket emits no more)
      this.buf = Buffer.concat([this.buf.subarray(this.off), chunk]);
      this.off = 0;
      if (this.buf.length > 2 * MAX_UNSENT_BYTES) this.socket.destroy();
    } else {
      this.buf = chunk;
      this.off = 0;
      this.run();
    }
  };

  /** Answers the complete requests in buf; stops at an incomplete head, a full send buffer, an async reply or the turn's quota. */
  private run(): void {
    const socket = this.socket;
    let answered = 0;
    while (this.buf !== null && this.off < this.buf.length) {
      if (socket.writableLength > MAX_UNSENT_BYTES && socket.writableNeedDrain) return this.waitForDrain();
      if (answered === MAX_REQUESTS_PER_TURN) return this.nextTurn();
      const buf = this.buf;
      const off = this.off;
      const end = buf.indexOf(CRLFCRLF, off);
      if (end === -1) {
        this.buf = null;
        this.gather(buf.subarray(off));
        return;
      }
      if (end - off > MAX_HEAD_BYTES) return this.handOver(buf.subarray(off));
      const text = buf.toString('latin1', off, end);
      const head = parseTrackerHead(text);
      if (head === null) {
        if (isHttp09RequestLine(text)) return this.refuse(MALFORMED);
        return this.handOver(buf.subarray(off));
      }
      this.off = end + 4;
      answered++;
      const body = this.answer(head);
      if (body instanceof Promise) return this.awaitReply(body, head.keepAlive);
      if (!this.send(body, head.keepAlive)) return;
    }
    this.buf = null;
    this.settle();
  }

  private answer(head: TrackerRequestHead): Buffer | Promise<Buffer> {
    const deps = this.shared.deps;
    return head.path === '/announce' ? answerAnnounce(head.query, this.socket.remoteAddress, head.xff, deps) : answerScrape(head.query, deps, this.socket.remoteAddress, head.xff);
  }

  /** Writes a reply; false when it closed the connection. */
  private send(body: Buffer, keepAlive: boolean): boolean {
    // after a half-close, the last request read gets the close
    const last = this.halfClosed && (this.buf === null || this.off >= this.buf.length);
    const open = keepAlive && !this.shared.closing && !last;
    this.lastActive = this.shared.now;
    reply(this.socket, body, open);
    if (!open) this.finish();
    return open;
  }

  /** An async store: answer in order, reading nothing more until this reply is written. */
  private awaitReply(body: Promise<Buffer>, keepAlive: boolean): void {
    this.busy = true;
    this.hold();
    void body.then((b) => {
      this.busy = false;
      if (this.done || this.socket.destroyed) return;
      if (this.send(b, keepAlive)) this.run();
    });
  }

  private waitForDrain(): void {
    this.waiting = true;
    this.hold();
    this.socket.once('drain', this.onDrain);
    this.stall = setTimeout(this.onStall, this.shared.sendTimeoutMs);
  }

  private readonly onDrain = (): void => {
    clearTimeout(this.stall);
    this.stall = undefined;
    this.waiting = false;
    if (!this.done) this.run();
  };

  private readonly onStall = (): void => {
    this.socket.destroy();
  };

  private nextTurn(): void {
    this.waiting = true;
    this.hold();
    setImmediate(this.onTurn);
  }

  private readonly onTurn = (): void => {
    this.waiting = false;
    if (!this.done && !this.socket.destroyed) this.run();
  };

  /** Starts gathering an incomplete head. */
  private gather(rest: Buffer): void {
    this.shared.idle.delete(this);
    this.partial = new PendingHead();
    this.lineChecked = false;
    this.headStarted = Date.now();
    this.feed(rest);
  }

  private feed(chunk: Buffer): void {
    const p = this.partial as PendingHead;
    const end = p.push(chunk);
    if (!this.lineChecked && p.lineEnd !== -1) {
      this.lineChecked = true;
      const line = p.line();
      if (isHttp09RequestLine(line)) return this.refuse(MALFORMED);
      if (!isTrackerRequestLine(line)) return this.handOver(p.join()); // another route: Node reads the rest itself
    }
    if (end === ODD) return this.handOver(p.join()); // Node's parser refuses it, at once
    if (end !== MORE) {
      this.partial = null;
      this.buf = p.join();
      this.off = 0;
      this.run();
      return;
    }
    if (p.length > MAX_HEAD_BYTES) return this.handOver(p.join());
    if (Date.now() - this.headStarted > HEADS_TIMEOUT_MS) {
      this.socket.destroy();
      return;
    }
    this.settle();
  }

  /** Everything read is answered (or gathering a head): read on, or end after a half-close. */
  private settle(): void {
    if (this.busy || this.waiting) return;
    if (this.halfClosed) {
      if (this.partial !== null) return this.refuse(MALFORMED); // the head will never be complete
      this.finish();
      if (!this.socket.writableEnded) this.socket.end();
      return;
    }
    this.release();
    if (this.partial === null) this.shared.idle.add(this);
  }

  private hold(): void {
    if (this.held) return;
    this.held = true;
    this.socket.pause();
  }

  private release(): void {
    if (!this.held) return;
    this.held = false;
    this.socket.resume();
  }

  private refuse(body: Buffer): void {
    reply(this.socket, body, false);
    this.finish();
  }

  /** No more requests on this connection: drop what is buffered, read only to see the client close. */
  private finish(): void {
    this.done = true;
    this.buf = null;
    this.partial = null;
    this.shared.idle.delete(this);
    this.release();
  }

  private handOver(rest: Buffer): void {
    const socket = this.socket;
    this.done = true;
    this.buf = null;
    this.partial = null;
    this.held = false;
    socket.pause();
    socket.removeListener('data', this.onData);
    socket.removeListener('end', this.onEnd);
    this.forget();
    if (rest.length > 0) socket.unshift(rest);
    this.shared.handOvers.add(socket);
  }

  // http.Server sockets allow half-open connections: answer what was read, then close our side.
  private readonly onEnd = (): void => {
    this.halfClosed = true;
    if (!this.done) this.settle();
  };

  private readonly onClose = (): void => {
    if (this.limitKey !== null) this.shared.limit?.release(this.limitKey);
    this.done = true;
    this.buf = null;
    this.partial = null;
    this.forget();
  };

  private forget(): void {
    clearTimeout(this.stall);
    this.stall = undefined;
    this.socket.removeListener('drain', this.onDrain);
    this.shared.idle.delete(this);
    this.shared.owned.delete(this);
  }

  /** Shutdown: an idle connection is ended now; a busy one closes with its next reply. */
  endIfIdle(): void {
    this.finish();
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** One listener for every socket: a socket error ends that socket (`this` is the emitter). */
function destroyOnError(this: Socket): void {
  this.destroy();
}

/** Destroys the owned connections idle longer than the idle timeout; stops when none is left. */
function sweepIdle(shared: Shared): void {
  const now = (shared.now = performance.now());
  for (const c of shared.owned) if (now - c.lastActive > shared.idleTimeoutMs) c.destroy();
  if (shared.owned.size === 0) {
    clearInterval(shared.sweep);
    shared.sweep = undefined;
  }
}

/** Puts the fast path in front of `server`'s own connection handling. */
export function installTrackerFastPath(server: http.Server, deps: TrackerRouteDeps, opts: FastPathOptions = {}): FastPath {
  const httpConnection = server.listeners('connection')[0] as (socket: Socket) => void;
  server.removeListener('connection', httpConnection);
  const handOvers = new HandOverQueue((socket) => {
    httpConnection.call(server, socket);
    socket.resume();
  });
  const shared: Shared = {
    deps, server, httpConnection, handOvers, owned: new Set(), idle: new Set(), closing: false, limit: opts.connectionLimit,
    sendTimeoutMs: opts.sendTimeoutMs ?? SEND_TIMEOUT_MS,
    idleTimeoutMs: opts.idleTimeoutMs ?? IDLE_TIMEOUT_MS,
    now: performance.now(),
    sweep: undefined,
    startSweep() {
      shared.now = performance.now();
      shared.sweep = setInterval(sweepIdle, Math.min(IDLE_SWEEP_MS, shared.idleTimeoutMs / 2), shared);
      shared.sweep.unref();
    },
  };
  server.on('connection', (socket: Socket) => {
    const key = shared.limit === undefined ? null : shared.limit.admit(socket);
    if (key !== false) new Connection(socket, shared, key);
  });
  return {
    adopt(socket, limitKey, read) {
      const c = new Connection(socket, shared, limitKey);
      if (read.length > 0) c.onData(read);
    },
    closeIdle() {
      shared.closing = true;
      for (const c of shared.idle) c.endIfIdle();
      shared.idle.clear();
    },
    closeAll() {
      clearInterval(shared.sweep);
      shared.sweep = undefined;
      handOvers.destroyAll();
      for (const c of shared.owned) c.destroy();
      shared.owned.clear();
      shared.idle.clear();
    },
  };
}
