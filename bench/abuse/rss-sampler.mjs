// Samples a process's resident memory every SAMPLE_MS from /proc/<pid>/status: the peak VmRSS
// seen while running (the attack's own peak) and VmHWM (the process's peak since it started); and
// the CPU time the process used while sampled (utime + stime of /proc/<pid>/stat).
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

/** CPU time `pid` has used, in ms (clock ticks of 10 ms), or null when it is gone. */
export function readCpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // utime, stime (fields 14 and 15); USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** Starts sampling; `stop()` returns { start_kb, peak_kb, end_kb, hwm_kb, samples, gone } (kB) and cpu_ms. */
export function startRssSampler(pid, intervalMs = 50) {
  const first = readRss(pid);
  const cpu0 = readCpuMs(pid);
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
      const cpu1 = readCpuMs(pid);
      return { start_kb: first?.rss ?? null, peak_kb: peak, end_kb: r?.rss ?? null, hwm_kb: r?.hwm ?? null, samples, gone,
        cpu_ms: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 };
    },
  };
}
