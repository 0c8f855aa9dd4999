// The Prometheus registry of one seedhost process (its own, not prom-client's global one). Hot
// paths bump plain numbers (TrackerStats, WebseedStats, PublishStats); the metrics here read them
// only when /metrics is scraped, plus prom-client's default process metrics.
import type { FrontCounts } from './native-front.js';
import { readdir } from 'node:fs/promises';
import { collectDefaultMetrics, Registry, type Aggregator, type Metric } from 'prom-client';
import type { PublishStats } from '../services/publish-stats.js';
import type { PeerStore } from '../tracker/peer-store.js';
import { LATENCY_BOUNDS, OUTCOMES, TrackerStats, UNREGISTERED, type LatencyHistogram } from '../tracker/tracker-stats.js';
import type { WebseedBuffers } from './webseed-buffers.js';
import type { WebseedStats } from './webseed.route.js';
import type { WsTrackerStats } from '../ws-tracker/ws-stats.js';

/** Prefix of every metric name. */
export const METRIC_PREFIX = 'seedhost_';

/** What the metrics read, wired by main.ts. */
export interface MetricsSources {
  tracker: TrackerStats;
  store: PeerStore;
  registered: ReadonlySet<string>;
  webseed: WebseedStats;
  /** The webseed's read buffers (gauges read 0 without). */
  webseedBuffers?: WebseedBuffers;
  publishes: PublishStats;
  /** Live GraphQL WebSocket clients. */
  graphqlClients: () => number;
  /** Live swarmUpdated subscriptions. */
  swarmSubscriptions: () => number;
  /** The UDP tracker's counts (absent: UDP_PORT=off; its metrics then read 0). */
  udp?: { stats: TrackerStats; packets: UdpPacketCounts };
  /** The WebSocket tracker's counts and open sockets (absent: its metrics read 0). */
  ws?: { stats: WsTrackerStats; sockets: () => number };
  /** TCP connections refused by MAX_CONNECTIONS_PER_ADDRESS (absent: 0). */
  connectionsRefused?: () => number;
  /** The native accept loop's counts (absent or undefined: Node accepts). */
  httpAccept?: () => FrontCounts | undefined;
}

/** What the UDP tracker counts beside announces and scrapes (udp/udp-answers.ts UdpStats). */
export interface UdpPacketCounts {
  connects: number;
  dropped: number;
  badConnectionIds: number;
  unknownActions: number;
  /** Replies the kernel did not take (a full send buffer; the batch socket counts them). */
  droppedReplies(): number;
}

interface Sample {
  metricName?: string;
  labels?: Record<string, string | number>;
  value: number;
}

type Kind = 'counter' | 'gauge' | 'histogram';

/** Registers a metric whose samples are computed by `read` at scrape time (cluster: merged by `aggregator`). */
function define(reg: Registry, short: string, help: string, type: Kind, aggregator: Aggregator, read: () => Sample[] | Promise<Sample[]>): void {
  const name = METRIC_PREFIX + short;
  // every value carries `labels` (maybe empty): the cluster aggregation hashes them
  const values = async () => (await read()).map((v) => (v.labels === undefined ? { ...v, labels: {} } : v));
  const metric = { name, help, type, aggregator, get: async () => ({ name, help, type, aggregator, values: await values() }) };
  reg.registerMetric(metric as unknown as Metric<string>);
}

function histogramSamples(name: string, h: LatencyHistogram): Sample[] {
  const out: Sample[] = [];
  let cumulative = 0;
  for (let i = 0; i < LATENCY_BOUNDS.length; i++) {
    cumulative += h.counts[i];
    out.push({ metricName: `${name}_bucket`, labels: { le: LATENCY_BOUNDS[i] }, value: cumulative });
  }
  out.push({ metricName: `${name}_bucket`, labels: { le: '+Inf' }, value: h.count });
  out.push({ metricName: `${name}_sum`, value: h.sum }, { metricName: `${name}_count`, value: h.count });
  return out;
}

function byOutcome(counts: Float64Array, skip: number): Sample[] {
  return OUTCOMES.flatMap((result, i) => (i === skip ? [] : [{ labels: { result }, value: counts[i] }]));
}

function fromMap<K extends string | number>(label: string, m: ReadonlyMap<K, number>, always: K[] = []): Sample[] {
  const keys = new Set<K>([...always, ...m.keys()]);
  return [...keys].sort().map((k) => ({ labels: { [label]: k }, value: m.get(k) ?? 0 }));
}

/**
 * prom-client's default metrics whose scrape costs the event loop in proportion to the open
 * sockets: the handles and resources grouped by type (a JavaScript pass over every handle), and
 * the open file descriptors (a synchronous readdir of /proc/self/fd, about 4.5 µs a descriptor:
 * 9 ms of the loop with 2,000 sockets open, measured in bench:abuse's sockets-2000).
 */
