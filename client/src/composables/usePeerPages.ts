// A swarm's peers for admins, one bounded page at a time (the server pages them: first/after):
// `next` and `previous` move between pages, `refresh` reloads the page shown. A busy swarm
// changes all the time, so refreshes are throttled (at most one per REFRESH_MS), never debounced
// (a debounce would wait for a quiet moment that never comes).
import { ref } from 'vue';
import type { PeerRow } from '../components/torrents/PeerTable.vue';
import { urqlClient } from '../graphql/client';
import { SWARM_PEERS } from '../graphql/documents';
import { errorText } from '../graphql/errors';

/** Peers per page (the table never holds more). */
export const PEER_PAGE = 50;
/** Shortest time between two refreshes of the page shown. */
export const REFRESH_MS = 2000;

type PagedPeer = PeerRow & { cursor: string };

export function usePeerPages(infoHash: () => string) {
  const peers = ref<PagedPeer[]>([]);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const hasNext = ref(false);
  const page = ref(0); // index of the page shown
  const starts: (string | undefined)[] = [undefined]; // cursor each page starts after
  let generation = 0; // a reply for a list cleared since is dropped
  let chain: Promise<void> = Promise.resolve(); // one request at a time
  const enqueue = (op: () => Promise<void>): Promise<void> => (chain = chain.then(op, op));
  let lastRefresh = 0;
  let pending: ReturnType<typeof setTimeout> | undefined;

  async function load(index: number): Promise<void> {
    const mine = generation;
    loading.value = true;
    // one more than a page tells whether a next page exists
    const r = await urqlClient.query<{ swarm: { peers: PagedPeer[] | null } | null }>(SWARM_PEERS, { infoHash: infoHash(), first: PEER_PAGE + 1, after: starts[index] }, { requestPolicy: 'network-only' }).toPromise();
    if (mine !== generation) return;
    loading.value = false;
    error.value = errorText(r.error);
    const got = r.data?.swarm?.peers;
    if (!got) return;
    if (got.length === 0 && index > 0) return load(index - 1); // the swarm shrank below this page
    peers.value = got.slice(0, PEER_PAGE);
    hasNext.value = got.length > PEER_PAGE;
    page.value = index;
    starts.length = index + 1;
    if (hasNext.value) starts.push(peers.value[PEER_PAGE - 1].cursor);
  }

  /** Reloads the page shown now, or soon (throttled). */
  function refresh(): void {
    if (pending !== undefined) return;
    const wait = Math.max(0, lastRefresh + REFRESH_MS - Date.now());
    pending = setTimeout(() => {
      pending = undefined;
      lastRefresh = Date.now();
      void enqueue(() => load(page.value));
    }, wait);
  }

  const next = (): Promise<void> => enqueue(() => (hasNext.value ? load(page.value + 1) : Promise.resolve()));
  const previous = (): Promise<void> => enqueue(() => (page.value > 0 ? load(page.value - 1) : Promise.resolve()));

  /** Forgets the list (another torrent, or the viewer is no admin any more), then loads its first page when `reload`. */
  function reset(reload: boolean): void {
    generation++;
    clearTimeout(pending);
    pending = undefined;
    peers.value = [];
    hasNext.value = false;
    loading.value = false;
    error.value = null;
    page.value = 0;
    starts.length = 1;
    if (reload) void enqueue(() => load(0));
  }

  return { peers, loading, error, hasNext, page, refresh, next, previous, reset, stop: () => clearTimeout(pending) };
}
