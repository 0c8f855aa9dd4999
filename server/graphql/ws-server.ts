// graphql-ws (graphql-transport-ws protocol) on the /graphql upgrade, with every socket bounded:
// sockets per client address and in all, message size and rate, operations at once, idle time,
// and a ping/pong keepalive that drops dead peers. Operations are checked as over HTTP (ws-operation).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { execute, GraphQLError, type GraphQLSchema } from 'graphql';
import { CloseCode, handleProtocols, makeServer } from 'graphql-ws';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { UpgradeCounts } from '../http/upgrade-counts.js';
import type { Admission } from './admission.js';
import { formatResult, prepareOperation, wsErrorFormatter, type WsPayload } from './ws-operation.js';

/** Largest WebSocket message; a larger one closes the socket with 1009 (ws does it before buffering more). */
export const WS_MAX_MESSAGE_BYTES = 64 * 1024;
/** Operations (subscriptions, or queries in flight) one socket may run at once; more are refused. */
export const WS_SUBSCRIPTIONS_PER_SOCKET = 20;
/** Messages (ping frames included) a socket may send at once, refilled at WS_MESSAGES_PER_SECOND. */
export const WS_MESSAGE_BURST = 100;
export const WS_MESSAGES_PER_SECOND = 20;
/** A socket over the message rate is closed with this code (policy violation). */
export const WS_CLOSE_FLOOD = 1008;
/** An initialised socket with no operation for this long is closed (1000, 'idle'). */
export const WS_IDLE_MS = 60_000;
/** Time from the handshake to connection_init before graphql-ws closes the socket (4408). */
export const WS_INIT_TIMEOUT_MS = 3_000;
/** Ping interval; a socket that has not answered the previous ping by the next one is dropped. */
export const WS_KEEPALIVE_MS = 15_000;
/** A socket told to close that has not finished the close handshake by then is cut. */
export const WS_CLOSE_GRACE_MS = 1_000;
/** WebSocket sockets per client address (IPv6: per /64); more are refused with HTTP 429 before the handshake. */
export const WS_SOCKETS_PER_ADDRESS = 16;
/** WebSocket sockets in all; more are refused with HTTP 503 before the handshake. */
export const WS_MAX_SOCKETS = 1024;

let idleMs = WS_IDLE_MS;
/** Shortens the idle time for sockets opened from now on (tests). */
export function setWsIdleTimeout(ms: number): void {
  idleMs = ms;
}

export interface WsServer {
  /** Takes an upgrade of /graphql from `ip` (already resolved through TRUSTED_PROXIES), or refuses it. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ip: string): void;
  /** Open WebSocket clients. */
  clients(): number;
  /** Closes every socket (1001) and refuses new ones. */
  stop(): Promise<void>;
}

/** One socket's state: its message budget, the operations it runs, and its idle timer. */
class Connection {
  readonly live = new Set<string>();
  alive = true;
  closing = false;
  private tokens = WS_MESSAGE_BURST;
  private at = Date.now();
  private idle: NodeJS.Timeout | undefined;

  constructor(readonly ws: WebSocket, readonly ip: string, private readonly idleMs: number) {}

  /** Spends one message of the budget; false when the socket is over the rate. */
  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(WS_MESSAGE_BURST, this.tokens + ((now - this.at) * WS_MESSAGES_PER_SECOND) / 1000);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  started(id: string): void {
    this.live.add(id);
    clearTimeout(this.idle);
    this.idle = undefined;
  }

  ended(id: string): void {
    if (this.live.delete(id) && this.live.size === 0) this.waitIdle();
  }

  /** (Re)starts the idle timer; called at the ack and whenever the last operation ends. */
  waitIdle(): void {
    if (this.closing) return;
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.shut(1000, 'idle'), this.idleMs);
    this.idle.unref();
  }

  /** Closes once, ignores what the peer sends afterwards, and cuts the socket if it does not answer. */
  shut(code: number, reason: string): void {
    if (this.closing) return;
    this.dispose();
    if (code === WS_CLOSE_FLOOD) this.ws.pause(); // read nothing more of a flooding peer; it is cut after the grace time
    this.ws.close(code, reason);
    setTimeout(() => this.ws.terminate(), WS_CLOSE_GRACE_MS).unref();
  }

  dispose(): void {
    this.closing = true;
    clearTimeout(this.idle);
  }
}

function refuse(socket: Duplex, status: 429 | 503, text: string): void {
  const body = `${text}\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${status === 429 ? 'Too Many Requests' : 'Service Unavailable'}\r\nConnection: close\r\n`
    + `Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nRetry-After: 10\r\n\r\n${body}`);
}

