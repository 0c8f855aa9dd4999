// Collects the announces issued in one event-loop tick and sends them as one script call per
// Redis node (announce.lua.ts): arguments packed into one byte string, one packed reply parsed by
// hand. One call per tick instead of one per announce is what lets one Redis serve many tracker
// processes; on a cluster the calls of one tick go to their nodes in parallel.
import type { AnnounceEvent } from '../tracker/announce-request.js';
import { writeCompactPeer } from '../tracker/compact-peer.js';
import { MAX_NUMWANT } from '../tracker/parse-announce.js';
import { peerIdentity } from '../tracker/peer-identity.js';
import type { AnnounceResult, PeerAnnounce } from '../tracker/peer-store.js';
import { LEECHERS4, SEEDERS4 } from './keys.js';
import { tagOfSlot } from './slots.js';
import { pickPeers, swarmView, type SwarmView, type SwarmViews } from './swarm-views.js';

/**
 * Sends one packed batch (announce.lua.ts ARGV 3) with the time in ms to the node serving `slot`
 * (the slot of its first torrent); `completions`: the batch raises a completed count. Resolves to
 * the packed reply.
 */
export type SendBatch = (now: number, blob: Buffer, slot: number, completions: boolean) => Promise<Buffer>;

/** Where announces go: each torrent's hash slot, and a batch split into runs of one node each. */
export interface BatchRoute {
  slotOf(infoHash: string): number;
  split<T extends { slot: number }>(items: readonly T[]): T[][];
  /** Reads the cluster's slot map again (after a node said a slot is not its own). */
  refresh?(): Promise<void>;
}

/**
 * Thrown by a SendBatch whose node ran nothing of the batch because the slot of its routing key
 * is not the node's (MOVED), or moving (ASK, TRYAGAIN), or the cluster is down (CLUSTERDOWN).
 */
export class NotServedHere extends Error {
  constructor(message: string, readonly slot: number) {
    super(message);
  }
}

/**
 * Waits (ms) before each resend of an announce a node did not apply because its slot was not, or
 * not only, that node's (resharding, a stale slot map): at most RESENDS.length resends, about
 * 1.6 s in all, then the announce fails. A slot's keys move in milliseconds; a stale map is
 * fixed by the first refresh.
 */
export const RESENDS = [0, 5, 10, 25, 50, 100, 200, 400, 800];

/** Why an announce (or a scrape's torrent) the script left out is sent again. */
export const NOT_SERVED = 'its hash slot is not served by the Redis node of the slot map';

/** Announces one script call carries at most; more in one tick go out in several calls. */
export const MAX_BATCH = 256;

/** The event byte announce.lua.ts reads: stopped, completed, or any other. */
const eventByte = (e: AnnounceEvent): number => e === 'stopped' ? 0x73 : e === 'completed' ? 0x63 : 0x2d;
/** Bytes of a reply entry before its peers: three uint32 counts, flags, two uint16 lengths, the skip offset. */
const HEAD = 19;
/** Bytes of the entry of an announce the node did not apply (flag 16): counts and flags. */
const AWAY = 13;
/** Bytes of a view reply entry (flag 4) before its strings: counts, flags, version, role, slot; when sent (flag 8) the four lengths. */
const VIEW_HEAD = 22, VIEW_LENGTHS = 8;
/** How peers are wanted (announce.lua.ts): compact, with peer ids, a view, a view of a version held. */
const COMPACT = 0x30, WITH_IDS = 0x31, VIEW = 0x32, VIEW_HELD = 0x33;

interface Pending {
  a: PeerAnnounce;
  slot: number;
  /** The announce is from an IPv6 address (18 compact bytes). */
  v6: boolean;
  /** Its identity (peer-identity.ts), 0 for none. */
  id: number;
  /** The random number the peers are picked with (by the script or, from a view, here). */
  rnd: number;
  /** The view of the swarm this instance held when the announce was queued. */
  held: SwarmView | undefined;
  /** COMPACT, WITH_IDS, VIEW or VIEW_HELD. */
  mode: number;
  /** Times it was sent again (RESENDS). */
  resent: number;
  out: AnnounceResult;
  resolve: () => void;
  reject: (e: unknown) => void;
}

const numwantOf = (a: PeerAnnounce): number => Math.max(0, Math.min(a.numwant, MAX_NUMWANT));

