// Read buffers of webseed responses, shared fairly. A global byte budget keeps memory bounded
// however many clients read; a cap per connection and per client address (IPv4 address, IPv6 /64)
// means clients that stop reading hold little of it and cannot starve the others. Waiting
// responses are served round-robin by address, first come first served within one address.

/** Bytes read and handed to a socket at once, at most: one `pread` and one socket write. */
export const CHUNK_BYTES = 256 * 1024;
/** Bytes held by all webseed responses at once (buffers read and not yet taken by the kernel). */
export const POOL_BYTES = 64 * 1024 * 1024;
/** Bytes held at once by the responses of one client address (IPv6: one /64): an eighth of the pool. */
export const ADDRESS_BYTES = 8 * 1024 * 1024;
/** Bytes held at once by the responses of one connection: one chunk (responses on a connection go one after another). */
export const CONNECTION_BYTES = CHUNK_BYTES;

/**
 * A response whose socket has not taken all of its chunk after this long is cut and its buffer
 * freed (like nginx's send_timeout), so a client that stops reading holds a buffer no longer.
 * With CHUNK_BYTES, a client must take at least 8.7 KB/s (plus what the kernel buffers).
 */
export const SEND_TIMEOUT_MS = 30_000;

export interface BufferLimits {
  chunkBytes: number;
  poolBytes: number;
  addressBytes: number;
  connectionBytes: number;
}

export const DEFAULT_BUFFER_LIMITS: BufferLimits = {
  chunkBytes: CHUNK_BYTES, poolBytes: POOL_BYTES, addressBytes: ADDRESS_BYTES, connectionBytes: CONNECTION_BYTES,
};

/** A buffer lent to one response; `release` (idempotent) returns it once the socket no longer needs it. */
export interface Lease {
  readonly buf: Buffer;
  release(): void;
}

/** Waiters of one address looked at per round: a dispatch costs O(addresses), not O(waiters). */
const SCAN_PER_ADDRESS = 16;

interface Waiter {
  connection: object;
  address: string;
  bytes: number;
  grant: (lease: Lease | null) => void;
}

export class WebseedBuffers {
  readonly limits: BufferLimits;
  /** Bytes lent out now. */
  held = 0;
  /** Requests waiting for a buffer now. */
  waiting = 0;
  /** Whole chunks returned, lent again before any new one is allocated (no churn for the garbage collector). */
  private readonly free: Buffer[] = [];
  private readonly byAddress = new Map<string, number>();
  private readonly byConnection = new Map<object, number>();
  /** Waiters by address; the map's order is the round-robin order (an address served moves to the end). */
  private readonly queues = new Map<string, Waiter[]>();

  constructor(limits: Partial<BufferLimits> = {}) {
    this.limits = { ...DEFAULT_BUFFER_LIMITS, ...limits };
  }

  /**
   * A buffer of `bytes` (at most `chunkBytes`) for a response on `connection` from `address`: at
   * once when every cap allows it and nobody waits, else when its turn comes; null when `signal`
   * aborts first (the response went away).
   */
  take(connection: object, address: string, bytes: number, signal: AbortSignal): Lease | Promise<Lease | null> {
    if (bytes <= 0 || bytes > this.limits.chunkBytes) throw new RangeError(`buffer of ${bytes} bytes`);
    if (this.waiting === 0 && this.fits(connection, address, bytes)) return this.lend(connection, address, bytes);
    if (signal.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiter: Waiter = { connection, address, bytes, grant: resolve };
      const queue = this.queues.get(address);
      if (queue === undefined) this.queues.set(address, [waiter]);
      else queue.push(waiter);
      this.waiting++;
      signal.addEventListener('abort', () => this.cancel(waiter), { once: true });
      this.dispatch();
    });
  }

  private fits(connection: object, address: string, bytes: number): boolean {
    const l = this.limits;
    return this.held + bytes <= l.poolBytes && (this.byAddress.get(address) ?? 0) + bytes <= l.addressBytes &&
      (this.byConnection.get(connection) ?? 0) + bytes <= l.connectionBytes;
  }

  private lend(connection: object, address: string, bytes: number): Lease {
    // a pooled chunk when most of one is wanted (counted whole), else a buffer of the size asked:
    // a 12-byte file or a 16 KiB block needs no 256 KiB buffer
    const whole = bytes * 2 > this.limits.chunkBytes;
    const cost = whole ? this.limits.chunkBytes : bytes;
    const buf = whole ? (this.free.pop() ?? Buffer.allocUnsafeSlow(this.limits.chunkBytes)) : Buffer.allocUnsafe(bytes);
    this.held += cost;
    this.byAddress.set(address, (this.byAddress.get(address) ?? 0) + cost);
    this.byConnection.set(connection, (this.byConnection.get(connection) ?? 0) + cost);
    let released = false;
    return {
      buf: whole ? buf.subarray(0, bytes) : buf,
      release: () => {
        if (released) return;
        released = true;
        this.held -= cost;
        drop(this.byAddress, address, cost);
        drop(this.byConnection, connection, cost);
        if (whole && (this.free.length + 1) * this.limits.chunkBytes <= this.limits.poolBytes) this.free.push(buf);
        if (this.waiting > 0) this.dispatch();
      },
    };
  }

  /** Grants what fits, one waiter per address per round, until a round grants nothing. */
  private dispatch(): void {
    const l = this.limits;
    while (this.waiting > 0) {
      const served: [string, Waiter[]][] = [];
      for (const [address, queue] of this.queues) {
        if (this.held >= l.poolBytes) break;
        const room = Math.min(l.poolBytes - this.held, l.addressBytes - (this.byAddress.get(address) ?? 0));
        if (room <= 0) continue;
        // first come first served, passing over (a few) whose connection holds a buffer already
        const end = Math.min(queue.length, SCAN_PER_ADDRESS);
        let i = 0;
        while (i < end && (queue[i].bytes > room || (this.byConnection.get(queue[i].connection) ?? 0) + queue[i].bytes > l.connectionBytes)) i++;
        if (i === end) continue;
        const [w] = queue.splice(i, 1);
        this.waiting--;
        served.push([address, queue]);
        w.grant(this.lend(w.connection, address, w.bytes));
      }
      // served addresses go to the back of the round
      for (const [address, queue] of served) {
        this.queues.delete(address);
        if (queue.length > 0) this.queues.set(address, queue);
      }
      if (served.length === 0) return;
    }
  }

  private cancel(waiter: Waiter): void {
    const queue = this.queues.get(waiter.address);
    const i = queue?.indexOf(waiter) ?? -1;
    if (queue === undefined || i === -1) return; // granted already
    queue.splice(i, 1);
    if (queue.length === 0) this.queues.delete(waiter.address);
    this.waiting--;
    waiter.grant(null);
  }
}

function drop(m: Map<string | object, number>, key: string | object, bytes: number): void {
  const left = (m.get(key) ?? 0) - bytes;
  if (left > 0) m.set(key, left);
  else m.delete(key);
}
