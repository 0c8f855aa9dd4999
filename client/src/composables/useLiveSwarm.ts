// Live swarm counts for what the page shows: components say which torrents they show (a list
// row while it is on screen, the one torrent of a torrent page) and one `swarmsUpdated`
// subscription follows exactly those, re-made (debounced) when the set changes. Pushed counts are
// merged into a reactive map keyed by info_hash.
import { onBeforeUnmount, onMounted, reactive, ref, watch, type Ref } from 'vue';
import { SWARMS_UPDATED } from '../graphql/documents';
import { urqlClient, wsClient } from '../graphql/client';
import { countsOf, mergeUpdate, type SwarmCounts, type SwarmUpdate } from '../lib/live-swarm';

/** The server's MAX_WATCHED_TORRENTS: one subscription follows at most this many. */
const MAX_WATCHED = 100;
/** Scrolling changes the rows on screen quickly: the subscription follows once they settle. */
const RESUBSCRIBE_MS = 300;

const live = reactive(new Map<string, SwarmCounts>());
const connected = ref(false);
const wanted = new Map<string, number>(); // info_hash -> components showing it
let subscription: { unsubscribe(): void } | null = null;
let following = '';
let timer: ReturnType<typeof setTimeout> | undefined;

wsClient.on('connected', () => { connected.value = true; });
wsClient.on('closed', () => { connected.value = false; });

function resubscribe(): void {
  timer = undefined;
  const hashes = [...wanted.keys()].slice(-MAX_WATCHED).sort();
  const key = hashes.join(',');
  if (key === following) return;
  following = key;
  subscription?.unsubscribe();
  subscription = null;
  if (hashes.length === 0) return;
  subscription = urqlClient.subscription<{ swarmsUpdated: SwarmUpdate }>(SWARMS_UPDATED, { infoHashes: hashes }).subscribe((r) => {
    const u = r.data?.swarmsUpdated;
    if (!u) return;
    mergeUpdate(live, u);
  });
}

function changed(): void {
  if (timer === undefined) timer = setTimeout(resubscribe, RESUBSCRIBE_MS);
}

/** Follows `infoHash` until the returned function is called. */
export function follow(infoHash: string): () => void {
  // a Map keeps insertion order: past MAX_WATCHED, the rows that came on screen last are followed
  wanted.set(infoHash, (wanted.get(infoHash) ?? 0) + 1);
  if (wanted.get(infoHash) === 1) changed();
  let done = false;
  return () => {
    if (done) return;
    done = true;
    const n = (wanted.get(infoHash) ?? 1) - 1;
    if (n > 0) return void wanted.set(infoHash, n);
    wanted.delete(infoHash);
    live.delete(infoHash); // a count not followed would go stale
    changed();
  };
}

/** Follows one torrent while the calling component is mounted (its hash may change). */
export function useFollow(infoHash: () => string | null | undefined): void {
  let stop: (() => void) | null = null;
  watch(infoHash, (h) => {
    stop?.();
    stop = h ? follow(h) : null;
  }, { immediate: true });
  onBeforeUnmount(() => stop?.());
}

let observer: IntersectionObserver | null = null;
const onScreen = new WeakMap<Element, { hash: string; stop: (() => void) | null }>();

/** Follows a list row's torrent while the element is on screen (or within a screen of it). */
export function useFollowWhileVisible(el: Ref<Element | null | undefined>, infoHash: () => string): void {
  observer ??= new IntersectionObserver((entries) => {
    for (const e of entries) {
      const row = onScreen.get(e.target);
      if (!row) continue;
      if (e.isIntersecting && row.stop === null) row.stop = follow(row.hash);
      else if (!e.isIntersecting && row.stop !== null) {
        row.stop();
        row.stop = null;
      }
    }
  }, { rootMargin: '100% 0px' });
  onMounted(() => {
    if (!el.value) return;
    onScreen.set(el.value, { hash: infoHash(), stop: null });
    observer?.observe(el.value);
  });
  onBeforeUnmount(() => {
    if (!el.value) return;
    observer?.unobserve(el.value);
    onScreen.get(el.value)?.stop?.();
    onScreen.delete(el.value);
  });
}

/** Live counts to show: `counts(torrent)` is the pushed update when one came, else what the query returned. */
export function useLiveSwarm() {
  return {
    connected,
    counts: <T extends SwarmCounts & { infoHash: string }>(t: T): SwarmCounts => countsOf(t, live),
  };
}
