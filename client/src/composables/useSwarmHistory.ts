// A torrent's swarm history for its chart: the server's per-minute samples over the chosen span
// (reloaded each minute, when a new sample is due), ending with the live counts of now.
import { computed, onBeforeUnmount, ref, watch, type Ref } from 'vue';
import { urqlClient } from '../graphql/client';
import { SWARM_HISTORY } from '../graphql/documents';
import type { SwarmCounts, SwarmPoint } from '../lib/live-swarm';

/** The spans offered, in minutes, and how they are named. */
export const SPANS = [
  { minutes: 60, label: '1 hour' },
  { minutes: 360, label: '6 hours' },
  { minutes: 1440, label: '24 hours' },
  { minutes: 4320, label: '3 days' },
] as const;

interface Sample { at: string; seeders: number; leechers: number; completed: number }

/** `infoHash` null: nothing to load (not a torrent). */
export function useSwarmHistory(infoHash: () => string | null, live: Ref<SwarmCounts | null>) {
  const minutes = ref<number>(SPANS[0].minutes);
  const samples = ref<SwarmPoint[]>([]);
  const now = ref(Date.now());
  let generation = 0;

  async function load(): Promise<void> {
    const mine = ++generation;
    const h = infoHash();
    if (h === null) return void (samples.value = []);
    const r = await urqlClient.query<{ swarm: { history: Sample[] } | null }>(SWARM_HISTORY, { infoHash: h, minutes: minutes.value }, { requestPolicy: 'network-only' }).toPromise();
    if (mine !== generation) return;
    now.value = Date.now();
    samples.value = (r.data?.swarm?.history ?? []).map((s) => ({ at: Date.parse(s.at), seeders: s.seeders, leechers: s.leechers, completed: s.completed }));
  }
  watch([infoHash, minutes], () => void load(), { immediate: true });
  // samples are taken just after each minute starts
  const timer = setInterval(() => void load(), 60_000);
  const tick = setInterval(() => (now.value = Date.now()), 10_000);
  onBeforeUnmount(() => {
    clearInterval(timer);
    clearInterval(tick);
  });

  const from = computed(() => now.value - minutes.value * 60_000);
  const points = computed<SwarmPoint[]>(() => {
    const c = live.value;
    const past = samples.value.filter((p) => p.at >= from.value - 60_000);
    return c ? [...past, { at: Math.max(now.value - 1000, past.at(-1)?.at ?? 0), ...c }] : past;
  });
  const spanLabel = computed(() => SPANS.find((s) => s.minutes === minutes.value)?.label ?? `${minutes.value} min`);
  return { minutes, points, from, to: now, spanLabel };
}
