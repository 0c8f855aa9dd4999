// The peers of small swarms as this instance last saw them in Redis, with their version (the '#'
// field, slots.lua.ts): an announce tells the script the version it holds, and when the swarm has
// not changed since, the script sends no peers and the peers are picked here, from the same
// packed strings by the same rule (announce.lua.ts take/pick). A changed swarm comes back whole
// with its new version, so a reply never holds a peer that has left Redis nor misses one that
// joined. What Redis saves is the read of the peers: a GETRANGE or two per announce, about a third
// of its work for one.
import type { AnnounceResult } from '../tracker/peer-store.js';
import { SEEDERS4 } from './keys.js';

/** One swarm's packed strings (s4 s6 l4 l6, keys.ts), as of `version`. */
export interface SwarmView {
  readonly version: number;
  readonly roles: readonly [Buffer, Buffer, Buffer, Buffer];
  /** The memory the roles are in, and where each starts in it (copies from it need no `.buffer` lookup). */
  readonly memory: ArrayBuffer;
  readonly starts: readonly [number, number, number, number];
  /** A reply was picked from it that the script did not send it with. */
  used: boolean;
}

/** The view of `version` whose roles are `bytes`, back to back, of lengths l0..l3. */
export function swarmView(version: number, bytes: Buffer, l0: number, l1: number, l2: number): SwarmView {
  const o = bytes.byteOffset;
  return {
    version, memory: bytes.buffer as ArrayBuffer, starts: [o, o + l0, o + l0 + l1, o + l0 + l1 + l2],
    roles: [bytes.subarray(0, l0), bytes.subarray(l0, l0 + l1), bytes.subarray(l0 + l1, l0 + l1 + l2), bytes.subarray(l0 + l1 + l2)],
    used: false,
  };
}

/**
 * Announces of a swarm that ask for no view after one of its views was replaced unused (the swarm
 * changed before this instance announced in it again): a swarm that changes that fast (peers
 * joining and leaving all the time) makes every reply carry a new view, which costs this process
 * a copy and its objects and saves Redis nothing. Then one asks for a view again.
 */
export const UNUSED_VIEW_REST = 32;

/** Kept in a swarm's place while its announces ask for no view: `left` of them to go. */
class Resting {
  constructor(public left: number) {}
}

/** Views kept at most, and their bytes at most (the least recently used go first). */
export const MAX_VIEWS = 8192, MAX_VIEW_BYTES = 8 * 1024 * 1024;

/** The views of one store, least recently used first, and the swarms resting from views (UNUSED_VIEW_REST). */
export class SwarmViews {
  private readonly views = new Map<string, SwarmView | Resting>();
  private bytes = 0;
  private resting = 0;

  constructor(private readonly maxViews = MAX_VIEWS, private readonly maxBytes = MAX_VIEW_BYTES, private readonly rest = UNUSED_VIEW_REST) {}

  /** Views held. */
  get size(): number {
    return this.views.size - this.resting;
  }

  /**
   * The view held for `infoHash` (then the most recently used), undefined for none, or null: the
   * swarm rests from views, this announce asks for none (one of the rest counted).
   */
  get(infoHash: string): SwarmView | undefined | null {
    const v = this.views.get(infoHash);
    if (v === undefined) return v;
    this.views.delete(infoHash);
    this.views.set(infoHash, v);
    if (!(v instanceof Resting)) return v;
    if (v.left === 0) return undefined; // the rest is over: this announce asks for a view again
    v.left--;
    return null;
  }

  /**
   * Keeps `view` for `infoHash`, in place of the one held; but when the one held was never used,
   * the swarm rests from views instead (and a view that comes while it rests is not kept).
   */
  set(infoHash: string, view: SwarmView): void {
    const old = this.views.get(infoHash);
    if (old instanceof Resting ? old.left > 0 : old !== undefined && !old.used && this.rest > 0) {
      if (!(old instanceof Resting)) {
        this.drop(infoHash);
        this.put(infoHash, new Resting(this.rest));
      }
      return;
    }
    this.drop(infoHash);
    this.put(infoHash, view);
  }

  /** Forgets the view of `infoHash` (a removed torrent), or its rest. */
  drop(infoHash: string): void {
    const old = this.views.get(infoHash);
    if (old === undefined) return;
    this.views.delete(infoHash);
    this.bytes -= sizeOf(old);
    if (old instanceof Resting) this.resting--;
  }

  private put(infoHash: string, v: SwarmView | Resting): void {
    this.views.set(infoHash, v);
    this.bytes += sizeOf(v);
    if (v instanceof Resting) this.resting++;
    for (const [h] of this.views) {
      if (this.views.size <= this.maxViews && this.bytes <= this.maxBytes) break;
      this.drop(h);
    }
  }
}

