// A hash table from whole numbers (0 to 2^53 - 1) to numbers, kept in two Float64Arrays: open
// addressing, linear probing, deletion by shifting back (no tombstones). The swarm's IPv4 keys
// (ip * 65536 + port) and identities do not fit a small integer, so a Map would box each one
// into a heap object per entry; here an entry costs no object, no allocation and nothing for the
// garbage collector to trace, which the announce path of a big swarm pays for on every new peer.

const EMPTY = -1;
const MIN_CAPACITY = 8;

/** Slot of `key` in a table of mask + 1 slots (a power of two). */
function home(key: number, mask: number): number {
  const hi = Math.floor(key / 4294967296);
  let h = Math.imul((key >>> 0) ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) & mask;
}

export class NumberIndex {
  private keys: Float64Array;
  private vals: Float64Array;
  private mask: number;
  /** Entries held. */
  size = 0;

  constructor(capacity = MIN_CAPACITY) {
    this.keys = new Float64Array(capacity).fill(EMPTY);
    this.vals = new Float64Array(capacity);
    this.mask = capacity - 1;
  }

  /** The value of `key` (a whole number from 0 to 2^53 - 1), or -1 when absent. */
  get(key: number): number {
    const keys = this.keys, mask = this.mask;
    for (let i = home(key, mask); ; i = (i + 1) & mask) {
      const k = keys[i];
      if (k === key) return this.vals[i];
      if (k === EMPTY) return -1;
    }
  }

  /** Sets `key` to `value` (added or replaced). */
  set(key: number, value: number): void {
    const keys = this.keys, mask = this.mask;
    for (let i = home(key, mask); ; i = (i + 1) & mask) {
      const k = keys[i];
      if (k === key) {
        this.vals[i] = value;
        return;
      }
      if (k === EMPTY) {
        keys[i] = key;
        this.vals[i] = value;
        // at most half full, so probes stay short
        if (++this.size * 2 > keys.length) this.resize(keys.length * 2);
        return;
      }
    }
  }

  /** Removes `key`; true when it was there. */
  delete(key: number): boolean {
    const keys = this.keys, vals = this.vals, mask = this.mask;
    let i = home(key, mask);
    for (; ; i = (i + 1) & mask) {
      const k = keys[i];
      if (k === key) break;
      if (k === EMPTY) return false;
    }
    // shift back the entries after i that would no longer be found past the hole
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const k = keys[j];
      if (k === EMPTY) break;
      const h = home(k, mask);
      // j's entry may move to the hole i unless its home lies cyclically in (i, j]
      if (i <= j ? (h <= i || h > j) : (h <= i && h > j)) {
        keys[i] = k;
        vals[i] = vals[j];
        i = j;
      }
    }
    keys[i] = EMPTY;
    this.size--;
    if (keys.length > MIN_CAPACITY && this.size * 8 < keys.length) this.resize(keys.length / 2);
    return true;
  }

  private resize(capacity: number): void {
    const oldKeys = this.keys, oldVals = this.vals;
    this.keys = new Float64Array(capacity).fill(EMPTY);
    this.vals = new Float64Array(capacity);
    this.mask = capacity - 1;
    const keys = this.keys, vals = this.vals, mask = this.mask;
    for (let j = 0; j < oldKeys.length; j++) {
      const k = oldKeys[j];
      if (k === EMPTY) continue;
      let i = home(k, mask);
      while (keys[i] !== EMPTY) i = (i + 1) & mask;
      keys[i] = k;
      vals[i] = oldVals[j];
    }
  }
}
