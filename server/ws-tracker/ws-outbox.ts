// What the tracker sends, one write per socket per event-loop turn (RFC 6455 §5.2 framing): a
// message to a socket (a relayed offer or answer, the socket's own reply) is queued on it, and at
// the end of the turn (one setImmediate) every socket with messages gets them as unmasked text
// frames in one Buffer, one socket.write. Cheaper than `ws`'s send per message (a header Buffer,
// a cork and two writes each, then a writev of them all). The frames are the ones `ws` writes
// (FIN, opcode 1, no extension, no mask: a server's); `ws` itself still writes its control frames
// (close, pong) straight to the socket, always between whole messages. Order on a socket is kept.
import type { Duplex } from 'node:stream';

/** One socket's queue: messages not yet written, and their UTF-8 bytes. */
export abstract class OutQueue {
  readonly texts: string[] = [];
  readonly lengths: number[] = [];
  /** Payload bytes queued (without frame headers). */
  bytes = 0;
  constructor(readonly socket: Duplex) {}
  /** Whether data frames may still be written (false once a close frame went either way). */
  abstract open(): boolean;
}

/** Bytes of the header of an unmasked frame carrying `n` payload bytes. */
const headerBytes = (n: number): number => (n < 126 ? 2 : n < 65536 ? 4 : 10);

/** Writes the header of a final, unmasked text frame of `n` payload bytes at `off`; returns the offset after it. */
export function writeTextHeader(buf: Buffer, off: number, n: number): number {
  buf[off] = 0x81;
  if (n < 126) {
    buf[off + 1] = n;
    return off + 2;
  }
  if (n < 65536) {
    buf[off + 1] = 126;
    buf.writeUInt16BE(n, off + 2);
    return off + 4;
  }
  buf[off + 1] = 127;
  buf.writeUInt32BE(Math.floor(n / 2 ** 32), off + 2);
  buf.writeUInt32BE(n >>> 0, off + 6);
  return off + 10;
}

/** The queued messages of `q` as text frames, one Buffer; empties the queue. */
export function takeFrames(q: OutQueue): Buffer {
  const { texts, lengths } = q;
  let total = 0;
  for (let i = 0; i < lengths.length; i++) total += headerBytes(lengths[i]) + lengths[i];
  const buf = Buffer.allocUnsafe(total);
  let off = 0;
  for (let i = 0; i < texts.length; i++) {
    off = writeTextHeader(buf, off, lengths[i]);
    off += buf.write(texts[i], off);
  }
  texts.length = 0;
  lengths.length = 0;
  q.bytes = 0;
  return buf;
}

export class Outbox {
  private readonly held: OutQueue[] = [];
  private queued = false;
  private readonly flushAll = (): void => {
    this.queued = false;
    const held = this.held;
    for (let i = 0; i < held.length; i++) this.flush(held[i]);
    held.length = 0;
  };

  /** Queues `text` on `q`, written at the end of this turn. */
  queue(q: OutQueue, text: string): void {
    if (q.texts.length === 0) {
      this.held.push(q);
      if (!this.queued) {
        this.queued = true;
        setImmediate(this.flushAll);
      }
    }
    const n = Buffer.byteLength(text);
    q.texts.push(text);
    q.lengths.push(n);
    q.bytes += n;
  }

  /** Writes what `q` holds now (before a close frame, say); a no-op when it holds nothing. */
  flush(q: OutQueue): void {
    if (q.texts.length === 0) return;
    const frames = takeFrames(q);
    if (q.open() && !q.socket.destroyed && q.socket.writable) q.socket.write(frames);
  }

  /** Forgets what `q` holds (its socket is closing). */
  drop(q: OutQueue): void {
    q.texts.length = 0;
    q.lengths.length = 0;
    q.bytes = 0;
  }
}
