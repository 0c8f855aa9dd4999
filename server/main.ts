// Wires everything: config -> database -> registry + swarm store -> HTTP server (and its metrics), plus the
// periodic jobs (expiry sweep, completed flush, registry sync) and graceful shutdown.
import 'reflect-metadata';
import cluster from 'node:cluster';
import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { ConfigError, loadConfig, type Config } from './config.js';
import { loadEnvFile } from './env-file.js';
import { openDatabase } from './db/data-source.js';
import { startGraphQL, type GraphQLServer } from './graphql/graphql-server.js';
import { resolveClientIp } from './http/client-ip.js';
import { ConnectionLimit } from './http/connection-limit.js';
import { contentRoutes } from './http/content.routes.js';
import { metricsCollector } from './http/cluster-metrics.js';
import { createHttpServer } from './http/create-server.js';
import { listenHttp, type HttpListener } from './http/listen.js';
import { Unreachable } from './http/health.route.js';
import { createMetricsRegistry } from './http/metrics-registry.js';
import { metricsRoute } from './http/metrics.route.js';
import { WebseedBuffers } from './http/webseed-buffers.js';
import { WebseedStats } from './http/webseed.route.js';
import { openBackend } from './backend.js';
import { runPrimary } from './cluster.js';
import { createLogger } from './logger.js';
import { logStartupNotes } from './startup-notes.js';
import { HostedFiles } from './services/hosted-files.js';
import { PublishStats } from './services/publish-stats.js';
import { registryEvents, RegistrySync } from './services/registry-sync.js';
import { SwarmHistory } from './services/swarm-history.js';
import { ensureAdmin } from './services/users.js';
import type { FileStore } from './storage/file-store.js';
import { LocalFileStore } from './storage/local-file-store.js';
import { AnnounceRate } from './tracker/announce-rate.js';
import { CompletedTally } from './tracker/completed-tally.js';
import { FullScrape } from './tracker/full-scrape.js';
import type { PeerStore } from './tracker/peer-store.js';
import type { TrackerContext } from './tracker/tracker-context.js';
import { TrackerStats } from './tracker/tracker-stats.js';
import type { CatalogEvents } from './services/catalog-events.js';
import { udpSecret } from './services/udp-secret.js';
import { ConnectionIds } from './udp/connection-ids.js';
import { UdpStats } from './udp/udp-answers.js';
import { batchAddonError } from './udp/udp-batch-socket.js';
import { startUdpTracker, type UdpTracker } from './udp/udp-tracker.js';
import { isWsTrackerUpgrade, startWsTracker, type WsTracker } from './ws-tracker/ws-tracker.js';

export interface RunningServer {
  port: number;
  /** The UDP tracker's bound port; null with UDP_PORT=off. */
  udpPort: number | null;
  /** How the UDP tracker reads and sends: 'batch' (the native addon) or 'dgram'; null with UDP_PORT=off. */
  udpIo: 'batch' | 'dgram' | null;
  /** How the HTTP port accepts: 'native' (the accept addon's loop) or 'node'. */
  httpIo: 'native' | 'node';
  ds: DataSource;
  store: PeerStore;
  files: FileStore;
  /** Catalog events of this process (what services must be given to update it at once). */
  events: CatalogEvents;
  registered: ReadonlySet<string>;
  tracker: TrackerContext;
  wsTracker: WsTracker;
  /** Per-minute swarm samples (tests call `sample` to take one at once). */
  history: SwarmHistory;
  /** Open TCP connections per client address (MAX_CONNECTIONS_PER_ADDRESS). */
  connections: ConnectionLimit;
  graphql: GraphQLServer;
  /** Stops accepting, finishes in-flight requests, flushes counters, closes the database. */
  close(): Promise<void>;
}

