// A swarm's peers for admins, a page at a time: `loadMore` appends the next page after the last
// cursor, `refresh` reloads from the start as many as are shown (at most the server's page bound).
import { ref } from 'vue';
import type { PeerRow } from '../components/torrents/PeerTable.vue';
import { urqlClient } from '../graphql/client';
import { SWARM_PEERS } from '../graphql/documents';
import { errorText } from '../graphql/errors';

/** Peers asked for per "load more". */
export const PEER_PAGE = 50;
/** The server's largest page (Swarm.peers `first`). */
const MAX_PAGE = 200;

type PagedPeer = PeerRow & { cursor: string };

export function usePeerPages(infoHash: () => string) {
  const peers = ref<PagedPeer[]>([]);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const hasMore = ref(false);
  let generation = 0; // a reply for a list cleared since is dropped
  // one request at a time, each sized when it starts: a "load more" clicked while a refresh is in
  // flight then appends to what the refresh brought instead of racing it
  let chain: Promise<void> = Promise.resolve();
  const enqueue = (op: () => Promise<void>): Promise<void> => (chain = chain.then(op, op));

  async function fetchPage(first: number, after: string | undefined, apply: (page: PagedPeer[]) => void): Promise<void> {
    const mine = generation;
    loading.value = true;
    const r = await urqlClient.query<{ swarm: { peers: PagedPeer[] | null } | null }>(SWARM_PEERS, { infoHash: infoHash(), first, after }, { requestPolicy: 'network-only' }).toPromise();
    if (mine !== generation) return;
    loading.value = false;
    error.value = errorText(r.error);
    const page = r.data?.swarm?.peers;
    if (!page) return;
    apply(page);
    hasMore.value = page.length === first;
  }

  /** Reloads the list from its start, keeping as many peers as were shown. */
  function refresh(): Promise<void> {
    return enqueue(() => fetchPage(Math.min(MAX_PAGE, Math.max(PEER_PAGE, peers.value.length)), undefined, (page) => { peers.value = page; }));
  }

  /** Appends the next page. */
  function loadMore(): Promise<void> {
    return enqueue(() => fetchPage(PEER_PAGE, peers.value.at(-1)?.cursor, (page) => { peers.value = [...peers.value, ...page]; }));
  }

  /** Forgets the list (another torrent, or the viewer is no admin any more). */
  function clear(): void {
    generation++;
    peers.value = [];
    hasMore.value = false;
    loading.value = false;
    error.value = null;
  }

  return { peers, loading, error, hasMore, refresh, loadMore, clear };
}