/** Serves graphql-ws over `schema`; `context` builds each operation's context from connectionParams.authorization. */
export function startWsServer(schema: GraphQLSchema, context: (authorization: unknown, ip: string) => Promise<object>, admission: Admission, log: Logger): WsServer {
  const format = wsErrorFormatter(log);
  // allowSynchronousEvents off: ws emits one message per socket per loop turn instead of every
  // frame of a read at once, so a socket that pipelines thousands of frames cannot hold the loop
  // (50,000 subscribes in one write held announces 101 ms); the receiver's buffer then fills and
  // ws stops reading the socket (backpressure) until the frames are taken.
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_MESSAGE_BYTES, perMessageDeflate: false, handleProtocols, allowSynchronousEvents: false });
  const conns = new Set<Connection>();
  const counts = new UpgradeCounts();
  let stopping = false;

  const gql = makeServer<Record<string, unknown> | undefined, Connection>({
    schema,
    connectionInitWaitTimeout: WS_INIT_TIMEOUT_MS,
    onConnect: (ctx) => void ctx.extra.waitIdle(),
    onSubscribe: async (ctx, id, payload: WsPayload) => {
      const conn = ctx.extra;
      // first and O(1): a socket replaying subscribes past its cap costs a JSON parse and this check
      if (conn.live.size >= WS_SUBSCRIPTIONS_PER_SOCKET) {
        return [new GraphQLError(`at most ${WS_SUBSCRIPTIONS_PER_SOCKET} operations at once on one connection`, { extensions: { code: 'RATE_LIMITED' } })];
      }
      const document = prepareOperation(schema, payload);
      if (Array.isArray(document)) return document;
      conn.started(id);
      try {
        const contextValue = await context(ctx.connectionParams?.authorization, conn.ip);
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
      } catch (err) {
        conn.ended(id);
        return [new GraphQLError('context failed', { originalError: err instanceof Error ? err : new Error(String(err)) })];
      }
    },
    // queries and mutations take turns with HTTP's (admission.ts); subscriptions only wait for events
    execute: async (args) => {
      const waiting = admission.enter((args.contextValue as { ip: string }).ip);
      if (waiting === null) return { errors: [new GraphQLError('too many requests in progress from this address; retry in a second', { extensions: { code: 'RATE_LIMITED' } })] };
      const turn = await waiting;
      try {
        return await execute(args);
      } finally {
        turn.done();
      }
    },
    onNext: (_ctx, _id, _payload, _args, result) => formatResult(format, result),
    onError: (_ctx, _id, _payload, errors) => errors.map(format),
    onComplete: (ctx, id) => ctx.extra.ended(id),
  });

  const open = (ws: WebSocket, ip: string): void => {
    const conn = new Connection(ws, ip, idleMs);
    conns.add(conn);
    let receive: ((data: string) => Promise<void>) | undefined;
    const closed = gql.opened({
      protocol: ws.protocol,
      send: (data) => new Promise((resolve) => {
        if (ws.readyState !== ws.OPEN) return resolve();
        ws.send(data, () => resolve()); // a failed send ends in 'close', which cleans up
      }),
      close: (code = 1000, reason = '') => conn.shut(code, reason),
      onMessage: (cb) => { receive = cb; },
    }, conn);
    ws.on('message', (data) => {
      if (conn.closing) return;
      if (!conn.take()) return conn.shut(WS_CLOSE_FLOOD, 'too many messages');
      conn.alive = true;
      receive?.(String(data)).catch((err: unknown) => {
        // graphql-ws throws this for a server-to-client type sent by the client: a client mistake
        if (err instanceof Error && err.message.startsWith('Unexpected message of type')) return conn.shut(CloseCode.BadRequest, 'unexpected message');
        log.error({ err }, 'graphql-ws message failed');
        conn.shut(CloseCode.InternalServerError, 'internal error');
      });
    });
    ws.on('ping', () => { if (!conn.closing && !conn.take()) conn.shut(WS_CLOSE_FLOOD, 'too many messages'); });
    ws.on('pong', () => { conn.alive = true; });
    // ws closes the socket itself on a protocol error (1009 for an over-size message, 1002...)
    ws.on('error', (err) => log.debug({ err: err.message, ip }, 'graphql-ws socket error'));
    ws.once('close', (code, reason) => {
      conn.dispose();
      conns.delete(conn);
      void closed(code, reason.toString());
    });
  };

  const keepalive = setInterval(() => {
    for (const c of conns) {
      if (!c.alive) c.ws.terminate();
      else {
        c.alive = false;
        c.ws.ping();
      }
    }
  }, WS_KEEPALIVE_MS);
  keepalive.unref();

  return {
    handleUpgrade(req, socket, head, ip) {
      if (socket.destroyed) return;
      if (stopping || counts.size >= WS_MAX_SOCKETS) return refuse(socket, 503, stopping ? 'server shutting down' : 'too many WebSocket connections');
      if (counts.of(ip) >= WS_SOCKETS_PER_ADDRESS) return refuse(socket, 429, `at most ${WS_SOCKETS_PER_ADDRESS} WebSocket connections per address`);
      counts.hold(ip, socket);
      wss.handleUpgrade(req, socket, head, (ws) => open(ws, ip));
    },
    clients: () => wss.clients.size,
    async stop() {
      stopping = true;
      clearInterval(keepalive);
      for (const c of conns) c.shut(1001, 'server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