/** Bytes an entry takes at most besides its info hash: lengths, tag, address, peer id, fixed fields, counters. */
const ENTRY_MAX = 3 + 8 + 18 + 20 + 13 + 1 + 3 * 24 + 3 + 15;
const HEX = '0123456789abcdef';

/** Writes the latin1 text `s` into `b` at `o` (short strings: a loop costs less than a call into C++); returns the offset after it. */
function writeText(b: Buffer, o: number, s: string): number {
  for (let i = 0; i < s.length; i++) b[o + i] = s.charCodeAt(i);
  return o + s.length;
}

/** Writes `n` as String(n) does (a byte loop for the counts clients send; a string otherwise); returns the offset after it. */
function writeNumber(b: Buffer, o: number, n: number): number {
  if (!(n >= 0 && n <= 0xffffffffff && n % 1 === 0)) return writeText(b, o, String(n));
  let digits = 1;
  for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
  for (let i = o + digits - 1; i >= o; i--) {
    const q = Math.floor(n / 10);
    b[i] = 48 + n - q * 10;
    n = q;
  }
  return o + digits;
}

/**
 * The counters field "uploaded,downloaded,left" and, for an announce with an identity, ",id" in
 * 14 lowercase hex digits (stored with the counters, identity.lua.ts), written at `o` after its
 * length byte; returns the offset after it.
 */
function writeCounters(b: Buffer, o: number, a: PeerAnnounce, id: number): number {
  let e = writeNumber(b, o + 1, a.uploaded);
  b[e++] = 44;
  e = writeNumber(b, e, a.downloaded);
  b[e++] = 44;
  e = writeNumber(b, e, a.left);
  if (id !== 0) {
    b[e++] = 44;
    // 53 bits: 25 high and 28 low, 14 hex digits
    let hi = Math.floor(id / 0x10000000), lo = id - hi * 0x10000000;
    for (let i = e + 13; i >= e + 7; i--, lo >>>= 4) b[i] = HEX.charCodeAt(lo & 15);
    for (let i = e + 6; i >= e; i--, hi >>>= 4) b[i] = HEX.charCodeAt(hi & 15);
    e += 14;
  }
  b[o] = e - o - 1;
  return e;
}

/** Packs the announces back to back in the layout announce.lua.ts reads. */
function pack(batch: readonly Pending[]): Buffer {
  let size = 0;
  for (let i = 0; i < batch.length; i++) size += batch[i].a.infoHash.length + ENTRY_MAX;
  const b = Buffer.allocUnsafe(size);
  let o = 0;
  for (let i = 0; i < batch.length; i++) {
    const { a, slot, v6, id, rnd, held, mode } = batch[i];
    b[o] = a.infoHash.length;
    o = writeText(b, o + 1, a.infoHash);
    const tag = tagOfSlot(slot);
    b[o] = tag.length;
    o = writeText(b, o + 1, tag);
    b[o] = v6 ? 18 : 6;
    o = writeCompactPeer(a.ip, a.port, b, o + 1);
    // a peer id is 20 bytes (parse-announce checks it); zero-fill keeps the layout if not
    const pid = a.peerId, n = pid.length < 20 ? pid.length : 20;
    for (let k = 0; k < n; k++) b[o + k] = pid[k];
    for (let k = n; k < 20; k++) b[o + k] = 0;
    o += 20;
    b[o++] = 48 + (a.left === 0 ? SEEDERS4 : LEECHERS4) + (v6 ? 1 : 0);
    b[o++] = eventByte(a.event);
    b[o++] = mode;
    const want = numwantOf(a);
    b[o++] = want >>> 8;
    b[o++] = want & 255;
    o = b.writeUInt32BE(rnd, o);
    o = b.writeUInt32BE(held === undefined ? 0 : held.version, o);
    o = writeCounters(b, o, a, id);
  }
  return b.subarray(0, o);
}

/**
 * Queues announces and sends them in batches: what is queued when setImmediate fires (after the
 * I/O callbacks of this loop turn, so all requests read in one turn share a call, without a timer),
 * or at once when MAX_BATCH are queued. Announces apply in the order they were queued.
 */
export class AnnounceBatcher {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly onImmediate = (): void => {
    this.scheduled = false;
    this.flush();
  };

