// A request head still arriving, for the tracker fast path: the first chunk is kept as it is and
// later ones are copied into one buffer that doubles as it fills, each byte is looked at once (a
// head sent a byte at a time costs O(n), not O(n²)), and a
// byte that Node's parser refuses wherever it stands in a head (a control byte, a CR without LF,
// an LF without CR) is reported as soon as it arrives, so that parser can answer at once.

/** push(): no verdict yet. */
export const MORE = -1;
/** push(): a byte llhttp refuses in any head; hand the bytes to Node's parser. */
export const ODD = -2;

const CR = 13;
const LF = 10;

/** First size of the buffer later chunks are copied into. */
const FIRST_CAPACITY = 1024;

export class PendingHead {
  /**
   * The bytes gathered, from 0 to length: the first chunk itself, then a buffer of our own. Not a
   * list of the chunks: a head sent a byte at a time is 16,000 one-byte Buffers, each with its own
   * backing store (100 such connections grew the server by ~190 MB in bench:abuse's byte-heads-100).
   */
  private bytes: Buffer | null = null;
  private owned = false;
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
    this.append(chunk);
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

  private append(chunk: Buffer): void {
    const end = this.length + chunk.length;
    if (this.bytes === null) {
      this.bytes = chunk;
    } else {
      if (!this.owned || end > this.bytes.length) {
        let capacity = Math.max(FIRST_CAPACITY, this.owned ? this.bytes.length : 0);
        while (capacity < end) capacity *= 2;
        const grown = Buffer.allocUnsafe(capacity);
        this.bytes.copy(grown, 0, 0, this.length);
        this.bytes = grown;
        this.owned = true;
      }
      chunk.copy(this.bytes, this.length);
    }
    this.length = end;
  }

  /** Every byte gathered, as one buffer (a view of ours: valid until the next push). */
  join(): Buffer {
    return this.bytes === null ? Buffer.alloc(0) : this.bytes.subarray(0, this.length);
  }

  /** The request line without its line end (latin1); only once lineEnd is known. */
  line(): string {
    let end = this.lineEnd;
    const all = this.join();
    if (end > 0 && all[end - 1] === CR) end--;
    return all.toString('latin1', 0, end);
  }
}
