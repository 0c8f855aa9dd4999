// One write per socket per event-loop turn: the first message queued for a socket in a turn corks
// its TCP socket, and one setImmediate uncorks every socket written to, after the turn's reads
// (and their microtasks) are handled. `ws` frames each message with a cork/uncork pair of its
// own, which only nests inside ours; so the frames of a turn (a socket's reply and the offers
// other sockets relayed to it) leave in one writev instead of one each. Order on a socket is
// unchanged, and corked bytes count in ws's bufferedAmount (the WS_MAX_BUFFERED_BYTES check).
import type { Duplex } from 'node:stream';

export class SendBatch {
  private readonly held: Duplex[] = [];
  private queued = false;
  private readonly flush = (): void => {
    this.queued = false;
    const held = this.held;
    for (let i = 0; i < held.length; i++) held[i].uncork();
    held.length = 0;
  };

  /** Corks `socket` until the end of this turn, once per turn; true when it was corked now. */
  hold(socket: Duplex): boolean {
    if (socket.writableCorked > 0) return false;
    socket.cork();
    this.held.push(socket);
    if (!this.queued) {
      this.queued = true;
      setImmediate(this.flush);
    }
    return true;
  }
}
