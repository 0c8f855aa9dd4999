// WORKERS > 1: the primary process forks one seedhost worker per core on the same port
// (node:cluster). Workers share swarms, counters and events through Redis, so any worker can
// answer any request. The primary serves nothing itself: it migrates the database once, forks,
// replaces a worker that dies, and passes SIGTERM/SIGINT on for a graceful stop.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { LISTENING_MESSAGE } from './http/listen.js';
import { openDatabase } from './db/data-source.js';
import { setupClusterMetrics } from './http/cluster-metrics.js';
import { ensureAdmin } from './services/users.js';
import { logStartupNotes } from './startup-notes.js';

/** A worker that dies sooner than this after starting counts as a crash loop. */
const MIN_UPTIME_MS = 5000;
const STOP_TIMEOUT_MS = 10_000;

/** Runs the cluster primary until a signal stops it (then exits the process). */
export async function runPrimary(config: Config, log: Logger, onReady?: (workers: Worker[]) => void): Promise<void> {
  // migrate once here, so workers starting together never race on the schema
  const ds = await openDatabase(config.databaseUrl);
  if (await ensureAdmin(ds, config.admin)) log.info({ username: config.admin?.username }, 'created admin user');
  await logStartupNotes(ds, config, log);
  await ds.destroy();

  // a worker's GET /metrics answers for the whole cluster: the primary aggregates
  if (config.metrics) setupClusterMetrics();
  let stopping = false;
  let quickDeaths = 0;
  const started = new Map<number, number>();
  const fork = (): Worker => {
    const w = cluster.fork();
    started.set(w.id, Date.now());
    return w;
  };
  cluster.on('exit', (w, code, signal) => {
    const uptime = Date.now() - (started.get(w.id) ?? 0);
    started.delete(w.id);
    if (stopping) return;
    quickDeaths = uptime < MIN_UPTIME_MS ? quickDeaths + 1 : 0;
    if (quickDeaths >= config.workers * 3) {
      log.fatal({ code, signal }, 'workers keep dying at start; stopping');
      process.exit(1);
    }
    log.error({ pid: w.process.pid, code, signal }, 'worker died; starting another');
    setTimeout(fork, Math.min(5000, 200 * quickDeaths));
  });

  const workers = Array.from({ length: config.workers }, fork);
  // Node's cluster says 'listening' for a port it shares; a worker on its own socket (the native
  // accept loop, SO_REUSEPORT) sends LISTENING_MESSAGE
  const ports = await Promise.all(workers.map((w) => new Promise<number>((resolve) => {
    w.once('listening', (a) => resolve(a.port));
    const own = (m: unknown): void => {
      const msg = m as { type?: string; port?: number } | null;
      if (msg?.type !== LISTENING_MESSAGE) return;
      w.off('message', own);
      resolve(msg.port as number);
    };
    w.on('message', own);
  })));
  log.info({ workers: workers.length, port: ports[0] }, 'seedhost cluster listening');
  onReady?.(workers);

  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping workers');
    const hard = setTimeout(() => process.exit(1), STOP_TIMEOUT_MS);
    hard.unref();
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    const check = setInterval(() => {
      if (Object.keys(cluster.workers ?? {}).length > 0) return;
      clearInterval(check);
      log.info('stopped');
      process.exit(0);
    }, 50);
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
