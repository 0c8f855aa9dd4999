// Metrics under node:cluster (one worker per core). The primary aggregates every worker's
// registry (prom-client's AggregatorRegistry.aggregate over each worker's metrics as JSON, sent
// over IPC); a worker answering GET /metrics asks the primary for that aggregate, so any worker's
// answer covers the whole cluster.
//
// Use: in the cluster primary, call setupClusterMetrics() once (before forking is simplest); in
// each worker, startServer() with METRICS=on builds its collector with metricsCollector(), which
// sees cluster.isWorker and offers the worker's registry. The primary asks only the workers that
// offered theirs, and leaves out one that does not answer within 2 s, so a worker that is starting
// or stuck never fails the scrape. Counters of a worker that died vanish (a Prometheus reset).
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

/** One worker's metrics as registry.getMetricsAsJSON() gives them. */
type WorkerMetrics = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

const READY = 'seedhost:metrics-ready';
const COLLECT = 'seedhost:metrics-collect';
const COLLECTED = 'seedhost:metrics-collected';
const REQUEST = 'seedhost:metrics-req';
const ANSWER = 'seedhost:metrics-res';
/** How long the primary waits for each worker's numbers; a slower one is left out of that answer. */
const WORKER_TIMEOUT_MS = 2000;
/** A worker's wait for the primary: every worker's timeout, and a margin. */
const ASK_TIMEOUT_MS = WORKER_TIMEOUT_MS + 1000;

interface Ask { type: typeof REQUEST; id: number }
interface Answer { type: typeof ANSWER; id: number; text?: string; error?: string }
interface Collect { type: typeof COLLECT; id: number }
interface Collected { type: typeof COLLECTED; id: number; metrics?: WorkerMetrics; error?: string }

/** The primary's view: every ready worker's metrics, aggregated. */
export interface ClusterMetrics {
  clusterMetrics(): Promise<string>;
}

let primary: ClusterMetrics | null = null;

/**
 * In the cluster primary: starts answering workers that ask for the cluster's metrics. Only workers
 * that have set up their metrics are asked (one still starting, or just replaced, is left out
 * rather than stalling the scrape), each for at most WORKER_TIMEOUT_MS. Idempotent.
 */
export function setupClusterMetrics(): ClusterMetrics {
  if (primary !== null) return primary;
  const ready = new Set<Worker>();
  const waiting = new Map<number, (m: WorkerMetrics | null) => void>();
  let nextId = 0;
  const collectFrom = (w: Worker): Promise<WorkerMetrics | null> => new Promise((resolve) => {
    const id = nextId++;
    const timer = setTimeout(() => done(null), WORKER_TIMEOUT_MS);
    const done = (m: WorkerMetrics | null): void => {
      clearTimeout(timer);
      waiting.delete(id);
      resolve(m);
    };
    waiting.set(id, done);
    try {
      w.send({ type: COLLECT, id } satisfies Collect);
    } catch {
      done(null);
    }
  });
  const agg: ClusterMetrics = {
    async clusterMetrics() {
      const all = await Promise.all([...ready].filter((w) => w.isConnected()).map(collectFrom));
      const got = all.filter((m): m is WorkerMetrics => m !== null);
      if (got.length === 0) throw new Error('no worker answered with its metrics');
      return AggregatorRegistry.aggregate(got).metrics();
    },
  };
  cluster.on('exit', (w) => ready.delete(w));
  cluster.on('message', (worker: Worker, msg: Partial<Ask & Collected> | { type?: string } | null) => {
    if (msg?.type === READY) ready.add(worker);
    else if (msg?.type === COLLECTED) {
      const m = msg as Collected;
      waiting.get(m.id)?.(m.metrics ?? null);
    } else if (msg?.type === REQUEST && typeof (msg as Ask).id === 'number') {
      const id = (msg as Ask).id;
      const send = (a: Omit<Answer, 'type' | 'id'>): void => {
        if (worker.isConnected()) worker.send({ type: ANSWER, id, ...a });
      };
      agg.clusterMetrics().then((text) => send({ text }), (err: Error) => send({ error: err.message }));
    }
  });
  primary = agg;
  return agg;
}

const asked = new Map<number, { resolve: (text: string) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
let nextAsk = 0;
let sharing: Registry | null = null;

/** In a worker: hands `registry`'s numbers to the primary when it collects, and tells it this worker is ready. */
export function shareWorkerMetrics(registry: Registry): void {
  const first = sharing === null;
  sharing = registry;
  if (first) {
    process.on('message', (msg: { type?: string; id?: number; text?: string; error?: string } | null) => {
      if (msg?.type === COLLECT && typeof msg.id === 'number') {
        const id = msg.id;
        (sharing as Registry).getMetricsAsJSON().then(
          (metrics) => process.send?.({ type: COLLECTED, id, metrics } satisfies Collected),
          (err: Error) => process.send?.({ type: COLLECTED, id, error: err.message } satisfies Collected),
        );
        return;
      }
      if (msg?.type !== ANSWER || typeof msg.id !== 'number') return;
      const w = asked.get(msg.id);
      if (w === undefined) return;
      asked.delete(msg.id);
      clearTimeout(w.timer);
      if (msg.error !== undefined) w.reject(new Error(msg.error));
      else w.resolve(msg.text ?? '');
    });
  }
  process.send?.({ type: READY });
}

/** In a worker: the whole cluster's metrics text, from the primary. Rejects after ASK_TIMEOUT_MS without an answer. */
export function clusterMetricsFromPrimary(): Promise<string> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) return reject(new Error('not a cluster worker'));
    const id = nextAsk++;
    const timer = setTimeout(() => {
      asked.delete(id);
      reject(new Error('the cluster primary did not answer (is setupClusterMetrics() called there?)'));
    }, ASK_TIMEOUT_MS);
    asked.set(id, { resolve, reject, timer });
    process.send({ type: REQUEST, id } satisfies Ask);
  });
}

/** How /metrics collects in this process: the cluster aggregate in a worker, `registry` alone otherwise. */
export function metricsCollector(registry: Registry): () => Promise<{ text: string; contentType: string }> {
  const contentType = registry.contentType;
  if (!cluster.isWorker) return async () => ({ text: await registry.metrics(), contentType });
  shareWorkerMetrics(registry);
  return async () => ({ text: await clusterMetricsFromPrimary(), contentType });
}