  /** `views`: the swarms' views this instance keeps (swarm-views.ts); without, the script picks every reply's peers. */
  constructor(private readonly send: SendBatch, private readonly route: BatchRoute, private readonly views?: SwarmViews) {}

  /** Queues one announce; `out` is reset now and filled when its batch's reply arrives. */
  add(a: PeerAnnounce, out: AnnounceResult): Promise<void> {
    out.reset();
    const v6 = a.ip.indexOf(':') !== -1;
    const id = peerIdentity(a.peerId, a.key, v6);
    // null: the swarm rests from views (swarm-views.ts UNUSED_VIEW_REST)
    const seen = this.views === undefined || a.wantPeerIds ? null : this.views.get(a.infoHash);
    const held = seen ?? undefined;
    const mode = a.wantPeerIds ? WITH_IDS : seen === null ? COMPACT : held === undefined ? VIEW : VIEW_HELD;
    const rnd = (Math.random() * 0x7fffffff) | 0;
    return new Promise<void>((resolve, reject) => {
      this.enqueue({ a, slot: this.route.slotOf(a.infoHash), v6, id, rnd, held, mode, resent: 0, out, resolve, reject });
    });
  }

  /** Queues `p` for the next batch: sent when setImmediate fires, or at once when MAX_BATCH are queued. */
  private enqueue(p: Pending): void {
    this.queue.push(p);
    if (this.queue.length >= MAX_BATCH) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.onImmediate);
    }
  }

  /** Sends what is queued now, if anything. */
  private flush(): void {
    if (this.queue.length === 0) return;
    const now = Date.now();
    const runs = this.route.split(this.queue);
    this.queue = [];
    for (const batch of runs) {
      let sent: Promise<Buffer>;
      try {
        sent = this.send(now, pack(batch), batch[0].slot, batch.some((p) => p.a.event === 'completed'));
      } catch (e) {
        sent = Promise.reject(e);
      }
      sent.then((r) => this.resend(settle(batch, r, this.views), NOT_SERVED), (e) => {
        if (e instanceof NotServedHere) this.resend(batch, e.message, e.slot);
        else for (const p of batch) p.reject(e);
      });
    }
  }

  /**
   * Queues again, once the slot map is read anew and after its next RESENDS wait, each announce a
   * node did not apply (`why`); those of `slot` (a slot in the middle of a move) wait, the others
   * go with the next batch. An announce resent RESENDS.length times fails.
   */
  private resend(batch: readonly Pending[], why: string, slot = -1): void {
    if (batch.length === 0) return;
    // by wait: one timer for the announces that wait alike
    const byWait = new Map<number, Pending[]>();
    for (const p of batch) {
      if (p.resent >= RESENDS.length) {
        p.reject(new Error(`announce not applied after ${p.resent} resends: ${why} (resharding?)`));
        continue;
      }
      const wait = p.slot === slot ? Math.max(RESENDS[p.resent], RESENDS[1]) : RESENDS[p.resent];
      p.resent++;
      (byWait.get(wait) ?? byWait.set(wait, []).get(wait) as Pending[]).push(p);
    }
    if (byWait.size === 0) return;
    void (this.route.refresh?.() ?? Promise.resolve()).catch(() => undefined).then(() => {
      for (const [wait, ps] of byWait) {
        const requeue = (): void => { for (const p of ps) this.enqueue(p); };
        if (wait === 0) requeue();
        else setTimeout(requeue, wait);
      }
    });
  }
}

/**
 * The view a view entry at `o` of `r` is for: sent with it (then kept in `views`, and in `fresh` for
 * the batch's later announces), or the one held (one of the batch's sent before, or held when
 * queued). Returns it and the offset after the entry.
 */
