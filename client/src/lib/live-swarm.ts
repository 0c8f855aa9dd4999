// Live swarm counts: updates pushed by the `swarmUpdated` subscription merged over the counts a
// query returned, keyed by info_hash. Plain data in, plain data out (the composable makes it reactive).

export interface SwarmCounts {
  seeders: number;
  leechers: number;
  completed: number;
}

export interface SwarmUpdate extends SwarmCounts {
  infoHash: string;
}

/** A point of the swarm history chart: milliseconds since epoch and the counts then. */
export interface SwarmPoint extends SwarmCounts {
  at: number;
}

/** Records an update in `live` (mutates and returns it); the newest push wins. */
export function mergeUpdate(live: Map<string, SwarmCounts>, u: SwarmUpdate): Map<string, SwarmCounts> {
  live.set(u.infoHash, { seeders: u.seeders, leechers: u.leechers, completed: u.completed });
  return live;
}

/** Counts to show for a torrent: a pushed update when one arrived, else what the query returned. */
export function countsOf<T extends SwarmCounts & { infoHash: string }>(t: T, live: ReadonlyMap<string, SwarmCounts>): SwarmCounts {
  const l = live.get(t.infoHash);
  return l ?? { seeders: t.seeders, leechers: t.leechers, completed: t.completed };
}

/** SVG polyline points ("x,y x,y") of one series over [from, to] ms, scaled into width × height (max counts at the top). */
export function chartPoints(history: SwarmPoint[], key: 'seeders' | 'leechers', from: number, to: number, max: number, width: number, height: number): string {
  if (history.length === 0) return '';
  const span = Math.max(1, to - from);
  const top = Math.max(1, max);
  const pts: string[] = [];
  // step chart: a count holds until the next point, and the last one until `to`
  history.forEach((h, i) => {
    const x = ((Math.max(h.at, from) - from) / span) * width;
    const y = height - (h[key] / top) * height;
    if (i > 0) pts.push(`${x.toFixed(1)},${(height - (history[i - 1][key] / top) * height).toFixed(1)}`);
    pts.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  });
  const lastY = height - (history[history.length - 1][key] / top) * height;
  pts.push(`${width.toFixed(1)},${lastY.toFixed(1)}`);
  return pts.join(' ');
}

/** A labelled tick of a chart axis: its value (ms or a count) and its text. */
export interface Tick {
  value: number;
  label: string;
}

const STEPS_MIN = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440];
const pad2 = (n: number): string => String(n).padStart(2, '0');
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Time ticks over [from, to] ms at a round step giving at most `count` of them, in local time ("14:05", with the weekday past a day: "Tue 14:00"). */
export function timeTicks(from: number, to: number, count = 6, tzOffsetMin = new Date(from).getTimezoneOffset()): Tick[] {
  const span = Math.max(1, to - from);
  const step = (STEPS_MIN.find((m) => span / (m * 60_000) <= count) ?? 1440) * 60_000;
  const shift = -tzOffsetMin * 60_000; // round steps in local time (whole hours and days)
  const out: Tick[] = [];
  for (let t = Math.ceil((from + shift) / step) * step - shift; t <= to; t += step) {
    const d = new Date(t + shift);
    const hm = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
    out.push({ value: t, label: span > 86_400_000 ? `${DAYS[d.getUTCDay()]} ${hm}` : hm });
  }
  return out;
}

/** A round top for a count axis at or above `max` (1, 2, 5, 10, 20, 50, …), and its ticks: 0, half when whole, top. */
export function countTicks(max: number): { top: number; ticks: Tick[] } {
  let top = 1;
  for (let e = 1; top < max; e *= 10) top = [1, 2, 5, 10].map((m) => m * e).find((v) => v >= max) ?? 10 * e;
  const ticks = top % 2 === 0 ? [0, top / 2, top] : [0, top];
  return { top, ticks: ticks.map((v) => ({ value: v, label: String(v) })) };
}
