// Live swarm counts for every torrent: one `swarmUpdated` subscription (no infoHash: all
// torrents) shared by the components that use it, merged into a reactive map keyed by info_hash.
import { onBeforeUnmount, reactive, ref } from 'vue';
import { SWARM_UPDATED } from '../graphql/documents';
import { urqlClient, wsClient } from '../graphql/client';
import { addPoint, countsOf, mergeUpdate, type SwarmCounts, type SwarmPoint, type SwarmUpdate } from '../lib/live-swarm';

const live = reactive(new Map<string, SwarmCounts>());
const history = reactive(new Map<string, SwarmPoint[]>());
const connected = ref(false);
let users = 0;
let subscription: { unsubscribe(): void } | null = null;

wsClient.on('connected', () => { connected.value = true; });
wsClient.on('closed', () => { connected.value = false; });

function start(): void {
  subscription = urqlClient.subscription<{ swarmUpdated: SwarmUpdate }>(SWARM_UPDATED, {}).subscribe((r) => {
    const u = r.data?.swarmUpdated;
    if (!u) return;
    mergeUpdate(live, u);
    recordPoint(u.infoHash, u);
  });
}

/** Adds a chart point for a torrent (the page seeds it with the counts its query returned). */
export function recordPoint(infoHash: string, c: SwarmCounts, at = Date.now()): void {
  history.set(infoHash, addPoint(history.get(infoHash) ?? [], { at, seeders: c.seeders, leechers: c.leechers, completed: c.completed }));
}

/** Subscribes while the calling component is mounted; counts to show come from `counts(torrent)`. */
export function useLiveSwarm() {
  if (users++ === 0) start();
  onBeforeUnmount(() => {
    if (--users === 0) {
      subscription?.unsubscribe();
      subscription = null;
    }
  });
  return {
    connected,
    history,
    counts: <T extends SwarmCounts & { infoHash: string }>(t: T): SwarmCounts => countsOf(t, live),
  };
}
