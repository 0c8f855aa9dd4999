// Fewer writes per message relayed: a relayed message corks its target's TCP socket until the
// end of the event-loop turn (one setImmediate uncorks every socket corked in the turn), and the
// target's own reply, when it comes, leaves at once with whatever was relayed to it before. So
// a socket's reply and the offers other sockets relayed to it leave in one writev instead of one
// each, and no reply waits. `ws` frames each message with a cork/uncork pair of its own, which
// only nests inside ours. Order on a socket is unchanged, and corked bytes count in ws's
// bufferedAmount (the WS_MAX_BUFFERED_BYTES check).
import type { Duplex } from 'node:stream';

export class SendBatch {
  private readonly held: Duplex[] = [];
  private queued = false;
  private readonly flush = (): void => {
    this.queued = false;
    const held = this.held;
    // a socket released (and corked again) in the turn is listed twice: uncork is then a no-op
    for (let i = 0; i < held.length; i++) if (held[i].writableCorked > 0) held[i].uncork();
    held.length = 0;
  };

  /** Corks `socket` until the end of this turn (once: a socket already corked stays so). */
  hold(socket: Duplex): void {
    if (socket.writableCorked > 0) return;
    socket.cork();
    this.held.push(socket);
    if (!this.queued) {
      this.queued = true;
      setImmediate(this.flush);
    }
  }

  /** Sends what is held for `socket` now (outside ws's own cork, the only cork is ours). */
  release(socket: Duplex): void {
    if (socket.writableCorked > 0) socket.uncork();
  }
}
