// A request head still arriving, for the tracker fast path: chunks are kept in a list and joined
// once, each byte is looked at once (a head sent a byte at a time costs O(n), not O(n²)), and a
// byte that Node's parser refuses wherever it stands in a head (a control byte, a CR without LF,
// an LF without CR) is reported as soon as it arrives, so that parser can answer at once.

/** push(): no verdict yet. */
export const MORE = -1;
/** push(): a byte llhttp refuses in any head; hand the bytes to Node's parser. */
export const ODD = -2;

const CR = 13;
const LF = 10;

export class PendingHead {
  private readonly chunks: Buffer[] = [];
  /** Bytes gathered so far. */
  length = 0;
  /** Offset of the LF ending the request line (first line), or -1 while it is incomplete. */
  lineEnd = -1;
  private prev = -1;
  /** 1 after CR, 2 after CRLF, 3 after CRLF CR: how much of the blank line the bytes so far end with. */
  private blank = 0;

  /** Adds a chunk; returns the offset of the CRLFCRLF that ends the head, MORE, or ODD. */
  push(chunk: Buffer): number {
    const base = this.length;
    this.chunks.push(chunk);
    this.length += chunk.length;
    let prev = this.prev;
    let blank = this.blank;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (prev === CR && b !== LF) return ODD;
      if (b === LF) {
        if (this.lineEnd === -1) this.lineEnd = base + i;
        if (prev !== CR) return ODD;
        if (blank === 3) return base + i - 3;
        blank = 2;
      } else if (b === CR) {
        blank = blank === 2 ? 3 : 1;
      } else if ((b < 0x20 && b !== 0x09) || b === 0x7f) {
        return ODD;
      } else {
        blank = 0;
      }
      prev = b;
    }
    this.prev = prev;
    this.blank = blank;
    return MORE;
  }

  /** Every byte gathered, as one buffer (joined once; later calls reuse it). */
  join(): Buffer {
    if (this.chunks.length > 1) {
      const all = Buffer.concat(this.chunks, this.length);
      this.chunks.length = 0;
      this.chunks.push(all);
    }
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /** The request line without its line end (latin1); only once lineEnd is known. */
  line(): string {
    let end = this.lineEnd;
    const all = this.join();
    if (end > 0 && all[end - 1] === CR) end--;
    return all.toString('latin1', 0, end);
  }
}
