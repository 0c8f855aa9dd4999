// Announces answered over the last minute, in one-second buckets (a counter bump per announce).

export class AnnounceRate {
  private readonly buckets = new Uint32Array(60);
  private second = 0;

  private roll(now: number): void {
    const s = Math.floor(now / 1000);
    if (s === this.second) return;
    const gap = Math.min(60, s - this.second);
    for (let i = 1; i <= gap; i++) this.buckets[(this.second + i) % 60] = 0;
    this.second = s;
  }

  /** Counts one announce. */
  tick(now = Date.now()): void {
    this.roll(now);
    this.buckets[this.second % 60]++;
  }

  /** Announces in the last 60 seconds. */
  lastMinute(now = Date.now()): number {
    this.roll(now);
    let n = 0;
    for (const b of this.buckets) n += b;
    return n;
  }
}
