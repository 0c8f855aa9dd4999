// Bytes the webseed hands to sockets per event-loop turn, across all its responses. A socket's
// kernel buffers take megabytes before a client that stops reading pushes back, so 64 downloads
// opened at once were all copying their first megabytes into the kernel in the same few turns
// (each write also runs the loopback receiver's TCP work), and announces read in those turns
// waited tens of milliseconds. With a budget per turn the copying is spread over later turns;
// a response over the budget waits for the next turn (setImmediate), first come first served.

/** Bytes written by all webseed responses in one turn before the next waits for a later turn (16 chunks of 256 KiB). */
export const WEBSEED_BYTES_PER_TURN = 4 * 1024 * 1024;

export class TurnBudget {
  private left: number;
  private scheduled = false;
  private readonly waiting: { n: number; go: () => void }[] = [];
  private head = 0;

  constructor(private readonly perTurn = WEBSEED_BYTES_PER_TURN) {
    this.left = perTurn;
  }

  /** Responses waiting for a later turn. */
  get waiters(): number {
    return this.waiting.length - this.head;
  }

  /**
   * Takes `n` bytes of this turn's budget: null when they fit (go on at once), else a promise
   * resolved on the first later turn with room. A single take larger than the whole budget goes
   * alone at the start of a turn.
   */
  take(n: number): Promise<void> | null {
    this.schedule(); // the budget is renewed on the next turn
    if (this.head === this.waiting.length && (n <= this.left || this.left === this.perTurn)) {
      this.left -= n;
      return null;
    }
    return new Promise((resolve) => this.waiting.push({ n, go: resolve }));
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.turn);
  }

  private readonly turn = (): void => {
    this.scheduled = false;
    this.left = this.perTurn;
    while (this.head < this.waiting.length) {
      const w = this.waiting[this.head];
      if (w.n > this.left && this.left !== this.perTurn) break;
      this.left -= w.n;
      this.head++;
      w.go();
    }
    if (this.head === this.waiting.length) {
      this.waiting.length = 0;
      this.head = 0;
      // what the waiters took is given back on the next turn; an untouched budget needs no turn
      if (this.left < this.perTurn) this.schedule();
    } else {
      if (this.head > 1024) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      this.schedule();
    }
  };
}