function viewOf(r: Buffer, o: number, flags: number, p: Pending, views: SwarmViews | undefined, fresh: Map<string, SwarmView>): [SwarmView, number] {
  const version = r.readUInt32BE(o + 13);
  const h = p.a.infoHash;
  if ((flags & 8) === 0) {
    const v = fresh.get(h) ?? p.held;
    if (v === undefined || v.version !== version) throw new Error(`announce batch reply: swarm view ${version} of ${h} is not the one held`);
    v.used = true;
    return [v, o + VIEW_HEAD];
  }
  const from = o + VIEW_HEAD + VIEW_LENGTHS;
  if (from > r.length) throw new Error('announce batch reply too short (view)');
  const l0 = r.readUInt16BE(o + VIEW_HEAD), l1 = r.readUInt16BE(o + VIEW_HEAD + 2), l2 = r.readUInt16BE(o + VIEW_HEAD + 4), l3 = r.readUInt16BE(o + VIEW_HEAD + 6);
  const at = from + l0 + l1 + l2 + l3;
  if (at > r.length) throw new Error('announce batch reply too short (view)');
  // one copy of its own (the view outlives the reply; a slice of Node's shared pool would keep a
  // whole 8 KiB slab alive per view)
  const b = Buffer.allocUnsafeSlow(at - from);
  r.copy(b, 0, from, at);
  const v = swarmView(version, b, l0, l1, l2);
  views?.set(h, v);
  fresh.set(h, v);
  return [v, at];
}

/**
 * Fills each announce's result from the packed reply and resolves it; a malformed reply rejects
 * the rest. Returns the announces the node did not apply (flag 16), to be sent again.
 */
function settle(batch: readonly Pending[], r: Buffer, views: SwarmViews | undefined): Pending[] {
  let o = 0, i = 0;
  let fresh: Map<string, SwarmView> | undefined;
  const away: Pending[] = [];
  try {
    for (; i < batch.length; i++) {
      const p = batch[i];
      const { out, a, v6 } = p;
      if (o + AWAY > r.length) throw new Error(`announce batch reply too short (${r.length} bytes for ${batch.length})`);
      const flags = r[o + 12];
      if ((flags & 16) !== 0) {
        away.push(p);
        o += AWAY;
        continue;
      }
      if (o + HEAD > r.length) throw new Error(`announce batch reply too short (${r.length} bytes for ${batch.length})`);
      out.complete = r.readUInt32BE(o);
      out.incomplete = r.readUInt32BE(o + 4);
      out.downloaded = r.readUInt32BE(o + 8);
      out.changed = (flags & 1) !== 0;
      out.completedNow = (flags & 2) !== 0;
      if ((flags & 4) !== 0) {
        if (o + VIEW_HEAD > r.length) throw new Error('announce batch reply too short (view)');
        const to = r[o + 17] - 1, slot = r.readUInt32BE(o + 18);
        const [view, next] = viewOf(r, o, flags, p, views, (fresh ??= new Map()));
        pickPeers(view, to, slot, p.rnd, numwantOf(a), out);
        o = next;
        p.resolve();
        continue;
      }
      // a swarm grown past a view's size (or without a version): the view held is of no more use
      if (p.held !== undefined) views?.drop(a.infoHash);
      const l4 = (r[o + 13] << 8) | r[o + 14], l6 = (r[o + 15] << 8) | r[o + 16], skip = (r[o + 17] << 8) | r[o + 18];
      o += HEAD;
      // the announcer's own entry, when the reply carries it, is left out (announce.lua.ts)
      const w = v6 ? 18 : 6;
      const s4 = skip === 0 || v6 ? -1 : skip - 1, s6 = skip === 0 || !v6 ? -1 : skip - 1;
      out.peers4Len = copyLeavingOut(r, o, l4, s4, w, out.peers4);
      out.peers6Len = copyLeavingOut(r, o + l4, l6, s6, w, out.peers6);
      o += l4 + l6;
      if (a.wantPeerIds) {
        const n4 = (l4 / 6) * 20, n6 = (l6 / 18) * 20;
        out.roomForIds();
        copyLeavingOut(r, o, n4, s4 < 0 ? -1 : (s4 / 6) * 20, 20, out.ids4);
        copyLeavingOut(r, o + n4, n6, s6 < 0 ? -1 : (s6 / 18) * 20, 20, out.ids6);
        o += n4 + n6;
      }
      p.resolve();
    }
  } catch (e) {
    for (; i < batch.length; i++) batch[i].reject(e);
  }
  return away;
}

/** Copies `len` bytes of `r` at `from` to `to`, without the `w` bytes at offset `skip` (-1: none); returns the bytes copied. */
function copyLeavingOut(r: Buffer, from: number, len: number, skip: number, w: number, to: Buffer): number {
  if (skip < 0) return r.copy(to, 0, from, from + len);
  r.copy(to, 0, from, from + skip);
  r.copy(to, skip, from + skip + w, from + len);
  return len - w;
}
