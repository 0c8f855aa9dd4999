// A raw-socket fast path for /announce and /scrape on the one HTTP server: connections are read
// here first; plain tracker GETs are answered straight from the bytes (one write per reply, no
// IncomingMessage/ServerResponse), and the first request that is anything else hands the
// connection, with its unread bytes, to Node's http server for the rest of its life.
import type http from 'node:http';
import type { Socket } from 'node:net';
import { encodeFailure } from '../tracker/replies.js';
import { parseTrackerHead } from './request-head.js';
import { answerAnnounce, answerScrape, type TrackerRouteDeps } from './tracker-answers.js';

/** Longest request head read here; longer ones get a failure and a close. */
const MAX_HEAD_BYTES = 16 * 1024;
const HEADS_TIMEOUT_MS = 20_000;
const IDLE_TIMEOUT_MS = 30_000;
const CRLFCRLF = Buffer.from('\r\n\r\n');
const TOO_LONG = encodeFailure('request too long');

export interface FastPath {
  /** From now on replies close their connection; ends the idle ones at once. */
  closeIdle(): void;
  /** Destroys every connection still owned by the fast path. */
  closeAll(): void;
}

function reply(socket: Socket, body: Buffer, keepAlive: boolean): void {
  const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ' + body.length +
    (keepAlive ? '\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n' : '\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n');
  const out = Buffer.allocUnsafe(head.length + body.length);
  out.write(head, 0, 'latin1');
  body.copy(out, head.length);
  if (keepAlive) socket.write(out);
  else socket.end(out);
}

/** Puts the fast path in front of `server`'s own connection handling. */
export function installTrackerFastPath(server: http.Server, deps: TrackerRouteDeps): FastPath {
  const httpConnection = server.listeners('connection')[0] as (socket: Socket) => void;
  server.removeListener('connection', httpConnection);
  const owned = new Set<Socket>();
  const idle = new Set<Socket>();
  let closing = false;

  server.on('connection', (socket: Socket) => {
    let pending: Buffer | null = null;
    let headStarted = 0;
    let busy = false;
    let halfClosed = false; // the client half-closed while a reply was pending

    const handOver = (rest: Buffer): void => {
      socket.pause();
      socket.removeListener('data', onData);
      socket.removeListener('timeout', onTimeout);
      socket.removeListener('end', onEnd);
      socket.setTimeout(0);
      idle.delete(socket);
      owned.delete(socket);
      if (rest.length > 0) socket.unshift(rest);
      httpConnection.call(server, socket);
      process.nextTick(() => socket.resume());
    };

    const drain = (buf: Buffer): void => {
      let off = 0;
      while (off < buf.length) {
        const end = buf.indexOf(CRLFCRLF, off);
        if (end === -1) {
          if (buf.length - off > MAX_HEAD_BYTES) {
            reply(socket, TOO_LONG, false);
            return;
          }
          if (headStarted === 0) headStarted = Date.now();
          else if (Date.now() - headStarted > HEADS_TIMEOUT_MS) {
            socket.destroy();
            return;
          }
          pending = off === 0 ? buf : buf.subarray(off);
          idle.delete(socket);
          return;
        }
        headStarted = 0;
        if (end - off > MAX_HEAD_BYTES) {
          reply(socket, TOO_LONG, false);
          return;
        }
        const head = parseTrackerHead(buf.toString('latin1', off, end));
        if (head === null) {
          handOver(buf.subarray(off));
          return;
        }
        off = end + 4;
        const body = head.path === '/announce'
          ? answerAnnounce(head.query, socket.remoteAddress, head.xff, deps)
          : answerScrape(head.query, deps);
        const keepAlive = head.keepAlive && !closing && !halfClosed;
        if (body instanceof Promise) {
          // an async store: answer in order, and read no further until this reply is written
          busy = true;
          pending = off < buf.length ? buf.subarray(off) : null;
          void body.then((b) => {
            busy = false;
            if (socket.destroyed) return;
            reply(socket, b, keepAlive && !halfClosed);
            if (!keepAlive || halfClosed) return;
            const rest = pending;
            pending = null;
            if (rest !== null) drain(rest);
            else idle.add(socket);
          });
          return;
        }
        reply(socket, body, keepAlive);
        if (!keepAlive) return;
      }
      if (!busy) idle.add(socket);
    };

    function onData(chunk: Buffer): void {
      if (pending !== null) {
        chunk = Buffer.concat([pending, chunk]);
        pending = null;
      }
      if (!busy) drain(chunk);
      else if (chunk.length > MAX_HEAD_BYTES * 4) socket.destroy(); // pipelining far ahead of a slow reply
      else pending = chunk;
    }
    function onTimeout(): void {
      socket.destroy();
    }
    // http.Server sockets allow half-open connections: answer what is in flight, then close our side.
    function onEnd(): void {
      if (busy) halfClosed = true;
      else if (!socket.writableEnded) socket.end();
    }

    socket.on('data', onData);
    socket.on('timeout', onTimeout);
    socket.on('end', onEnd);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      idle.delete(socket);
      owned.delete(socket);
    });
    socket.setTimeout(IDLE_TIMEOUT_MS);
    owned.add(socket);
  });

  return {
    closeIdle() {
      closing = true;
      for (const s of idle) s.end();
      idle.clear();
    },
    closeAll() {
      for (const s of owned) s.destroy();
      owned.clear();
      idle.clear();
    },
  };
}
