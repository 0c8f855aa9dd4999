// The HTTP port's accept loop on Linux, through the addon in native/tcp_accept.c: connections are
// accepted in batches and their first bytes read before JavaScript sees them. A plain tracker
// request that closes its connection (HTTP/1.0, or `Connection: close`: one connection per request,
// what direct clients do) and came whole in the first read is answered from those bytes and the
// socket closed by the addon: no Node socket, stream, listener or timer. Every other connection
// becomes a Node socket with the bytes already read and goes on exactly as one Node accepted: the
// tracker fast path first (keep-alive announces, pipelined or partial heads, HTTP/0.9 refusals),
// then Node's http server (GraphQL, webseed, the UI). Where the addon is not built, Node accepts
// (main.ts). docs/http-accept.md tells the design and the figures.
import net, { isIP, type Socket } from 'node:net';
import type http from 'node:http';
import { lookup } from 'node:dns/promises';
import { ipv4Text, ipv6Text } from '../native/address-text.js';
import { endAndDrain, REFUSAL, type ConnectionLimit } from './connection-limit.js';
import { parseTrackerHead } from './request-head.js';
import { answerAnnounce, answerScrape, type TrackerRouteDeps } from './tracker-answers.js';
import { IDLE_TIMEOUT_MS, replyBytes, type FastPath } from './tracker-fast-path.js';
import { loadAddon, type Loaded } from '../native/load-addon.js';

interface Native {
  BATCH: number;
  SLOT: number;
  META: number;
  listen(v6: boolean, address: string, port: number, dualStack: boolean, backlog: number, reusePort: boolean): [unknown, number];
  start(handle: unknown, input: Buffer, meta: Buffer, onBatch: (n: number) => void): void;
  wait(handle: unknown, fd: number): boolean;
  finish(fd: number, reply: Buffer, length: number): number;
  closeFd(fd: number): void;
  counts(handle: unknown): [number, number, number];
  close(handle: unknown): void;
}

let loaded: Loaded<Native> | undefined;

/** The addon, or null when it is not built here (acceptAddonError says why). */
export function acceptAddon(): Native | null {
  loaded ??= loadAddon<Native>('server/http/native/build/Release/tcp_accept.node');
  return loaded.addon;
}

/** Why acceptAddon() is null (undefined when it loaded or was not tried). */
export function acceptAddonError(): string | undefined {
  return loaded?.error;
}

/** Node's default listen backlog. */
const BACKLOG = 511;
/** Silent waiting connections are checked this often (at most; idle/2 when shorter). */
const WAIT_SWEEP_MS = 1_000;
const CRLFCRLF = 0x0a0d0a0d;
/** A reply the kernel did not take whole, or a client that sent more than its request: ended, then cut this long after if the client keeps its side open. */
const LINGER_MS = 5_000; // '\r\n\r\n' read as a little-endian uint32

export interface FrontCounts {
  /** Connections accepted. */
  accepted: number;
  /** Of those, answered and closed here, without a Node socket. */
  answered: number;
  /** Of those, made Node sockets (everything but a plain closing tracker request). */
  handedOver: number;
  /** Connections whose first bytes came after they were accepted (they waited in the addon's set). */
  waited: number;
  /** Times accepting paused for want of a file descriptor (EMFILE: 100 ms each; the kernel queues connections meanwhile). */
  paused: number;
  /** Connections waiting now for their first bytes (descriptors in the addon's set). */
  waiting: number;
}

export interface NativeFront {
  port: number;
  /** The listening address, as net.Server#address() gives it. */
  address(): net.AddressInfo;
  counts(): FrontCounts;
  /** Stops accepting and closes the connections that have sent nothing; resolves once every connection it made is closed. */
  close(): Promise<void>;
  /** Closes every connection it still holds (the shutdown's deadline). */
  closeAll(): void;
}

