// The GraphQL delivery: Apollo Server on POST/GET /graphql (JSON or multipart uploads, CSRF
// prevention on) and graphql-ws subscriptions on the same path, fed by the catalog and tracker.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { specifiedRules, validate } from 'graphql';
import type { Logger } from 'pino';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { getTorrent } from '../services/torrent-catalog.js';
import { buildContext, type GraphQLContext, type GraphQLDeps } from './context.js';
import { operationRules, PARSE_OPTIONS } from './operation-limits.js';
import { formatError } from './errors.js';
import { ownerNames, toTorrent } from './mappers.js';
import { MultipartError, parseMultipart, type MultipartRequest } from './multipart.js';
import { createEventBus, SWARM_UPDATED, SWARM_UPDATED_ALL, SwarmUpdates, SwarmWatchers, TORRENT_ADDED, TORRENT_REMOVED } from './pubsub.js';
import { buildGraphQLSchema } from './schema.js';

const MAX_JSON_BODY = 1024 * 1024;

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

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > MAX_JSON_BODY) {
        reject(new MultipartError(413, 'request body too large'));
        req.destroy();
      } else parts.push(c);
    });
    req.on('end', () => {
      const text = Buffer.concat(parts).toString('utf8');
      if (!/json/i.test(req.headers['content-type'] ?? '')) return resolve(text);
      try {
        resolve(text === '' ? {} : JSON.parse(text));
      } catch {
        reject(new MultipartError(400, 'request body is not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}

function sendError(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST' } }] });
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
  res.end(body);
}

/** Builds schema, Apollo and the WebSocket server around `deps` (deps.pubSub is set here). */
export async function startGraphQL(base: Omit<GraphQLDeps, 'pubSub' | 'watchers'>, clientIp: (req: IncomingMessage) => string, log: Logger): Promise<GraphQLServer> {
  const bus = createEventBus();
  const watchers = new SwarmWatchers();
  const deps: GraphQLDeps = { ...base, pubSub: bus, watchers };
  const schema = await buildGraphQLSchema(bus);
  const apollo = new ApolloServer<GraphQLContext>({
    schema, formatError: formatError(log), includeStacktraceInErrorResponses: false, validationRules: operationRules(), parseOptions: PARSE_OPTIONS,
    csrfPrevention: true,
    stopOnTerminationSignals: false, // main.ts owns shutdown (Apollo would re-raise the signal)
  });
  await apollo.start();
  const updates = new SwarmUpdates(deps.store, (u) => {
    bus.publish(SWARM_UPDATED, u.infoHash, u);
    bus.publish(SWARM_UPDATED_ALL, u);
  }, watchers);

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const ws = useServer({
    schema,
    context: (ctx) => buildContext(deps, ctx.connectionParams?.authorization, (ctx.extra.request as IncomingMessage & { ip?: string }).ip ?? ''),
    validate: (sch, doc) => validate(sch, doc, [...specifiedRules, ...operationRules()]),
  }, wss);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let multipart: MultipartRequest | null = null;
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
      const headers = new HeaderMap();
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
      const ip = clientIp(req);
      const result = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: q === -1 ? '' : url.slice(q), body },
        context: () => buildContext(deps, req.headers.authorization, ip),
      });
      res.statusCode = result.status ?? 200;
      for (const [k, v] of result.headers) res.setHeader(k, v);
      // an upload answered before its body was read (refused, failed): close rather than drain it
      if (multipart !== null && !req.complete) res.setHeader('Connection', 'close');
      if (result.body.kind === 'complete') res.end(result.body.string);
      else {
        for await (const chunk of result.body.asyncIterator) res.write(chunk);
        res.end();
      }
      if (multipart !== null && !req.complete) res.on('finish', () => req.socket.destroy());
    } catch (e) {
      if (e instanceof MultipartError) return sendError(res, e.status, e.message);
      log.error({ err: e }, 'graphql request failed');
      if (!res.headersSent) sendError(res, 500, 'internal error');
      else res.destroy();
    }
  };

  return {
    handle: (req, res) => void handle(req, res),
    handleUpgrade(req, socket, head) {
      const ip = clientIp(req);
      wss.handleUpgrade(req, socket, head, (client) => wss.emit('connection', client, Object.assign(req, { ip })));
    },
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
    clients: () => wss.clients.size,
    swarmWatchers: () => watchers.size,
    async stop() {
      updates.close();
      for (const c of wss.clients) c.close(1001, 'server shutting down');
      await ws.dispose();
      await apollo.stop();
    },
  };
}
