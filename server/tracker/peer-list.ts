// One role (seeders or leechers) of one address family in a swarm, stored as a struct of arrays:
// compact bytes (BEP 23 / BEP 7) side by side, peer ids side by side, and the numbers in a
// Float64Array. No object per peer, so a swarm of millions costs the garbage collector nothing,
// and a reply copies a random run of peers with one or two memcpy.

/** ip:port as a number for IPv4 (ip * 65536 + port), as `ip]port` for IPv6. */
export type PeerKey = number | string;

// IDENTITY: peer-identity.ts, 0 for a peer that sent no key
const UPLOADED = 0, DOWNLOADED = 1, LEFT = 2, LAST_SEEN = 3, IDENTITY = 4, NUMS = 5;

export class PeerList {
  /** keys[i] is the key of slot i; its length is the number of peers. */
  readonly keys: PeerKey[] = [];
  private addrs: Buffer;
  private ids: Buffer;
  private nums: Float64Array;

  /** `width`: 6 for IPv4, 18 for IPv6. */
  constructor(readonly width: number) {
    this.addrs = Buffer.allocUnsafe(width * 4);
    this.ids = Buffer.allocUnsafe(20 * 4);
    this.nums = new Float64Array(NUMS * 4);
  }

  get length(): number {
    return this.keys.length;
  }

  private grow(): void {
    const cap = (this.nums.length / NUMS) * 2;
    const addrs = Buffer.allocUnsafe(cap * this.width);
    this.addrs.copy(addrs);
    const ids = Buffer.allocUnsafe(cap * 20);
    this.ids.copy(ids);
    const nums = new Float64Array(cap * NUMS);
    nums.set(this.nums);
    this.addrs = addrs;
    this.ids = ids;
    this.nums = nums;
  }

  /** Appends a peer (its compact bytes already in `addr` at `addrOff`), without an identity, and returns its slot. */
  add(key: PeerKey, addr: Uint8Array, addrOff: number, peerId: Uint8Array, idOff: number): number {
    const i = this.keys.length;
    if (i === this.nums.length / NUMS) this.grow();
    this.keys.push(key);
    this.nums[i * NUMS + IDENTITY] = 0;
    const w = this.width, a = this.addrs, o = i * w;
    for (let k = 0; k < w; k++) a[o + k] = addr[addrOff + k];
    const d = this.ids, io = i * 20;
    for (let k = 0; k < 20; k++) d[io + k] = peerId[idOff + k];
    return i;
  }

  /** Sets a slot's counters; `lastSeen` in ms since the epoch. */
  setStats(i: number, uploaded: number, downloaded: number, left: number, lastSeen: number): void {
    const n = this.nums, o = i * NUMS;
    n[o + UPLOADED] = uploaded;
    n[o + DOWNLOADED] = downloaded;
    n[o + LEFT] = left;
    n[o + LAST_SEEN] = lastSeen;
  }

  setPeerId(i: number, peerId: Uint8Array): void {
    const d = this.ids, o = i * 20;
    for (let k = 0; k < 20; k++) d[o + k] = peerId[k];
  }

  /** Whether slot i's peer id is `peerId`. */
  hasPeerId(i: number, peerId: Uint8Array): boolean {
    const d = this.ids, o = i * 20;
    for (let k = 0; k < 20; k++) if (d[o + k] !== peerId[k]) return false;
    return true;
  }

  setIdentity(i: number, identity: number): void { this.nums[i * NUMS + IDENTITY] = identity; }
  /** Slot i's identity (peer-identity.ts); 0: none. */
  identity(i: number): number { return this.nums[i * NUMS + IDENTITY]; }

  uploaded(i: number): number { return this.nums[i * NUMS + UPLOADED]; }
  downloaded(i: number): number { return this.nums[i * NUMS + DOWNLOADED]; }
  left(i: number): number { return this.nums[i * NUMS + LEFT]; }
  lastSeen(i: number): number { return this.nums[i * NUMS + LAST_SEEN]; }
  /** A copy of slot i's peer id. */
  peerId(i: number): Buffer { return Buffer.from(this.ids.subarray(i * 20, i * 20 + 20)); }
  /** The internal buffers, for moving a slot to another list. */
  addrBytes(): Buffer { return this.addrs; }
  idBytes(): Buffer { return this.ids; }

  /**
   * Removes slot i by moving the last slot into it; returns the key now at slot i (to re-index),
   * or undefined when i was the last slot.
   */
  remove(i: number): PeerKey | undefined {
    const last = this.keys.length - 1;
    const lastKey = this.keys.pop() as PeerKey;
    if (i === last) return undefined;
    this.keys[i] = lastKey;
    const w = this.width, a = this.addrs;
    for (let k = 0; k < w; k++) a[i * w + k] = a[last * w + k];
    const d = this.ids;
    for (let k = 0; k < 20; k++) d[i * 20 + k] = d[last * 20 + k];
    const n = this.nums;
    for (let k = 0; k < NUMS; k++) n[i * NUMS + k] = n[last * NUMS + k];
    return lastKey;
  }

  /**
   * Copies up to `max` peers' compact bytes into dst at `offset`, from a random slot onwards,
   * wrapping, skipping slot `skip` (-1: none); their ids too into `ids` at `idOffset` when given.
   * Returns the number of peers copied.
   */
  copyOut(dst: Buffer, offset: number, max: number, skip: number, ids: Buffer | null, idOffset: number): number {
    const n = this.keys.length;
    const avail = skip >= 0 ? n - 1 : n;
    let left = max < avail ? max : avail;
    if (left <= 0) return 0;
    const count = left;
    const w = this.width;
    let i = n === 1 ? 0 : Math.floor(Math.random() * n);
    let o = offset;
    while (left > 0) {
      if (i === skip) {
        i = i + 1 === n ? 0 : i + 1;
        continue;
      }
      const end = skip > i ? skip : n;
      const take = end - i < left ? end - i : left;
      // a view and TypedArray#set (one memcpy): Buffer#copy adds its argument checks to the same
      // view, and a byte loop costs several times more for a run of 50 peers
      const a = this.addrs;
      dst.set(new Uint8Array(a.buffer, a.byteOffset + i * w, take * w), o);
      o += take * w;
      if (ids !== null) {
        const d = this.ids;
        ids.set(new Uint8Array(d.buffer, d.byteOffset + i * 20, take * 20), idOffset);
        idOffset += take * 20;
      }
      left -= take;
      i += take;
      if (i === n) i = 0;
    }
    return count;
  }
}