export interface FrontOptions {
  /** SO_REUSEPORT (the workers of one cluster, each its own socket on the port). */
  reusePort?: boolean;
  /** Overrides IDLE_TIMEOUT_MS for connections that have sent nothing (tests). */
  idleTimeoutMs?: number;
}

interface Waiting {
  ip: string;
  key: string | null;
  since: number;
}

/** Where Node's listen(port, host) would bind: an IP literal, '::' (dual stack) when none. */
async function bindAddress(host: string | undefined): Promise<string> {
  if (host === undefined || host === '') return '::';
  if (isIP(host) !== 0) return host;
  return (await lookup(host)).address;
}

/**
 * Listens on host:port with the addon and serves the HTTP port: closing tracker requests here,
 * every other connection through `fastPath` (and from it Node's http `server`).
 */
export async function listenNative(native: Native, server: http.Server, fastPath: FastPath, deps: TrackerRouteDeps, limit: ConnectionLimit | undefined,
  port: number, host: string | undefined, opts: FrontOptions = {}): Promise<NativeFront> {
  let address = await bindAddress(host);
  let handle: unknown, bound: number;
  try {
    [handle, bound] = native.listen(isIP(address) === 6, address, port, true, BACKLOG, opts.reusePort === true);
  } catch (e) {
    if ((e as { code?: string }).code !== 'EAFNOSUPPORT' || host !== undefined) throw listenError(e, address, port);
    address = '0.0.0.0'; // no IPv6 here: Node falls back the same way
    [handle, bound] = native.listen(false, address, port, true, BACKLOG, opts.reusePort === true);
  }
  const family = isIP(address) === 6 ? 'IPv6' : 'IPv4';
  const { BATCH, SLOT, META } = native;
  const input = Buffer.alloc(BATCH * SLOT);
  const meta = Buffer.alloc(BATCH * META);
  const idleMs = opts.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
  const waiting = new Map<number, Waiting>();
  const replying = new Set<number>();
  const sockets = new Set<Socket>();
  const counts = { answered: 0, handedOver: 0 };
  let sweep: NodeJS.Timeout | undefined;
  let closed = false;
  let drained: (() => void) | undefined;

  const release = (key: string | null): void => {
    if (key !== null) limit?.release(key);
  };
  const checkDrained = (): void => {
    if (drained !== undefined && sockets.size === 0 && replying.size === 0 && waiting.size === 0) drained();
  };

  /** A Node socket for `fd`, as Node's own accept makes one for an http server. */
  const socketOf = (fd: number): Socket => {
    const socket = new net.Socket({ fd, readable: true, writable: true, allowHalfOpen: true });
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      checkDrained();
    });
    counts.handedOver++;
    return socket;
  };

  const handOver = (fd: number, key: string | null, read: Buffer): void => {
    let socket: Socket;
    try {
      socket = socketOf(fd);
    } catch {
      native.closeFd(fd); // not a socket Node can take (it was reset meanwhile)
      release(key);
      return;
    }
    fastPath.adopt(socket, key, read);
  };

  /** Sends `out` and closes; what the kernel did not take, or unread bytes, go on through a Node socket that ends after it. */
  const finish = (fd: number, key: string | null, out: Buffer): void => {
    const sent = native.finish(fd, out, out.length);
    if (sent < 0) {
      counts.answered++;
      release(key);
      return;
    }
    let socket: Socket;
    try {
      socket = socketOf(fd);
    } catch {
      native.closeFd(fd);
      release(key);
      return;
    }
    socket.once('close', () => release(key));
    // the rest, our FIN, and a bounded wait for the client's
    if (limit !== undefined) limit.refuse(socket, out.subarray(sent));
    else endAndDrain(socket, out.subarray(sent), LINGER_MS);
  };

  /** Connection i of the batch: `got` bytes of it in its slot. */
  const serve = (fd: number, got: number, ip: string, key: string | null, at: number): void => {
    // one whole head and nothing after it; anything else (more to read, a body, pipelining) is the
    // fast path's. The slot must end with the blank line first, so the search stops inside it.
    const end = got >= 4 && got < SLOT && input.readUInt32LE(at + got - 4) === CRLFCRLF;
    if (end && input.indexOf('\r\n\r\n', at, 'latin1') === at + got - 4) {
      const head = parseTrackerHead(input.toString('latin1', at, at + got - 4));
      if (head !== null && !head.keepAlive) {
        const body = head.path === '/announce' ? answerAnnounce(head.query, ip, head.xff, deps) : answerScrape(head.query, deps, ip, head.xff);
        if (!(body instanceof Promise)) return finish(fd, key, replyBytes(body, false));
        replying.add(fd);
        void body.then((b) => {
          // closed by closeAll meanwhile: the number may be another file's by now
          if (replying.delete(fd)) finish(fd, key, replyBytes(b, false));
          else release(key);
          checkDrained();
        });
        return;
      }
    }
    handOver(fd, key, Buffer.from(input.subarray(at, at + got)));
  };

  const onBatch = (n: number): void => {
    const now = performance.now();
    for (let i = 0; i < n; i++) {
      const m = i * META;
      const fd = meta.readInt32LE(m);
      const got = meta.readInt32LE(m + 4);
      let ip: string, key: string | null;
      if (meta[m + 11] === 1) {
        const w = waiting.get(fd);
        if (w === undefined) {
          native.closeFd(fd); // closed by the sweep meanwhile: cannot happen, the set drops closed fds
          continue;
        }
        waiting.delete(fd);
        ip = w.ip;
        key = w.key;
      } else {
        ip = meta[m + 10] === 4 ? ipv4Text(meta.readUInt32BE(m + 12)) : ipv6Text(meta, m + 12);
        const admitted = limit === undefined ? null : limit.admitAddress(ip);
        if (admitted === false) {
          finish(fd, null, REFUSAL);
          continue;
        }
        key = admitted;
      }
      if (got > 0) serve(fd, got, ip, key, i * SLOT);
      else if (got === -1 && !closed && native.wait(handle, fd)) {
        waiting.set(fd, { ip, key, since: now });
        if (sweep === undefined) sweep = setInterval(sweepWaiting, Math.min(WAIT_SWEEP_MS, idleMs / 2)).unref();
      } else {
        native.closeFd(fd);
        release(key);
      }
    }
    if (waiting.size === 0) checkDrained();
  };

  const dropWaiting = (fd: number, w: Waiting): void => {
    waiting.delete(fd);
    native.closeFd(fd);
    release(w.key);
  };

  const sweepWaiting = (): void => {
    const now = performance.now();
    for (const [fd, w] of waiting) if (now - w.since > idleMs) dropWaiting(fd, w);
    if (waiting.size === 0) {
      clearInterval(sweep);
      sweep = undefined;
      checkDrained();
    }
  };

  native.start(handle, input, meta, onBatch);
  // Node's http server tracks its connections (headersTimeout, closeIdleConnections) from 'listening' on
  server.emit('listening');
  return {
    port: bound,
    address: () => ({ address, family, port: bound }),
    counts: () => {
      const [accepted, waited, paused] = native.counts(handle);
      return { accepted, waited, paused, waiting: waiting.size, ...counts };
    },
    close() {
      if (!closed) {
        closed = true;
        native.close(handle);
        for (const [fd, w] of waiting) dropWaiting(fd, w);
        clearInterval(sweep);
        sweep = undefined;
      }
      return new Promise<void>((resolve) => {
        drained = resolve;
        checkDrained();
      });
    },
    closeAll() {
      for (const fd of replying) native.closeFd(fd);
      replying.clear();
      for (const s of sockets) s.destroy();
      checkDrained();
    },
  };
}

function listenError(e: unknown, host: string, port: number): Error {
  const code = (e as { code?: string }).code ?? 'ETCPACCEPT';
  const err = new Error(`listen ${code}: address ${code === 'EADDRINUSE' ? 'already in use ' : ''}${host}:${port}`) as Error & { code: string };
  err.code = code;
  return err;
}
