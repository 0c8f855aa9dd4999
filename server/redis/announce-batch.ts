// Collects the announces issued in one event-loop tick and sends them as one script call per
// Redis node (announce.lua.ts): arguments packed into one byte string, one packed reply parsed by
// hand. One call per tick instead of one per announce is what lets one Redis serve many tracker
// processes; on a cluster the calls of one tick go to their nodes in parallel.
import type { AnnounceEvent } from '../tracker/announce-request.js';
import { encodeCompactPeer } from '../tracker/compact-peer.js';
import { MAX_NUMWANT } from '../tracker/parse-announce.js';
import { peerIdentity } from '../tracker/peer-identity.js';
import type { AnnounceResult, PeerAnnounce } from '../tracker/peer-store.js';
import { LEECHERS4, SEEDERS4 } from './keys.js';
import { tagOfSlot } from './slots.js';

/** An identity (peer-identity.ts) as the scripts keep it: 14 lowercase hex digits. */
function identityText(id: number): string {
  return id.toString(16).padStart(14, '0');
}

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
}

/** Announces one script call carries at most; more in one tick go out in several calls. */
export const MAX_BATCH = 256;

const EVENT: Record<AnnounceEvent, number> = { stopped: 0x73, completed: 0x63, started: 0x2d, paused: 0x2d, '': 0x2d };
/** Bytes of a reply entry before its peers: three uint32 counts, flags, two uint16 lengths, the skip offset. */
const HEAD = 19;

interface Pending {
  a: PeerAnnounce;
  slot: number;
  addr: Buffer;
  counters: string;
  out: AnnounceResult;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** Packs the announces back to back in the layout announce.lua.ts reads. */
function pack(batch: readonly Pending[]): Buffer {
  let size = 0;
  for (const p of batch) size += p.a.infoHash.length + p.addr.length + p.counters.length + 38;
  const b = Buffer.allocUnsafe(size);
  let o = 0;
  for (const { a, slot, addr, counters } of batch) {
    b[o++] = a.infoHash.length;
    o += b.write(a.infoHash, o, 'latin1');
    const tag = tagOfSlot(slot);
    b[o++] = tag.length;
    o += b.write(tag, o, 'latin1');
    b[o++] = addr.length;
    o += addr.copy(b, o);
    // a peer id is 20 bytes (parse-announce checks it); zero-fill keeps the layout if not
    b.fill(0, o + a.peerId.copy(b, o, 0, 20), o + 20);
    o += 20;
    b[o++] = 48 + (a.left === 0 ? SEEDERS4 : LEECHERS4) + (addr.length === 18 ? 1 : 0);
    b[o++] = EVENT[a.event];
    b[o++] = a.wantPeerIds ? 0x31 : 0x30;
    o = b.writeUInt16BE(Math.max(0, Math.min(a.numwant, MAX_NUMWANT)), o);
    o = b.writeUInt32BE((Math.random() * 0x7fffffff) | 0, o);
    b[o++] = counters.length;
    o += b.write(counters, o, 'latin1');
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

  constructor(private readonly send: SendBatch, private readonly route: BatchRoute) {}

  /** Queues one announce; `out` is reset now and filled when its batch's reply arrives. */
  add(a: PeerAnnounce, out: AnnounceResult): Promise<void> {
    out.reset();
    const addr = encodeCompactPeer(a.ip, a.port);
    const id = peerIdentity(a.peerId, a.key, addr.length === 18);
    // the identity rides along as a fourth field, and is stored with the counters (identity.lua.ts)
    const counters = id === 0 ? `${a.uploaded},${a.downloaded},${a.left}` : `${a.uploaded},${a.downloaded},${a.left},${identityText(id)}`;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ a, slot: this.route.slotOf(a.infoHash), addr, counters, out, resolve, reject });
      if (this.queue.length >= MAX_BATCH) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.onImmediate);
      }
    });
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
      sent.then((r) => settle(batch, r), (e) => { for (const p of batch) p.reject(e); });
    }
  }
}

/** Fills each announce's result from the packed reply and resolves it; a malformed reply rejects the rest. */
function settle(batch: readonly Pending[], r: Buffer): void {
  let o = 0, i = 0;
  try {
    for (; i < batch.length; i++) {
      const { out, a, addr } = batch[i];
      if (o + HEAD > r.length) throw new Error(`announce batch reply too short (${r.length} bytes for ${batch.length})`);
      out.complete = r.readUInt32BE(o);
      out.incomplete = r.readUInt32BE(o + 4);
      out.downloaded = r.readUInt32BE(o + 8);
      out.changed = (r[o + 12] & 1) !== 0;
      out.completedNow = (r[o + 12] & 2) !== 0;
      const l4 = (r[o + 13] << 8) | r[o + 14], l6 = (r[o + 15] << 8) | r[o + 16], skip = (r[o + 17] << 8) | r[o + 18];
      o += HEAD;
      // the announcer's own entry, when the reply carries it, is left out (announce.lua.ts)
      const v6 = addr.length === 18, w = v6 ? 18 : 6;
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
      batch[i].resolve();
    }
  } catch (e) {
    for (; i < batch.length; i++) batch[i].reject(e);
  }
}

/** Copies `len` bytes of `r` at `from` to `to`, without the `w` bytes at offset `skip` (-1: none); returns the bytes copied. */
function copyLeavingOut(r: Buffer, from: number, len: number, skip: number, w: number, to: Buffer): number {
  if (skip < 0) return r.copy(to, 0, from, from + len);
  r.copy(to, 0, from, from + skip);
  r.copy(to, skip, from + skip + w, from + len);
  return len - w;
}
