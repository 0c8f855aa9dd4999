// Takes turns for GraphQL operations, so the API never holds the event loop in one long run while
// announces wait. At most MAX_RUNNING operations run at once, and they start one per loop turn
// (setImmediate): a burst of requests (SQLite answers synchronously, so an operation may never
// yield by itself) runs one operation at a time with the sockets polled, and announces answered,
// in between. A client
// address may have MAX_PER_ADDRESS operations running or waiting, and MAX_WAITING may wait in all;
// beyond that a request is refused at once (RATE_LIMITED, HTTP 429).
import { addressGroup } from '../tracker/address-group.js';
import { loopSlices } from './loop-slices.js';

/** Operations running at once (one waiting on MariaDB holds no CPU but keeps its place). */
export const MAX_RUNNING = 4;
/** Operations waiting for a turn, in all. */
export const MAX_WAITING = 256;
/** Operations running or waiting per client address (IPv6: per /64). */
export const MAX_PER_ADDRESS = 8;

/** A turn: call `done` once the operation has answered. */
export type Turn = { done(): void };

export class Admission {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private head = 0;
  private scheduled = false;
  private readonly perAddress = new Map<string, number>();

  /** Operations running or waiting now. */
  get size(): number {
    return this.running + this.waiting.length - this.head;
  }

  /** A turn for an operation from `ip`, resolved when it may run; null when refused (over a limit). */
  enter(ip: string): Promise<Turn> | null {
    const key = addressGroup(ip);
    const mine = this.perAddress.get(key) ?? 0;
    if (mine >= MAX_PER_ADDRESS || this.waiting.length - this.head >= MAX_WAITING) return null;
    this.perAddress.set(key, mine + 1);
    let released = false;
    const turn: Turn = {
      done: () => {
        if (released) return;
        released = true;
        const n = (this.perAddress.get(key) ?? 1) - 1;
        if (n === 0) this.perAddress.delete(key);
        else this.perAddress.set(key, n);
        this.running--;
        this.next();
      },
    };
    return new Promise((resolve) => {
      this.waiting.push(() => resolve(turn));
      this.next();
    });
  }

  /** Schedules a start unless one is scheduled: starts are one per loop turn, so sockets are polled between them. */
  private next(): void {
    if (this.scheduled || this.running >= MAX_RUNNING || this.head >= this.waiting.length) return;
    this.scheduled = true;
    setImmediate(this.startOne);
  }

  private readonly startOne = (): void => {
    this.scheduled = false;
    if (this.running >= MAX_RUNNING || this.head >= this.waiting.length) return;
    const start = this.waiting[this.head];
    this.waiting[this.head++] = noop;
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    this.running++;
    loopSlices.begin(); // the operation's first slice of work is this turn's
    start();
    this.next();
  };
}

const noop = (): void => undefined;
