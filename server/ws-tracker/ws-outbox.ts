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
  /** Messages: text, or UTF-8 bytes already encoded. */
  readonly texts: (string | Uint8Array)[] = [];
  readonly lengths: number[] = [];
  /** Payload bytes queued (without frame headers), and with them. */
  bytes = 0;
  frameBytes = 0;
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

/** Writes the queued messages of `q` as text frames into `buf` at `off` (room: q.frameBytes); empties the queue. */
export function takeFrames(q: OutQueue, buf: Buffer, off: number): number {
  const { texts, lengths } = q;
  for (let i = 0; i < texts.length; i++) {
    off = writeTextHeader(buf, off, lengths[i]);
    const t = texts[i];
    if (typeof t === 'string') off += buf.write(t, off);
    else {
      buf.set(t, off);
      off += t.length;
    }
  }
  clear(q);
  return off;
}

function clear(q: OutQueue): void {
  q.texts.length = 0;
  q.lengths.length = 0;
  q.bytes = 0;
  q.frameBytes = 0;
}

/** Frames of one turn are written into shared Buffers of this size (a bigger queue gets its own). */
const ARENA_BYTES = 64 * 1024;

export class Outbox {
  private readonly held: OutQueue[] = [];
  private queued = false;
  private readonly flushAll = (): void => {
    this.queued = false;
    const held = this.held;
    let arena: Buffer | undefined, off = 0;
    for (let i = 0; i < held.length; i++) {
      const q = held[i];
      if (q.texts.length === 0) continue; // flushed or dropped already
      if (arena === undefined || off + q.frameBytes > arena.length) {
        arena = Buffer.allocUnsafeSlow(Math.max(ARENA_BYTES, q.frameBytes));
        off = 0;
      }
      const start = off;
      off = takeFrames(q, arena, off);
      if (!q.open() || q.socket.destroyed || !q.socket.writable) continue;
      // a socket that is not reading keeps what it was given: a copy, so that it pins no arena
      // (at most the one it was given when it stopped)
      const frames = arena.subarray(start, off);
      q.socket.write(q.socket.writableLength > 0 ? Buffer.from(frames) : frames);
    }
    held.length = 0;
  };

  /** Queues `text` (a string, or its UTF-8 bytes) on `q`, written at the end of this turn. */
  queue(q: OutQueue, text: string | Uint8Array): void {
    if (q.texts.length === 0) {
      this.held.push(q);
      if (!this.queued) {
        this.queued = true;
        setImmediate(this.flushAll);
      }
    }
    const n = typeof text === 'string' ? Buffer.byteLength(text) : text.length;
    q.texts.push(text);
    q.lengths.push(n);
    q.bytes += n;
    q.frameBytes += headerBytes(n) + n;
  }

  /** Writes what `q` holds now (before a close frame, say); a no-op when it holds nothing. */
  flush(q: OutQueue): void {
    if (q.texts.length === 0) return;
    const buf = Buffer.allocUnsafe(q.frameBytes);
    takeFrames(q, buf, 0);
    if (q.open() && !q.socket.destroyed && q.socket.writable) q.socket.write(buf);
  }

  /** Forgets what `q` holds (its socket is closing). */
  drop(q: OutQueue): void {
    clear(q);
  }
}
