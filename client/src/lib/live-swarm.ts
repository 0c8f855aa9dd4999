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

/** Appends a point to a history, dropping points older than `windowMs` before `p.at`, and repeats of the same counts within a second. */
export function addPoint(history: SwarmPoint[], p: SwarmPoint, windowMs = 10 * 60_000): SwarmPoint[] {
  const kept = history.filter((h) => p.at - h.at <= windowMs);
  const last = kept[kept.length - 1];
  if (last && last.seeders === p.seeders && last.leechers === p.leechers && p.at - last.at < 1000) return kept;
  return [...kept, p];
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
