// Display formatting shared by every page: byte sizes, rates, durations and dates.
// Plain functions without DOM access, so node --test covers them.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Bytes as "1.5 MiB" (binary units, 3 significant digits; whole bytes below 1 KiB), joined by a no-break space so a size never wraps. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${v}\u00a0B`;
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${v.toFixed(digits)}\u00a0${UNITS[u]}`;
}

/** Bytes per second as "2.4 MiB/s"; "—" for an unknown (NaN or negative) rate. */
export function formatRate(bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond < 0) return '—';
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** Seconds as "45 s", "3 min 05 s", "2 h 07 min"; "—" when unknown or infinite. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** An ISO date as a relative phrase ("just now", "5 minutes ago", "3 days ago") or, past 30 days, "12 Mar 2024". */
export function formatDate(iso: string, now: number = Date.now()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const s = Math.round((now - t) / 1000);
  if (s < 45) return 'just now';
  const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'} ago`;
  if (s < 3600) return plural(Math.max(1, Math.round(s / 60)), 'minute');
  if (s < 86_400) return plural(Math.round(s / 3600), 'hour');
  if (s < 30 * 86_400) return plural(Math.round(s / 86_400), 'day');
  const d = new Date(t);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** An ISO date as an exact UTC timestamp "2024-03-12 14:05 UTC" (for tooltips). */
export function formatTimestamp(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  return new Date(t).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}
