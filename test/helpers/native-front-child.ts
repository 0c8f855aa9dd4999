// A process serving the native accept loop alone (memory store, one registered hash given as
// argv[2]), for tests that change its limits (ulimit -n): prints its port, then its counts as JSON
// on each line read from stdin ('counts').
import { createInterface } from 'node:readline';
import { createHttpServer } from '../../server/http/create-server.js';
import { acceptAddon, listenNative } from '../../server/http/native-front.js';
import { createLogger } from '../../server/logger.js';
import { CompletedTally } from '../../server/tracker/completed-tally.js';
import { MemoryPeerStore } from '../../server/tracker/memory-peer-store.js';
import { TrackerStats } from '../../server/tracker/tracker-stats.js';

const tracker = { store: new MemoryPeerStore(), registered: new Set([process.argv[2]]), completed: new CompletedTally(), interval: 1800, minInterval: 900, stats: new TrackerStats() };
const deps = { tracker, trustedProxies: undefined, log: createLogger('silent') };
const { server, fastPath } = createHttpServer({ ...deps, health: async () => ({}) });
const front = await listenNative(acceptAddon()!, server, fastPath, deps, undefined, 0, '127.0.0.1');
process.stdout.write(`${front.port}\n`);
createInterface({ input: process.stdin }).on('line', () => process.stdout.write(`${JSON.stringify({ ...front.counts(), cpu: process.cpuUsage() })}\n`));