const UNBOUNDED_DEFAULTS = ['nodejs_active_handles', 'nodejs_active_resources', 'nodejs_active_resources_total', 'process_open_fds'];

/** Open file descriptors, read off the loop (the readdir runs on libuv's pool); null where there is no /proc. */
async function openFds(): Promise<number | null> {
  if (process.platform !== 'linux') return null;
  // the readdir's own descriptor is not the process's
  return readdir('/proc/self/fd').then((names) => names.length - 1, () => null);
}

/** Builds the registry over `src`; default process metrics carry the same prefix. */
export function createMetricsRegistry(src: MetricsSources): Registry {
  const reg = new Registry();
  collectDefaultMetrics({ register: reg, prefix: METRIC_PREFIX });
  for (const name of UNBOUNDED_DEFAULTS) reg.removeSingleMetric(METRIC_PREFIX + name);
  // the same name and meaning as prom-client's, counted off the loop
  define(reg, 'process_open_fds', 'Number of open file descriptors.', 'gauge', 'sum', async () => {
    const n = await openFds();
    return n === null ? [] : [{ value: n }];
  });
  const t = src.tracker;
  define(reg, 'announces_total', 'HTTP announces answered, by result (ok, malformed, unregistered, internal).', 'counter', 'sum', () => byOutcome(t.announces, -1));
  define(reg, 'scrapes_total', 'HTTP scrapes answered, by result (ok, malformed, internal).', 'counter', 'sum', () => byOutcome(t.scrapes, UNREGISTERED));
  define(reg, 'announce_duration_seconds', 'Time to answer an announce, from the parsed request head to the reply bytes.', 'histogram', 'sum',
    () => histogramSamples(`${METRIC_PREFIX}announce_duration_seconds`, t.announceSeconds));
  define(reg, 'scrape_duration_seconds', 'Time to answer a scrape, from the parsed request head to the reply bytes.', 'histogram', 'sum',
    () => histogramSamples(`${METRIC_PREFIX}scrape_duration_seconds`, t.scrapeSeconds));

  // the UDP tracker's own families: announces_total and the rest above count HTTP
  const u = src.udp?.stats ?? new TrackerStats();
  const p = (): UdpPacketCounts => src.udp?.packets ?? { connects: 0, dropped: 0, badConnectionIds: 0, unknownActions: 0, droppedReplies: () => 0 };
  define(reg, 'udp_announces_total', 'UDP (BEP 15) announces answered, by result (ok, malformed, unregistered, internal).', 'counter', 'sum', () => byOutcome(u.announces, -1));
  define(reg, 'udp_scrapes_total', 'UDP (BEP 15) scrapes answered, by result (ok, malformed, internal).', 'counter', 'sum', () => byOutcome(u.scrapes, UNREGISTERED));
  define(reg, 'udp_announce_duration_seconds', 'Time to answer a UDP announce, from the datagram to the reply bytes.', 'histogram', 'sum',
    () => histogramSamples(`${METRIC_PREFIX}udp_announce_duration_seconds`, u.announceSeconds));
  define(reg, 'udp_connects_total', 'UDP connect requests answered with a connection id.', 'counter', 'sum', () => [{ value: p().connects }]);
  define(reg, 'udp_refused_total', 'UDP datagrams not served, by reason (dropped: silence; bad_connection_id, unknown_action: an error packet).', 'counter', 'sum',
    () => [{ labels: { reason: 'dropped' }, value: p().dropped }, { labels: { reason: 'bad_connection_id' }, value: p().badConnectionIds },
      { labels: { reason: 'unknown_action' }, value: p().unknownActions }]);
  define(reg, 'udp_replies_dropped_total', 'UDP replies the kernel did not take (its send buffer full); the clients ask again.', 'counter', 'sum',
    () => [{ value: p().droppedReplies() }]);

  // the WebSocket (webtorrent) tracker's own families
  const w = src.ws?.stats;
  const wt = w?.tracker ?? new TrackerStats();
  define(reg, 'ws_announces_total', 'WebSocket tracker announces answered, by result (ok, malformed, unregistered, internal).', 'counter', 'sum', () => byOutcome(wt.announces, -1));
  define(reg, 'ws_scrapes_total', 'WebSocket tracker scrapes answered, by result.', 'counter', 'sum', () => byOutcome(wt.scrapes, -1));
  define(reg, 'ws_announce_duration_seconds', 'Time to answer a WebSocket tracker announce, from the parsed message to the reply.', 'histogram', 'sum',
    () => histogramSamples(`${METRIC_PREFIX}ws_announce_duration_seconds`, wt.announceSeconds));
  define(reg, 'ws_tracker_sockets', 'Open WebSocket tracker sockets.', 'gauge', 'sum', () => [{ value: src.ws?.sockets() ?? 0 }]);
  define(reg, 'ws_relayed_total', 'WebRTC signalling relayed between browsers, by kind (offer, answer, answer_dropped: target not connected here).', 'counter', 'sum',
    () => [{ labels: { kind: 'offer' }, value: w?.offersRelayed ?? 0 }, { labels: { kind: 'answer' }, value: w?.answersRelayed ?? 0 },
      { labels: { kind: 'answer_dropped' }, value: w?.answersDropped ?? 0 }]);
  define(reg, 'ws_closed_total', 'WebSocket tracker sockets refused or closed by a bound, by reason.', 'counter', 'sum',
    () => [{ labels: { reason: 'refused_upgrade' }, value: w?.refusedUpgrades ?? 0 }, { labels: { reason: 'idle' }, value: w?.closedIdle ?? 0 },
      { labels: { reason: 'flood' }, value: w?.closedFlood ?? 0 }, { labels: { reason: 'unregistered' }, value: w?.closedUnknown ?? 0 }]);

  // several instances share one registry and one swarm store (Redis): the same value, not a sum
  define(reg, 'torrents_registered', 'Torrents this tracker serves.', 'gauge', 'max', () => [{ value: src.registered.size }]);
  type Totals = Awaited<ReturnType<PeerStore['totals']>>;
  let totals: Promise<Totals> | null = null;
  const swarm = (key: keyof Totals) => async (): Promise<Sample[]> => {
    // one store.totals() per scrape, shared by the four gauges (their get()s start together)
    totals ??= Promise.resolve(src.store.totals()).finally(() => { totals = null; });
    return [{ value: (await totals)[key] }];
  };
  define(reg, 'swarms', 'Torrents with at least one live peer.', 'gauge', 'max', swarm('swarms'));
  define(reg, 'peers', 'Live peers over all swarms.', 'gauge', 'max', swarm('peers'));
  define(reg, 'seeders', 'Live seeders over all swarms.', 'gauge', 'max', swarm('seeders'));
  define(reg, 'leechers', 'Live leechers over all swarms.', 'gauge', 'max', swarm('leechers'));

  define(reg, 'webseed_responses_total', 'Webseed responses, by HTTP status.', 'counter', 'sum', () => fromMap('status', src.webseed.byStatus));
  define(reg, 'webseed_sent_bytes_total', 'Webseed content bytes sent.', 'counter', 'sum', () => [{ value: src.webseed.bytes }]);
  define(reg, 'webseed_send_timeouts_total', 'Webseed responses cut because the client took nothing for the send timeout.', 'counter', 'sum',
    () => [{ value: src.webseed.sendTimeouts }]);
  define(reg, 'webseed_buffer_bytes', 'Bytes of read buffers webseed responses hold now.', 'gauge', 'sum', () => [{ value: src.webseedBuffers?.held ?? 0 }]);
  define(reg, 'webseed_buffer_waiting', 'Webseed responses waiting for a read buffer now.', 'gauge', 'sum', () => [{ value: src.webseedBuffers?.waiting ?? 0 }]);
  define(reg, 'publishes_total', 'Content uploads, by result (ok, bad_input, too_large, duplicate, storage, internal).', 'counter', 'sum',
    () => fromMap('result', src.publishes.byResult, ['ok']));
  define(reg, 'published_bytes_total', 'Content bytes of successful uploads.', 'counter', 'sum', () => [{ value: src.publishes.bytes }]);
  define(reg, 'http_connections_refused_total', 'TCP connections refused as accepted: their address held MAX_CONNECTIONS_PER_ADDRESS already.', 'counter', 'sum',
    () => [{ value: src.connectionsRefused?.() ?? 0 }]);
  define(reg, 'http_native_connections_total', 'TCP connections of the native accept loop: answered and closed there (a closing tracker request), or made Node sockets.', 'counter', 'sum', () => {
    const c = src.httpAccept?.();
    return c === undefined ? [] : [{ labels: { outcome: 'answered' }, value: c.answered }, { labels: { outcome: 'node_socket' }, value: c.handedOver }];
  });
  define(reg, 'http_native_connections_waited_total', 'TCP connections of the native accept loop whose first bytes came after they were accepted (they waited as descriptors).', 'counter', 'sum',
    () => {
      const c = src.httpAccept?.();
      return c === undefined ? [] : [{ value: c.waited }];
    });
  define(reg, 'http_native_connections_waiting', 'TCP connections of the native accept loop waiting now for their first bytes (descriptors, closed after the idle timeout).', 'gauge', 'sum',
    () => {
      const c = src.httpAccept?.();
      return c === undefined ? [] : [{ value: c.waiting }];
    });
  define(reg, 'graphql_ws_clients', 'Live GraphQL WebSocket clients.', 'gauge', 'sum', () => [{ value: src.graphqlClients() }]);
  define(reg, 'graphql_swarm_subscriptions', 'Live swarmUpdated subscriptions.', 'gauge', 'sum', () => [{ value: src.swarmSubscriptions() }]);
  return reg;
}
