// Samples a process's resident memory every SAMPLE_MS from /proc/<pid>/status: the peak VmRSS
// seen while running (the attack's own peak) and VmHWM (the process's peak since it started).
import { readFileSync } from 'node:fs';

const kb = (status, field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);

/** Reads VmRSS and VmHWM of `pid` in kB, or null when the process is gone. */
export function readRss(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rss: kb(s, 'VmRSS'), hwm: kb(s, 'VmHWM') };
  } catch {
    return null;
  }
}

/** Starts sampling; `stop()` returns { start_kb, peak_kb, end_kb, hwm_kb, samples, gone } (kB). */
export function startRssSampler(pid, intervalMs = 50) {
  const first = readRss(pid);
  let peak = first?.rss ?? 0, last = first, samples = 0, gone = first === null;
  const timer = setInterval(() => {
    const r = readRss(pid);
    if (r === null) { gone = true; return; }
    samples++;
    last = r;
    if (r.rss > peak) peak = r.rss;
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const r = readRss(pid) ?? last;
      if (r && r.rss > peak) peak = r.rss;
      return { start_kb: first?.rss ?? null, peak_kb: peak, end_kb: r?.rss ?? null, hwm_kb: r?.hwm ?? null, samples, gone };
    },
  };
}