const sizeOf = (v: SwarmView | Resting): number => v instanceof Resting ? 64 : v.roles[0].length + v.roles[1].length + v.roles[2].length + v.roles[3].length + 64;
const width = (r: number): number => (r & 1) === 1 ? 18 : 6;

/**
 * Up to `want` peers of role `r` (0-3, keys.ts) appended to `dst` at `o`: a run of slots from a
 * random one, wrapping (from slot 0 when the role fits whole), leaving out the announcer (role
 * `to`, slot `slot`) when the run holds it. Returns the peers appended. As announce.lua.ts take().
 */
function take(view: SwarmView, r: number, to: number, slot: number, rnd: number, want: number, dst: Buffer, o: number): number {
  const w = width(r), c = view.roles[r].length / w, mem = view.memory, at = view.starts[r];
  const self = r === to ? 1 : 0;
  let kk = Math.min(want + self, c);
  if (want <= 0 || kk <= self) return 0;
  const start = kk === c ? 0 : rnd % c;
  let skip = -1;
  if (self === 1) {
    const at = (slot - start + c) % c;
    if (at < kk) skip = at;
    else kk -= 1; // not in the run: the run is one shorter (it then holds want peers)
  }
  // the run's slots [start, start + kk) of a ring of c, without the run's slot `skip`: at most three copies
  const end = start + kk;
  if (skip < 0) {
    o = copySlots(mem, at, start, end < c ? end : c, w, dst, o);
    if (end > c) copySlots(mem, at, 0, end - c, w, dst, o);
    return kk;
  }
  const cut = (start + skip) % c;
  if (end <= c || cut >= start) {
    o = copySlots(mem, at, start, cut, w, dst, o);
    o = copySlots(mem, at, cut + 1, end < c ? end : c, w, dst, o);
    if (end > c) copySlots(mem, at, 0, end - c, w, dst, o);
  } else {
    o = copySlots(mem, at, start, c, w, dst, o);
    o = copySlots(mem, at, 0, cut, w, dst, o);
    copySlots(mem, at, cut + 1, end - c, w, dst, o);
  }
  return kk - 1;
}

/**
 * Copies slots [from, to) (w bytes each) of the role at `at` in `mem` to `dst` at `o`; returns the
 * offset after them. A view and TypedArray#set (one memcpy), as PeerList.copyOut: Buffer#copy
 * makes the same view after its argument checks and a `.buffer` lookup (half the cost of a copy).
 */
function copySlots(mem: ArrayBuffer, at: number, from: number, to: number, w: number, dst: Buffer, o: number): number {
  if (to <= from) return o;
  const n = (to - from) * w;
  dst.set(new Uint8Array(mem, at + from * w, n), o);
  return o + n;
}

/** One role pair (r4: its IPv4 role), the families shared by their sizes, appended to `out`. As announce.lua.ts pick(). */
function pick(view: SwarmView, r4: number, to: number, slot: number, rnd: number, want: number, out: AnnounceResult): number {
  if (want <= 0) return 0;
  const n4 = view.roles[r4].length / 6 - (to === r4 ? 1 : 0);
  const n6 = view.roles[r4 + 1].length / 18 - (to === r4 + 1 ? 1 : 0);
  let want6 = n6;
  if (n4 + n6 > want) want6 = n6 === 0 ? 0 : Math.min(n6, Math.max(1, Math.floor((want * n6) / (n4 + n6) + 0.5)));
  const got6 = want6 === 0 ? 0 : take(view, r4 + 1, to, slot, rnd, want6, out.peers6, out.peers6Len);
  out.peers6Len += got6 * 18;
  const got4 = take(view, r4, to, slot, rnd, want - got6, out.peers4, out.peers4Len);
  out.peers4Len += got4 * 6;
  return got6 + got4;
}

/**
 * The peers a reply gives the announcer (role `to`, 0-3, at `slot`) of `view`: leechers get
 * seeders first, seeders only leechers, at most `numwant`, the announcer left out. Written to
 * out.peers4 / out.peers6 from the start, with their byte lengths.
 */
export function pickPeers(view: SwarmView, to: number, slot: number, rnd: number, numwant: number, out: AnnounceResult): void {
  out.peers4Len = out.peers6Len = 0;
  let want = numwant;
  if (to >= 2) want -= pick(view, SEEDERS4, to, slot, rnd, want, out);
  pick(view, 2, to, slot, rnd, want, out);
}
