// Metrics under node:cluster (one worker per core). The primary aggregates every worker's
// registry with prom-client's AggregatorRegistry; a worker answering GET /metrics asks the
// primary over IPC for that aggregate, so any worker's answer covers the whole cluster.
//
// Use: in the cluster primary, call setupClusterMetrics() once (before forking is simplest); in
// each worker, startServer() with METRICS=on builds its collector with metricsCollector(), which
// sees cluster.isWorker and shares the worker's registry. Every worker must have metrics on (they
// share the environment): prom-client's collection waits 5 s for each worker and then fails.
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type PrometheusContentType, type Registry } from 'prom-client';

const REQUEST = 'seedhost:metrics-req';
const ANSWER = 'seedhost:metrics-res';
/** prom-client's own collection times out after 5 s; give it that and a margin. */
const ASK_TIMEOUT_MS = 6000;

interface Ask { type: typeof REQUEST; id: number }
interface Answer { type: typeof ANSWER; id: number; text?: string; error?: string }

let primary: AggregatorRegistry<PrometheusContentType> | null = null;

/**
 * In the cluster primary: starts aggregating workers' metrics and answering workers that ask for
 * them. Idempotent; returns the AggregatorRegistry (its clusterMetrics() gives the same text).
 */
export function setupClusterMetrics(): AggregatorRegistry<PrometheusContentType> {
  if (primary !== null) return primary;
  const agg = new AggregatorRegistry<PrometheusContentType>();
  primary = agg;
  cluster.on('message', (worker: Worker, msg: Partial<Ask> | null) => {
    if (msg?.type !== REQUEST || typeof msg.id !== 'number') return;
    const id = msg.id;
    const send = (a: Omit<Answer, 'type' | 'id'>): void => {
      if (worker.isConnected()) worker.send({ type: ANSWER, id, ...a });
    };
    agg.clusterMetrics().then((text) => send({ text }), (err: Error) => send({ error: err.message }));
  });
  return agg;
}

const waiting = new Map<number, { resolve: (text: string) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
let nextId = 0;
let listening = false;

/** In a worker: lets the primary collect `registry` (replacing prom-client's global one). */
export function shareWorkerMetrics(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  void new AggregatorRegistry(); // installs prom-client's worker-side responder (once per process)
  if (listening) return;
  listening = true;
  process.on('message', (msg: Partial<Answer> | null) => {
    if (msg?.type !== ANSWER || typeof msg.id !== 'number') return;
    const w = waiting.get(msg.id);
    if (w === undefined) return;
    waiting.delete(msg.id);
    clearTimeout(w.timer);
    if (msg.error !== undefined) w.reject(new Error(msg.error));
    else w.resolve(msg.text ?? '');
  });
}

/** In a worker: the whole cluster's metrics text, from the primary. Rejects after 6 s without an answer. */
export function clusterMetricsFromPrimary(): Promise<string> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) return reject(new Error('not a cluster worker'));
    const id = nextId++;
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error('the cluster primary did not answer (is setupClusterMetrics() called there?)'));
    }, ASK_TIMEOUT_MS);
    waiting.set(id, { resolve, reject, timer });
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
