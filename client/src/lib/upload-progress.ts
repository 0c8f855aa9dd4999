// Upload progress math: percent, a smoothed rate over a short window, and time left.
// Fed with (time, bytes sent) samples from XMLHttpRequest's upload progress events.

export interface ProgressSample {
  /** Milliseconds (any monotonic clock). */
  at: number;
  /** Bytes sent so far. */
  loaded: number;
}

export interface ProgressView {
  loaded: number;
  total: number;
  /** 0..100, rounded down to one decimal. */
  percent: number;
  /** Bytes per second over the window; NaN until two samples span some time. */
  rate: number;
  /** Seconds left at `rate`; NaN when the rate is unknown or zero; 0 once everything is sent. */
  secondsLeft: number;
}

/** Keeps the samples inside the last `windowMs` (always at least the two newest), oldest first. */
export function addSample(samples: ProgressSample[], s: ProgressSample, windowMs = 3000): ProgressSample[] {
  const out = [...samples, s];
  let first = 0;
  while (out.length - first > 2 && s.at - out[first].at > windowMs) first++;
  return out.slice(first);
}

/** The view of an upload of `total` bytes from its recent samples. */
export function progressView(samples: ProgressSample[], total: number): ProgressView {
  const last = samples[samples.length - 1];
  const loaded = last ? Math.min(last.loaded, total) : 0;
  const percent = total > 0 ? Math.floor((loaded / total) * 1000) / 10 : 0;
  let rate = NaN;
  if (samples.length >= 2) {
    const first = samples[0];
    const dt = (last.at - first.at) / 1000;
    if (dt > 0) rate = (last.loaded - first.loaded) / dt;
  }
  const left = total - loaded;
  const secondsLeft = left <= 0 ? 0 : rate > 0 ? left / rate : NaN;
  return { loaded, total, percent, rate, secondsLeft };
}
