// The GraphQL delivery: Apollo Server on POST/GET /graphql (JSON or multipart uploads, CSRF
// prevention on) and graphql-ws subscriptions on the same path, fed by the catalog and tracker.
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { Logger } from 'pino';
import { getTorrent } from '../services/torrent-catalog.js';
import { Admission, type Turn } from './admission.js';
import { buildContext, type GraphQLContext, type GraphQLDeps } from './context.js';
import { operationRules, PARSE_OPTIONS } from './operation-limits.js';
import { formatError } from './errors.js';
import { costLimitPlugin } from './cost-limit.plugin.js';
import { ownerNames, toTorrent } from './mappers.js';
import { MultipartError, parseMultipart, type MultipartRequest } from './multipart.js';
import { createEventBus, SWARM_UPDATED, SWARM_UPDATED_ALL, SwarmUpdates, SwarmWatchers, TORRENT_ADDED, TORRENT_REMOVED } from './pubsub.js';
import { buildGraphQLSchema } from './schema.js';
import { startWsServer } from './ws-server.js';

/** Bytes of a JSON request body; larger ones are answered 413 (PAYLOAD_TOO_LARGE). */
export const MAX_JSON_BODY = 1024 * 1024;
/** How long a refused request's connection keeps reading (and dropping) its body before it is closed. */
export const REFUSED_LINGER_MS = 2000;

export interface GraphQLServer {
  /** Serves a /graphql HTTP request. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Takes a WebSocket upgrade for /graphql (graphql-ws). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** For TrackerContext.onSwarmChange. */
  swarmChanged(infoHash: string): void;
  torrentAdded(infoHash: string): void;
  torrentRemoved(infoHash: string): void;
  /** Live WebSocket clients. */
  clients(): number;
  /** Live swarmUpdated subscriptions. */
  swarmWatchers(): number;
  stop(): Promise<void>;
}

/** Reads a JSON (or text) body of at most MAX_JSON_BODY; over it, refuses with 413 and stops collecting. */
function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_JSON_BODY) return reject(new MultipartError(413, 'request body too large'));
    const parts: Buffer[] = [];
    let n = 0;
    const onData = (c: Buffer): void => {
      n += c.length;
      if (n <= MAX_JSON_BODY) return void parts.push(c);
      req.off('data', onData).off('end', onEnd);
      parts.length = 0;
      reject(new MultipartError(413, 'request body too large'));
    };
    const onEnd = (): void => {
      const text = Buffer.concat(parts).toString('utf8');
      if (!/json/i.test(req.headers['content-type'] ?? '')) return resolve(text);
      try {
        resolve(text === '' ? {} : JSON.parse(text));
      } catch {
        reject(new MultipartError(400, 'request body is not valid JSON'));
      }
    };
    req.on('data', onData).on('end', onEnd).on('error', reject);
  });
}

