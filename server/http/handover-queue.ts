// Connections the fast path hands to Node's http server start a few per event-loop turn. Node
// parses a request and runs its handler (GraphQL parse, validation and execution, a WebSocket
// handshake, a webseed lookup) in the turn its bytes are read, so a burst of new API connections
// (2,000 sockets opened at once, 300 logins in flight) would otherwise all run before the next
// announce is read. Queued sockets stay paused: the kernel holds their bytes meanwhile.
import type { Socket } from 'node:net';

/** Connections handed to Node's parser per event-loop turn; the rest wait for later turns (setImmediate). */
export const MAX_HANDOVERS_PER_TURN = 8;

export class HandOverQueue {
  private readonly queue: Socket[] = [];
  private head = 0;
  private scheduled = false;

  constructor(
    private readonly start: (socket: Socket) => void,
    private readonly perTurn = MAX_HANDOVERS_PER_TURN,
  ) {}

  /** Sockets waiting now. */
  get length(): number {
    return this.queue.length - this.head;
  }

  /** Starts `socket` (paused, its unread bytes unshifted) on this turn's budget, or on a later turn. */
  add(socket: Socket): void {
    this.queue.push(socket);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  /** Destroys every socket still waiting (shutdown). */
  destroyAll(): void {
    for (let i = this.head; i < this.queue.length; i++) this.queue[i].destroy();
    this.queue.length = 0;
    this.head = 0;
  }

  private readonly run = (): void => {
    this.scheduled = false;
    let started = 0;
    while (started < this.perTurn && this.head < this.queue.length) {
      const socket = this.queue[this.head++];
      if (socket.destroyed) continue; // gone while it waited: costs nothing
      started++;
      this.start(socket);
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else {
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.scheduled = true;
      setImmediate(this.run);
    }
  };
}
