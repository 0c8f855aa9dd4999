// The peers of small swarms as this instance last saw them in Redis, with their version (the '#'
// field, slots.lua.ts): an announce tells the script the version it holds, and when the swarm has
// not changed since, the script sends no peers and the peers are picked here, from the same
// packed strings by the same rule (announce.lua.ts take/pick). A changed swarm comes back whole
// with its new version, so a reply never holds a peer that has left Redis nor misses one that
// joined. What Redis saves is the read of the peers: a GETRANGE or two per announce, about a third
// of its work for one.
import { SEEDERS4 } from './keys.js';

/** One swarm's packed strings (s4 s6 l4 l6, keys.ts), as of `version`. */
export interface SwarmView {
  readonly version: number;
  readonly roles: readonly [Buffer, Buffer, Buffer, Buffer];
}

/** Views kept at most, and their bytes at most (the least recently used go first). */
export const MAX_VIEWS = 8192, MAX_VIEW_BYTES = 8 * 1024 * 1024;

/** The views of one store, least recently used first. */
export class SwarmViews {
  private readonly views = new Map<string, SwarmView>();
  private bytes = 0;

  constructor(private readonly maxViews = MAX_VIEWS, private readonly maxBytes = MAX_VIEW_BYTES) {}

  get size(): number {
    return this.views.size;
  }

  /** The view held for `infoHash` (then the most recently used), or undefined. */
  get(infoHash: string): SwarmView | undefined {
    const v = this.views.get(infoHash);
    if (v !== undefined) {
      this.views.delete(infoHash);
      this.views.set(infoHash, v);
    }
    return v;
  }

  /** Keeps `view` for `infoHash`, in place of the one held. */
  set(infoHash: string, view: SwarmView): void {
    this.drop(infoHash);
    this.views.set(infoHash, view);
    this.bytes += sizeOf(view);
    for (const [h, v] of this.views) {
      if (this.views.size <= this.maxViews && this.bytes <= this.maxBytes) break;
      this.views.delete(h);
      this.bytes -= sizeOf(v);
    }
  }

  /** Forgets the view of `infoHash` (a removed torrent). */
  drop(infoHash: string): void {
    const old = this.views.get(infoHash);
    if (old === undefined) return;
    this.views.delete(infoHash);
    this.bytes -= sizeOf(old);
  }
}

const sizeOf = (v: SwarmView): number => v.roles[0].length + v.roles[1].length + v.roles[2].length + v.roles[3].length + 64;
const width = (r: number): number => (r & 1) === 1 ? 18 : 6;

/** Where picked peers go: one family's buffer and how many bytes it holds. */
interface Into {
  buf: Buffer;
  len: number;
}

/**
 * Up to `want` peers of role `r` (0-3, keys.ts) appended to `into`: a run of slots from a random
 * one, wrapping (from slot 0 when the role fits whole), leaving out the announcer (role `to`,
 * slot `slot`) when the run holds it. Returns the peers appended. As announce.lua.ts take().
 */
function take(roles: SwarmView['roles'], r: number, to: number, slot: number, rnd: number, want: number, into: Into): number {
  const w = width(r), src = roles[r], c = src.length / w;
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
    copySlots(src, start, Math.min(end, c), w, into);
    if (end > c) copySlots(src, 0, end - c, w, into);
    return kk;
  }
  const cut = (start + skip) % c;
  if (end <= c || cut >= start) {
    copySlots(src, start, cut, w, into);
    copySlots(src, cut + 1, Math.min(end, c), w, into);
    if (end > c) copySlots(src, 0, end - c, w, into);
  } else {
    copySlots(src, start, c, w, into);
    copySlots(src, 0, cut, w, into);
    copySlots(src, cut + 1, end - c, w, into);
  }
  return kk - 1;
}

/** Appends slots [from, to) of `src` (w bytes each) to `into`. */
function copySlots(src: Buffer, from: number, to: number, w: number, into: Into): void {
  if (to > from) into.len += src.copy(into.buf, into.len, from * w, to * w);
}

/** One role pair (r4: its IPv4 role), the families shared by their sizes. As announce.lua.ts pick(). */
function pick(roles: SwarmView['roles'], r4: number, to: number, slot: number, rnd: number, want: number, p4: Into, p6: Into): number {
  if (want <= 0) return 0;
  const n4 = roles[r4].length / 6 - (to === r4 ? 1 : 0);
  const n6 = roles[r4 + 1].length / 18 - (to === r4 + 1 ? 1 : 0);
  let want6 = n6;
  if (n4 + n6 > want) want6 = n6 === 0 ? 0 : Math.min(n6, Math.max(1, Math.floor((want * n6) / (n4 + n6) + 0.5)));
  const got6 = take(roles, r4 + 1, to, slot, rnd, want6, p6);
  return got6 + take(roles, r4, to, slot, rnd, want - got6, p4);
}

/**
 * The peers a reply gives the announcer (role `to`, 0-3, at `slot`) of `view`: leechers get
 * seeders first, seeders only leechers, at most `numwant`, the announcer left out. Written to
 * peers4 / peers6; returns their byte lengths.
 */
export function pickPeers(view: SwarmView, to: number, slot: number, rnd: number, numwant: number, peers4: Buffer, peers6: Buffer): [number, number] {
  const p4: Into = { buf: peers4, len: 0 }, p6: Into = { buf: peers6, len: 0 };
  let want = numwant;
  if (to >= 2) want -= pick(view.roles, SEEDERS4, to, slot, rnd, want, p4, p6);
  pick(view.roles, 2, to, slot, rnd, want, p4, p6);
  return [p4.len, p6.len];
}
