// A node:cluster worker for cluster-metrics.test.ts: a seedhost metrics registry over fake sources
// (WORKER_ANNOUNCES ok announces; the same 3 registered torrents in every worker), answering
// 'collect' with what its GET /metrics would serve.
import { metricsCollector } from '../../../server/http/cluster-metrics.js';
import { createMetricsRegistry } from '../../../server/http/metrics-registry.js';
import { WebseedStats } from '../../../server/http/webseed.route.js';
import { PublishStats } from '../../../server/services/publish-stats.js';
import { MemoryPeerStore } from '../../../server/tracker/memory-peer-store.js';
import { OK, TrackerStats } from '../../../server/tracker/tracker-stats.js';

const tracker = new TrackerStats();
for (let i = 0; i < Number(process.env.WORKER_ANNOUNCES); i++) tracker.announced(OK, performance.now());
const collect = metricsCollector(createMetricsRegistry({
  tracker, store: new MemoryPeerStore(), registered: new Set(['a', 'b', 'c']), webseed: new WebseedStats(), publishes: new PublishStats(),
  graphqlClients: () => 1, swarmSubscriptions: () => 0,
}));
process.on('message', (m) => {
  if (m !== 'collect') return;
  collect().then((r) => process.send?.({ text: r.text }), (e: Error) => process.send?.({ error: e.message }));
});
process.send?.('ready');