/** Starts a seedhost server for `config`; resolves once it listens. */
export async function startServer(config: Config, log: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  const ds = await openDatabase(config.databaseUrl);
  if (await ensureAdmin(ds, config.admin)) log.info({ username: config.admin?.username }, 'created admin user');

  const files = new LocalFileStore(config.dataDir, { directIo: config.directIo });
  const stale = await files.clearStaging();
  if (stale > 0) log.warn({ stale }, 'removed unfinished uploads left by an earlier run');
  let sync: RegistrySync | undefined;
  let gql: GraphQLServer | undefined;
  const backend = await openBackend(config, log, (e) => {
    if (e.kind === 'registry') sync?.refreshSoon();
    else for (const h of e.infoHashes) gql?.swarmChanged(h);
  }, () => {
    sync?.reseedCompleted(store).catch((err) => log.warn({ err }, 'could not give completed counts back to redis'));
  });
  const { store, bus } = backend;
  const registered = new Set<string>();
  // a hybrid's v2 announce hash -> its infoHash (docs/v2-torrents.md)
  const v2Aliases = new Map<string, string>();
  const completed = new CompletedTally();
  const hosted = new HostedFiles(ds, files);
  const history = new SwarmHistory(store, registered, backend.history, (err) => log.warn({ err }, 'swarm history sample failed'));
  const tracked = registryEvents(registered, store, (err) => log.warn({ err }, 'swarm store update failed'), v2Aliases);
  // what this process learns, from its own services or from the database
  const applied: CatalogEvents = {
    torrentAdded: (h, c, v2) => {
      tracked.torrentAdded(h, c, v2);
      gql?.torrentAdded(h);
    },
    torrentRemoved: (h) => {
      tracked.torrentRemoved(h);
      hosted.forget(h);
      history.log.forget(h).catch((err) => log.warn({ err }, 'could not forget swarm history'));
      gql?.torrentRemoved(h);
    },
  };
  // what this process's services report: applied here, then announced to the other instances
  const events: CatalogEvents = {
    torrentAdded: (h, c, v2) => {
      applied.torrentAdded(h, c, v2);
      bus?.registryChanged();
    },
    torrentRemoved: (h) => {
      applied.torrentRemoved(h);
      bus?.registryChanged();
    },
  };
  sync = new RegistrySync(ds, registered, applied, (err) => log.warn({ err }, 'registry sync failed'));
  await sync.refresh();
  sync.start(config.syncInterval);
  history.start();

  const announces = new AnnounceRate();
  const tracker: TrackerContext = {
    store, registered, v2Aliases, completed, announces, stats: new TrackerStats(),
    interval: config.announceInterval, minInterval: config.minAnnounceInterval,
    fullScrape: config.fullScrape
      ? new FullScrape(store, registered, { intervalSeconds: config.fullScrapeInterval, onError: (err) => log.warn({ err }, 'full scrape rebuild failed') })
      : undefined,
    onSwarmChange: bus === undefined ? (h) => gql?.swarmChanged(h) : (h) => {
      gql?.swarmChanged(h);
      bus.swarmChanged(h);
    },
  };
  const wsTracker: WsTracker = startWsTracker(tracker, log);
  const udpStats = new TrackerStats();
  const udpPackets = new UdpStats();
  const webseed = new WebseedStats();
  const webseedBuffers = new WebseedBuffers();
  const publishes = new PublishStats();
  const connections = new ConnectionLimit(config.maxConnectionsPerAddress, config.trustedProxies);
  gql = await startGraphQL(
    { ds, store, files, events, registered, v2Aliases, publicUrl: config.publicUrl, udpAnnounceUrl: config.publicUdpUrl, maxUploadBytes: config.maxUploadBytes, maxTorrentFiles: config.maxTorrentFiles, torrentFormat: config.torrentFormat, limiter: backend.limiter, announces, publishes, history },
    (req) => resolveClientIp(req, config.trustedProxies), log,
  );
  const graphql = gql;
  const content = contentRoutes({
    ds, hosted, files, log, stats: webseed, buffers: webseedBuffers, sendTimeoutMs: config.webseedSendTimeout * 1000,
    clientIp: (req) => resolveClientIp(req, config.trustedProxies),
  });
  let listener: HttpListener | undefined; // set once the port listens (the metrics read it later)
  const metrics = metricsRoute(!config.metrics ? null : {
    collect: metricsCollector(createMetricsRegistry({
      tracker: tracker.stats, store, registered, webseed, webseedBuffers, publishes,
      graphqlClients: () => graphql.clients(), swarmSubscriptions: () => graphql.swarmWatchers(),
      udp: config.udpPort === null ? undefined : { stats: udpStats, packets: udpPackets },
      ws: { stats: wsTracker.stats, sockets: () => wsTracker.sockets() },
      connectionsRefused: () => connections.refused,
      httpAccept: () => listener?.front?.counts(),
    })),
    token: config.metricsToken, log,
  });
  const sweep = setInterval(() => {
    backend.sweep(Date.now() - config.peerTimeout * 1000).then((dropped) => {
      if (dropped > 0) log.debug({ dropped }, 'expired peers');
    }, (err) => log.warn({ err }, 'peer expiry failed'));
  }, config.sweepInterval * 1000);
  sweep.unref();
  const flush = (): Promise<void> => backend.flushCompleted(ds, completed).catch((err) => log.error({ err }, 'completed flush failed'));
  const flusher = setInterval(() => void flush(), config.completedFlushInterval * 1000);
  flusher.unref();

  const { server, fastPath, ignoreUpgrade } = createHttpServer({
    tracker, trustedProxies: config.trustedProxies, log, metrics, fastPath: { connectionLimit: connections },
    fallback: (req, res) => (req.url === '/graphql' || req.url?.startsWith('/graphql?') ? graphql.handle(req, res) : content(req, res)),
    health: async () => {
      await ds.query('SELECT 1');
      await backend.ping().catch(() => {
        throw new Unreachable('redis');
      });
      return { torrents: registered.size };
    },
  });
  server.on('upgrade', (req, socket, head) => {
    if (req.url === '/graphql' || req.url?.startsWith('/graphql?')) graphql.handleUpgrade(req, socket, head);
    else if (isWsTrackerUpgrade(req)) wsTracker.handleUpgrade(req, socket, head, resolveClientIp(req, config.trustedProxies));
    else ignoreUpgrade(req, socket); // answered as a plain request, then closed
  });
  listener = await listenHttp(server, { port: config.port, host: config.host, accept: config.httpAccept, deps: { tracker, trustedProxies: config.trustedProxies, log }, fastPath, limit: connections });
  const http = listener;
  const port = http.port;
  let udp: UdpTracker | undefined;
  if (config.udpPort !== null) {
    const ids = new ConnectionIds(await udpSecret(ds, config.udpSecret));
    udp = await startUdpTracker(config.udpPort, config.host, { tracker, stats: udpStats, udp: udpPackets, ids, log }, config.udpBatch).catch((err: unknown) => {
      void http.close();
      throw new Error(`cannot listen on UDP port ${config.udpPort} (UDP_PORT): ${(err as Error).message}`);
    });
  }
  if (udp?.io === 'dgram' && config.udpBatch) log.info({ reason: batchAddonError() }, 'UDP tracker on Node dgram: the batch addon is not built (npm run build:native)');
  if (http.io === 'node' && config.httpAccept === 'native' && http.why !== undefined) log.info({ reason: http.why }, 'HTTP port on Node\'s accept (npm run build:native builds the accept addon)');
  log.info({ port, httpIo: http.io, udpPort: udp?.port ?? 'off', udpIo: udp?.io, host: config.host ?? '::', database: config.databaseUrl.split(':')[0], torrents: registered.size }, 'seedhost listening');
  if (!cluster.isWorker) await logStartupNotes(ds, config, log); // a cluster's primary says it once

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(sweep);
      clearInterval(flusher);
      history.stop();
      await udp?.close();
      await sync?.stop();
      await graphql.stop();
      await wsTracker.stop();
      const closed = http.close();
      const force = setTimeout(() => http.closeAll(), 8000);
      await closed;
      clearTimeout(force);
      await flush();
      await backend.close();
      await ds.destroy();
    })();
    return closing;
  };
  return { port, udpPort: udp?.port ?? null, udpIo: udp?.io ?? null, httpIo: http.io, ds, store, files, events, registered, tracker, history, connections, graphql, wsTracker, close };
}

async function main(): Promise<void> {
  await loadEnvFile();
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`seedhost: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const log = createLogger(config.logLevel);
  if (config.workers > 1 && cluster.isPrimary) return runPrimary(config, log);
  const running = await startServer(config, log);
  const stop = (signal: string): void => {
    log.info({ signal }, 'shutting down');
    const hard = setTimeout(() => process.exit(1), 9500);
    hard.unref();
    running.close().then(() => {
      log.info('stopped');
      process.exit(0);
    }, (err) => {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    process.stderr.write(`seedhost: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
