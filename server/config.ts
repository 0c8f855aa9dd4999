// One typed, validated configuration, read from the environment (and a .env file). A bad value
// stops the start with one line naming the variable.
import { BlockList, isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { SEND_TIMEOUT_MS } from './http/webseed-buffers.js';
import { passwordProblem } from './services/password-rules.js';
import { USERNAME_MAX_LENGTH, USERNAME_PATTERN } from './services/username.js';
import { TORRENT_FORMATS, type TorrentFormat } from './torrent/format.js';
import { FULL_SCRAPE_INTERVAL } from './tracker/full-scrape.js';
import { MAX_CONNECTIONS_PER_ADDRESS } from './http/connection-limit.js';
import { MAX_PEERS_PER_ADDRESS, MAX_PEERS_PER_ADDRESS_CEILING } from './tracker/peer-store.js';

const int = (min: number, max: number) =>
  z.string().trim().regex(/^\d+$/, `must be a whole number from ${min} to ${max}`).transform(Number)
    .refine((n) => n >= min && n <= max, `must be a whole number from ${min} to ${max}`);
const optionalText = z.string().trim().transform((s) => (s === '' ? undefined : s)).optional();

const onOff = z.string().trim().toLowerCase().pipe(z.enum(['on', 'off'], { message: 'must be on or off' }));

const schema = z.object({
  PORT: int(0, 65535).default('8080'),
  HOST: optionalText,
  PUBLIC_URL: optionalText.refine((s) => s === undefined || /^https?:\/\/[^/\s]+(\/\S*)?$/.test(s), 'must be an http(s) URL'),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  DATABASE_URL: optionalText.refine((s) => s === undefined || /^(sqlite:.+|mysql:\/\/.+|mariadb:\/\/.+)$/.test(s),
    'must be sqlite:<path> or mysql://user:pass@host:port/db'),
  REDIS_URL: optionalText.refine((s) => s === undefined || /^rediss?:\/\/.+/.test(s), 'must be a redis:// URL'),
  REDIS_CLUSTER_NODES: optionalText,
  ADMIN_USERNAME: optionalText,
  ADMIN_PASSWORD: optionalText,
  ANNOUNCE_INTERVAL: int(10, 86400).default('1800'),
  MIN_ANNOUNCE_INTERVAL: int(1, 86400).optional(),
  MAX_UPLOAD_BYTES: int(0, Number.MAX_SAFE_INTEGER).default('0'),
  MAX_TORRENT_FILES: int(1, 1_000_000).default('20000'),
  TRUSTED_PROXIES: optionalText,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PEER_TIMEOUT: int(1, 864000).optional(),
  SWEEP_INTERVAL: int(1, 3600).default('60'),
  SYNC_INTERVAL: int(1, 60).default('2'),
  COMPLETED_FLUSH_INTERVAL: int(1, 3600).default('10'),
  REDIS_PREFIX: z.string().trim().regex(/^[\w:.-]{1,64}$/, 'must be 1-64 letters, digits or _ : . -').default('seedhost:'),
  WORKERS: z.string().trim().regex(/^(auto|\d{1,3})$/, "must be 'auto' or a whole number from 1 to 256").default('1'),
  METRICS: onOff.default('on'),
  METRICS_TOKEN: optionalText,
  DIRECT_IO: onOff.default('on'),
  TORRENT_FORMAT: z.string().trim().toLowerCase().pipe(z.enum(TORRENT_FORMATS, { message: 'must be v1, v2 or hybrid' })).default('v1'),
  MAX_PEERS_PER_ADDRESS: int(1, MAX_PEERS_PER_ADDRESS_CEILING).default(String(MAX_PEERS_PER_ADDRESS)),
  MAX_CONNECTIONS_PER_ADDRESS: int(1, 1_000_000).default(String(MAX_CONNECTIONS_PER_ADDRESS)),
  WEBSEED_SEND_TIMEOUT: int(1, 3600).default(String(SEND_TIMEOUT_MS / 1000)),
  FULL_SCRAPE: onOff.default('off'),
  FULL_SCRAPE_INTERVAL: int(1, 86400).default(String(FULL_SCRAPE_INTERVAL)),
  UDP_PORT: z.string().trim().toLowerCase().regex(/^(off|\d{1,5})$/, "must be 'off' or a port number from 0 to 65535")
    .refine((s) => s === 'off' || Number(s) <= 65535, "must be 'off' or a port number from 0 to 65535").optional(),
  UDP_BATCH: onOff.default('on'),
  HTTP_ACCEPT: z.string().trim().toLowerCase().pipe(z.enum(['native', 'node'], { message: 'must be native or node' })).default('native'),
  UDP_SECRET: optionalText.refine((s) => s === undefined || s.length >= 16, 'must be at least 16 characters'),
  PUBLIC_UDP_URL: optionalText.refine((s) => s === undefined || /^udp:\/\/(\[[0-9a-fA-F:.]+\]|[^/\s:[\]]+):\d{1,5}(\/\S*)?$/.test(s),
    'must be a udp://host:port URL (an optional path, e.g. /announce)'),
});

export interface Config {
  port: number;
  /** undefined: every interface, IPv6 and IPv4. */
  host: string | undefined;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string;
  redisUrl: string | undefined;
  /** Seed nodes of a Redis Cluster (REDIS_CLUSTER_NODES); set instead of redisUrl, never with it. */
  redisClusterNodes: { host: string; port: number }[] | undefined;
  admin: { username: string; password: string } | undefined;
  /** Seconds. */
  announceInterval: number;
  minAnnounceInterval: number;
  /** 0: no limit. */
  maxUploadBytes: number;
  /** Most files in one torrent (upload, register, `seedhost add`/`register`). */
  maxTorrentFiles: number;
  trustedProxies: BlockList | undefined;
  logLevel: string;
  /** Seconds without an announce after which a peer is dropped. */
  peerTimeout: number;
  /** Seconds between expiry sweeps. */
  sweepInterval: number;
  /** Seconds between checks for changes made by other processes (command line, other instances). */
  syncInterval: number;
  /** Seconds between writes of completed counters. */
  completedFlushInterval: number;
  /** Prefix of every Redis key and channel, so several deployments can share one Redis. */
  redisPrefix: string;
  /** Processes serving the port (node:cluster); more than 1 needs Redis. */
  workers: number;
  /** GET /metrics served (Prometheus text); false: 404. */
  metrics: boolean;
  /** When set, /metrics requires `Authorization: Bearer <metricsToken>`. */
  metricsToken: string | undefined;
  /** Copies of local files (`seedhost add`) written with O_DIRECT where the file system takes it. */
  directIo: boolean;
  /** Format of published torrents when a publish names none (TORRENT_FORMAT). */
  torrentFormat: TorrentFormat;
  /** Peers one address (IPv4 address, IPv6 /64) may hold per swarm; a new port beyond it replaces its oldest. */
  maxPeersPerAddress: number;
  /** Open TCP connections one client address (IPv6: /64) may hold; trusted proxies are not counted. */
  maxConnectionsPerAddress: number;
  /** Seconds a webseed response may wait for its socket to take a chunk before it is cut. */
  webseedSendTimeout: number;
  /** A scrape without info_hash answers every registered torrent (cached, rate-limited); false: refused. */
  fullScrape: boolean;
  /** Seconds one built full-scrape reply is served before the next request rebuilds it. */
  fullScrapeInterval: number;
  /** UDP tracker (BEP 15) port; 0: any free port; null: no UDP tracker (UDP_PORT=off). */
  udpPort: number | null;
  /** UDP datagrams read and sent in batches by the native addon where it is built (UDP_BATCH=off: Node's dgram). */
  udpBatch: boolean;
  /** HTTP connections accepted in batches by the native addon where it is built (HTTP_ACCEPT=node: Node's own accept). */
  httpAccept: 'native' | 'node';
  /** Connection-id secret shared by instances; undefined: generated once and kept in the database. */
  udpSecret: string | undefined;
  /**
   * The udp:// tracker URL written into torrents and magnets beside PUBLIC_URL/announce; undefined:
   * none (UDP off, or UDP_PORT=0 without PUBLIC_UDP_URL, where no port is known before binding).
   */
  publicUdpUrl: string | undefined;
}

/** udp://<PUBLIC_URL's host>:<port>/announce, the default PUBLIC_UDP_URL. */
export function deriveUdpUrl(publicUrl: string, udpPort: number): string {
  return `udp://${new URL(publicUrl).hostname}:${udpPort}/announce`;
}

/** Where Redis is for `config` (REDIS_URL or REDIS_CLUSTER_NODES); undefined: no Redis. */
export function redisTarget(config: Pick<Config, 'redisUrl' | 'redisClusterNodes'>): { url: string } | { clusterNodes: { host: string; port: number }[] } | undefined {
  if (config.redisUrl !== undefined) return { url: config.redisUrl };
  if (config.redisClusterNodes !== undefined) return { clusterNodes: config.redisClusterNodes };
  return undefined;
}

/** Thrown for an invalid setting; the message is the one line to show. */
export class ConfigError extends Error {}

/** Parses a comma/space separated CIDR (or plain address) list into a BlockList. */
export function parseCidrList(value: string): BlockList {
  const list = new BlockList();
  for (const item of value.split(/[\s,]+/).filter(Boolean)) {
    const [addr, bits] = item.split('/');
    const family = isIP(addr);
    const max = family === 6 ? 128 : 32;
    const prefix = bits === undefined ? max : Number(bits);
    if (family === 0 || !/^\d*$/.test(bits ?? '') || !(prefix >= 0 && prefix <= max)) {
      throw new ConfigError(`invalid TRUSTED_PROXIES: '${item}' is not an address or CIDR range`);
    }
    list.addSubnet(addr, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

/** Parses REDIS_CLUSTER_NODES: host:port (IPv6 in brackets), separated by commas. */
export function parseClusterNodes(value: string): { host: string; port: number }[] {
  const nodes = value.split(',').map((s) => s.trim()).filter(Boolean).map((item) => {
    const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(item);
    const port = m ? Number(m[2]) : 0;
    if (!m || port < 1 || port > 65535) {
      throw new ConfigError(`invalid REDIS_CLUSTER_NODES: '${item}' is not host:port (a list: host:port,host:port,...)`);
    }
    return { host: m[1].replace(/^\[|\]$/g, ''), port };
  });
  if (nodes.length === 0) throw new ConfigError('invalid REDIS_CLUSTER_NODES: must list at least one host:port');
  return nodes;
}

/** Builds the Config from an environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([k]) => k in schema.shape)));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0]);
    throw new ConfigError(`invalid ${name}: ${issue.message} (got '${env[name]}')`);
  }
  const e = parsed.data;
  if ((e.ADMIN_USERNAME === undefined) !== (e.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError('invalid ADMIN_PASSWORD: ADMIN_USERNAME and ADMIN_PASSWORD must be set together');
  }
  if (e.ADMIN_USERNAME !== undefined && !USERNAME_PATTERN.test(e.ADMIN_USERNAME)) {
    throw new ConfigError(`invalid ADMIN_USERNAME: must be 1-${USERNAME_MAX_LENGTH} letters, digits, _ . or - (got '${env.ADMIN_USERNAME}')`);
  }
  const adminPassword = e.ADMIN_PASSWORD === undefined ? undefined : passwordProblem(e.ADMIN_PASSWORD);
  if (adminPassword !== undefined) throw new ConfigError(`invalid ADMIN_PASSWORD: ${adminPassword}`); // the value itself is not shown
  const workers = e.WORKERS === 'auto' ? availableParallelism() : Number(e.WORKERS);
  if (workers < 1 || workers > 256) throw new ConfigError(`invalid WORKERS: must be 'auto' or a whole number from 1 to 256 (got '${env.WORKERS}')`);
  if (e.REDIS_URL !== undefined && e.REDIS_CLUSTER_NODES !== undefined) {
    throw new ConfigError('invalid REDIS_CLUSTER_NODES: set either REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster), not both');
  }
  const redisClusterNodes = e.REDIS_CLUSTER_NODES === undefined ? undefined : parseClusterNodes(e.REDIS_CLUSTER_NODES);
  if (workers > 1 && e.REDIS_URL === undefined && redisClusterNodes === undefined) {
    throw new ConfigError('invalid WORKERS: more than one worker shares swarms through Redis, so REDIS_URL (or REDIS_CLUSTER_NODES) must be set');
  }
  const dataDir = path.resolve(e.DATA_DIR);
  const minInterval = e.MIN_ANNOUNCE_INTERVAL ?? Math.max(1, Math.floor(e.ANNOUNCE_INTERVAL / 2));
  if (minInterval > e.ANNOUNCE_INTERVAL) {
    throw new ConfigError(`invalid MIN_ANNOUNCE_INTERVAL: must not exceed ANNOUNCE_INTERVAL (got '${env.MIN_ANNOUNCE_INTERVAL}')`);
  }
  const udpPort = e.UDP_PORT === 'off' ? null : e.UDP_PORT === undefined ? e.PORT : Number(e.UDP_PORT);
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    dataDir,
    databaseUrl: e.DATABASE_URL ?? `sqlite:${path.join(dataDir, 'seedhost.db')}`,
    redisUrl: e.REDIS_URL,
    redisClusterNodes,
    admin: e.ADMIN_USERNAME !== undefined ? { username: e.ADMIN_USERNAME, password: e.ADMIN_PASSWORD as string } : undefined,
    announceInterval: e.ANNOUNCE_INTERVAL,
    minAnnounceInterval: minInterval,
    maxUploadBytes: e.MAX_UPLOAD_BYTES,
    maxTorrentFiles: e.MAX_TORRENT_FILES,
    trustedProxies: e.TRUSTED_PROXIES !== undefined ? parseCidrList(e.TRUSTED_PROXIES) : undefined,
    logLevel: e.LOG_LEVEL,
    peerTimeout: e.PEER_TIMEOUT ?? Math.round(e.ANNOUNCE_INTERVAL * 2.1),
    sweepInterval: e.SWEEP_INTERVAL,
    syncInterval: e.SYNC_INTERVAL,
    completedFlushInterval: e.COMPLETED_FLUSH_INTERVAL,
    redisPrefix: e.REDIS_PREFIX,
    workers,
    metrics: e.METRICS === 'on',
    metricsToken: e.METRICS_TOKEN,
    directIo: e.DIRECT_IO === 'on',
    torrentFormat: e.TORRENT_FORMAT,
    maxPeersPerAddress: e.MAX_PEERS_PER_ADDRESS,
    maxConnectionsPerAddress: e.MAX_CONNECTIONS_PER_ADDRESS,
    webseedSendTimeout: e.WEBSEED_SEND_TIMEOUT,
    fullScrape: e.FULL_SCRAPE === 'on',
    fullScrapeInterval: e.FULL_SCRAPE_INTERVAL,
    udpPort,
    udpBatch: e.UDP_BATCH === 'on',
    httpAccept: e.HTTP_ACCEPT,
    udpSecret: e.UDP_SECRET,
    publicUdpUrl: e.PUBLIC_UDP_URL ?? (udpPort === null || udpPort === 0 ? undefined : deriveUdpUrl(publicUrl, udpPort)),
  };
}