const errorBody = (status: number, message: string): string =>
  JSON.stringify({ errors: [{ message, extensions: { code: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST' } }] });

const BUSY = JSON.stringify({ errors: [{ message: 'too many requests in progress from this address; retry in a second', extensions: { code: 'RATE_LIMITED' } }] });

/** 429 for a request over the admission limits (admission.ts); the connection stays usable. */
function sendBusy(res: ServerResponse): void {
  res.writeHead(429, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(BUSY), 'Retry-After': '1' });
  res.end(BUSY);
}

function sendError(res: ServerResponse, status: number, message: string): void {
  const body = errorBody(status, message);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
  res.end(body);
}

/**
 * Answers a request whose body is still arriving, then closes its connection without a reset.
 * Node ends a `Connection: close` reply by closing the socket at once, and closing with the
 * client's unread bytes queued makes the kernel send a reset, which can discard the reply before
 * the client reads it (a browser then reports a network error instead of the refusal). So the
 * reply is written here, the socket half-closed, and what the client still sends is read and
 * dropped until it closes, or for REFUSED_LINGER_MS at most.
 */
function replyUnread(req: IncomingMessage, status: number, headers: Iterable<[string, string]>, body: string): void {
  const socket = req.socket;
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n`;
  for (const [k, v] of headers) if (!/^(content-length|connection|transfer-encoding)$/i.test(k)) head += `${k}: ${v}\r\n`;
  socket.end(`${head}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  req.unpipe(); // an upload's parser reads no further
  req.resume();
  const timer = setTimeout(() => socket.destroy(), REFUSED_LINGER_MS);
  socket.once('close', () => clearTimeout(timer));
}

const refuseUnread = (req: IncomingMessage, status: number, message: string): void =>
  replyUnread(req, status, [['Content-Type', 'application/json']], errorBody(status, message));

/** Builds schema, Apollo and the WebSocket server around `deps` (deps.pubSub is set here). */
export async function startGraphQL(base: Omit<GraphQLDeps, 'pubSub' | 'watchers'>, clientIp: (req: IncomingMessage) => string, log: Logger): Promise<GraphQLServer> {
  const bus = createEventBus();
  const watchers = new SwarmWatchers();
  const deps: GraphQLDeps = { ...base, pubSub: bus, watchers };
  const schema = await buildGraphQLSchema(bus);
  const apollo = new ApolloServer<GraphQLContext>({
    schema, formatError: formatError(log), includeStacktraceInErrorResponses: false, validationRules: operationRules(), parseOptions: PARSE_OPTIONS,
    // no cache hints are used: without the plugin Apollo does not wrap every field's resolver
    plugins: [costLimitPlugin<GraphQLContext>(), ApolloServerPluginCacheControlDisabled()],
    // Automatic persisted queries off: the UI does not use them, their cache is memory any client
    // fills, and a request carrying one is answered PERSISTED_QUERY_NOT_SUPPORTED (400).
    persistedQueries: false,
    csrfPrevention: true,
    stopOnTerminationSignals: false, // main.ts owns shutdown (Apollo would re-raise the signal)
  });
  await apollo.start();
  const updates = new SwarmUpdates(deps.store, (u) => {
    bus.publish(SWARM_UPDATED, u.infoHash, u);
    bus.publish(SWARM_UPDATED_ALL, u);
  }, watchers);

  const admission = new Admission();
  const ws = startWsServer(schema, (authorization, ip) => buildContext(deps, authorization, ip), admission, log);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let multipart: MultipartRequest | null = null;
    let turn: Turn | undefined;
    try {
      const url = req.url ?? '/graphql';
      const q = url.indexOf('?');
      let body: unknown;
      if (req.method === 'POST') {
        if (/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) {
          multipart = await parseMultipart(req, deps.maxTorrentFiles + 1); // the torrent's files, or one .torrent
          body = multipart.operations;
        } else body = await readJson(req);
      }
      const ip = clientIp(req);
      // uploads stream for as long as the client sends: they take no turn (their work is hashing off the loop)
      const waiting = multipart === null ? admission.enter(ip) : undefined;
      if (waiting === null) return sendBusy(res);
      turn = await waiting;
      const headers = new HeaderMap();
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
      const result = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: q === -1 ? '' : url.slice(q), body },
        context: () => buildContext(deps, req.headers.authorization, ip),
      });
      // an upload answered before its body was read (refused, failed): reply so that the client
      // can read it, and close rather than drain the body
      if (multipart !== null && !req.complete && result.body.kind === 'complete') return replyUnread(req, result.status ?? 200, result.headers, result.body.string);
      res.statusCode = result.status ?? 200;
      for (const [k, v] of result.headers) res.setHeader(k, v);
      if (result.body.kind === 'complete') res.end(result.body.string);
      else {
        for await (const chunk of result.body.asyncIterator) res.write(chunk);
        res.end();
      }
    } catch (e) {
      if (e instanceof MultipartError && multipart === null && !req.complete) return refuseUnread(req, e.status, e.message);
      if (e instanceof MultipartError) return sendError(res, e.status, e.message);
      log.error({ err: e }, 'graphql request failed');
      if (!res.headersSent) sendError(res, 500, 'internal error');
      else res.destroy();
    } finally {
      turn?.done();
    }
  };

  return {
    handle: (req, res) => void handle(req, res),
    handleUpgrade: (req, socket, head) => ws.handleUpgrade(req, socket, head, clientIp(req)),
    swarmChanged: (h) => updates.changed(h),
    torrentAdded(h) {
      void getTorrent(deps.ds, h).then(async (t) => {
        if (t === null) return;
        const [[c], owners] = await Promise.all([deps.store.scrape([h]), ownerNames(deps.ds, [t.ownerId])]);
        bus.publish(TORRENT_ADDED, toTorrent(t, c, owners, deps));
      }).catch((err) => log.warn({ err }, 'torrentAdded event failed'));
    },
    torrentRemoved(h) {
      updates.forget(h);
      bus.publish(TORRENT_REMOVED, { infoHash: h });
    },
    clients: () => ws.clients(),
    swarmWatchers: () => watchers.size,
    async stop() {
      updates.close();
      await ws.stop();
      await apollo.stop();
    },
  };
}
