// GraphQL work in slices of the event loop. SQLite answers synchronously and graphql-js completes a
// list's items in one synchronous pass, so an operation at the cost limit (two pages of 100
// torrents, or 1,000 files) ran in one stretch of about 15 ms, and an announce that arrived then
// waited for all of it. Here the work is cut into slices of SLICE_MS: list items handed to
// graphql-js as `paced` thenables complete at once while the current slice has time and otherwise
// in a later loop turn (setImmediate, first come first served), and resolvers call `checkpoint`
// before a database query. Between two slices the loop polls its sockets, so announces are answered
// between the parts of a big reply. A slice begins where GraphQL work begins a loop turn: an
// operation's start (admission.ts) and each turn of the queue here.

/** Milliseconds of GraphQL work in one slice before the rest waits for a later loop turn. */
export const SLICE_MS = 3;
/** Lists this long or shorter are completed in one piece (pacing would cost more than it saves). */
export const PACE_MIN_ITEMS = 16;

type Job = () => void;

export class LoopSlices {
  private started = -Infinity;
  private queue: (Job | undefined)[] = [];
  private head = 0;
  private scheduled = false;
  /** Loop turns the queue has taken (a test reads it). */
  turns = 0;

  constructor(private readonly sliceMs = SLICE_MS, private readonly clock: () => number = () => performance.now()) {}

  /** Marks the start of a slice of GraphQL work in this loop turn. */
  begin(): void {
    this.started = this.clock();
  }

  /** Jobs waiting for a later turn. */
  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** True while the current slice has time left and nothing waits before the caller. */
  hasTime(): boolean {
    return this.head === this.queue.length && this.clock() - this.started < this.sliceMs;
  }

  /** undefined while the slice has time (go on at once); else a promise resolved in a later turn. */
  checkpoint(): Promise<void> | undefined {
    if (this.hasTime()) return undefined;
    return new Promise((resolve) => this.push(resolve));
  }

  /**
   * `items` for a GraphQL list field. graphql-js completes a thenable item in its `then`
   * callback; each runs at once while the slice has time, else queued for a later turn.
   */
  paced<T>(items: T[]): T[] {
    if (items.length <= PACE_MIN_ITEMS) return items;
    return items.map((item) => new Paced(item, this)) as unknown as T[];
  }

  /** Queues `job` for a later turn. */
  push(job: Job): void {
    this.queue.push(job);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.drain);
  }

  private readonly drain = (): void => {
    this.scheduled = false;
    this.turns++;
    this.begin();
    while (this.head < this.queue.length) {
      const job = this.queue[this.head]!;
      this.queue[this.head++] = undefined;
      job();
      if (this.clock() - this.started >= this.sliceMs) break;
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
      return;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.scheduled = true;
    setImmediate(this.drain); // set during the check phase: runs in the next loop turn, after a poll
  };
}

/** One list item as graphql-js sees it: a thenable whose callback the slices run. */
class Paced<T> implements PromiseLike<T> {
  constructor(private readonly value: T, private readonly slices: LoopSlices) {}

  then<A = T, B = never>(onFulfilled?: ((value: T) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    if (!onFulfilled) return Promise.resolve(this.value).then(onFulfilled, onRejected);
    const run = (): Promise<A> => {
      try {
        return Promise.resolve(onFulfilled(this.value));
      } catch (e) {
        return Promise.reject(e);
      }
    };
    const done = this.slices.hasTime() ? run() : new Promise<A>((resolve) => this.slices.push(() => resolve(run())));
    return onRejected ? done.then(undefined, onRejected) : done;
  }
}

/** The server's slices (one event loop, one queue). */
export const loopSlices = new LoopSlices();
