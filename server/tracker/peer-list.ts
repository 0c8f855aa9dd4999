// A list of peers of one kind (IPv4 or IPv6) and one role (seeders or leechers) in a swarm,
// with their compact bytes (BEP 23 / BEP 7) packed side by side, so a reply copies a random run
// of peers with one or two memcpy instead of visiting each peer.

/** What a PeerList needs of a peer: its slot index. */
export interface Slotted {
  idx: number;
}

export class PeerList<P extends Slotted> {
  readonly peers: P[] = [];
  private bytes: Buffer;

  /** `width`: 6 for IPv4, 18 for IPv6; `write` puts a peer's compact bytes at dst[offset]. */
  constructor(readonly width: number, private readonly write: (p: P, dst: Buffer, offset: number) => void) {
    this.bytes = Buffer.allocUnsafe(width * 8);
  }

  get length(): number {
    return this.peers.length;
  }

  /** Appends a peer. */
  add(p: P): void {
    const n = this.peers.length;
    if ((n + 1) * this.width > this.bytes.length) {
      const grown = Buffer.allocUnsafe(this.bytes.length * 2);
      this.bytes.copy(grown, 0, 0, n * this.width);
      this.bytes = grown;
    }
    p.idx = n;
    this.peers.push(p);
    this.write(p, this.bytes, n * this.width);
  }

  /** Removes a peer by moving the last one into its slot. */
  remove(p: P): void {
    const last = this.peers.pop() as P;
    if (last === p) return;
    const w = this.width, from = this.peers.length * w, to = p.idx * w, b = this.bytes;
    for (let k = 0; k < w; k++) b[to + k] = b[from + k];
    this.peers[p.idx] = last;
    last.idx = p.idx;
  }

  /**
   * Copies up to `max` peers' compact bytes into dst at `offset`, starting at a random slot and
   * wrapping, skipping slot `skip` (-1: none). Pushes their ids too when `ids` is given.
   * Returns the number of peers copied.
   */
  copyOut(dst: Buffer, offset: number, max: number, skip: number, ids: Buffer[] | null, idOf: (p: P) => Buffer): number {
    const n = this.peers.length;
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
      this.bytes.copy(dst, o, i * w, (i + take) * w);
      if (ids !== null) for (let k = i; k < i + take; k++) ids.push(idOf(this.peers[k]));
      o += take * w;
      left -= take;
      i += take;
      if (i === n) i = 0;
    }
    return count;
  }
}
