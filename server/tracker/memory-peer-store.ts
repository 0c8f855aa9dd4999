// In-process PeerStore: one Swarm per torrent (swarm.ts), peers keyed by ip:port as opentracker
// does, a peer that sent a BEP 7 key followed to a new address (peer-identity.ts); a reply is a
// couple of memcpy and no object is kept per peer.
import { peersPerAddress, type AnnounceResult, type PeerAnnounce, type PeerInfo, type PeerStore, type PeerStoreOptions, type SwarmCounts } from './peer-store.js';
import { peerIdentity } from './peer-identity.js';
import type { PeerList } from './peer-list.js';
import { compactOf, LEECHERS4, peerKey, SEEDERS4, SLOT_BITS, splitKey, Swarm } from './swarm.js';

/** Copies up to `want` peers of one role, split between the families by their sizes. */
function pick(s: Swarm, l4: number, want: number, selfList: number, selfIdx: number, out: AnnounceResult, ids: boolean): number {
  if (want <= 0) return 0;
  const a = s.lists[l4], b = s.lists[l4 + 1];
  const skip4 = selfList === l4 ? selfIdx : -1, skip6 = selfList === l4 + 1 ? selfIdx : -1;
  const n4 = a.length - (skip4 >= 0 ? 1 : 0), n6 = b.length - (skip6 >= 0 ? 1 : 0);
  let want6 = n6;
  if (n4 + n6 > want) want6 = n6 === 0 ? 0 : Math.min(n6, Math.max(1, Math.round((want * n6) / (n4 + n6))));
  const got6 = b.copyOut(out.peers6, out.peers6Len, want6, skip6, ids ? out.ids6 : null, (out.peers6Len / 18) * 20);
  out.peers6Len += got6 * 18;
  const got4 = a.copyOut(out.peers4, out.peers4Len, want - got6, skip4, ids ? out.ids4 : null, (out.peers4Len / 6) * 20);
  out.peers4Len += got4 * 6;
  return got4 + got6;
}

function infoOf(list: PeerList, l: number, i: number): PeerInfo {
  const { ip, port } = splitKey(list.keys[i]);
  return {
    peerId: list.peerId(i), ip, port, seeder: l < LEECHERS4,
    uploaded: list.uploaded(i), downloaded: list.downloaded(i), left: list.left(i), lastSeen: list.lastSeen(i),
  };
}

/** PeerStore kept in this process's memory; synchronous. */
export class MemoryPeerStore implements PeerStore {
  readonly sync = true;
  private readonly swarms = new Map<string, Swarm>();
  private readonly perAddress: number;

  constructor(opts: PeerStoreOptions = {}) {
    this.perAddress = peersPerAddress(opts);
  }

  private swarm(infoHash: string): Swarm {
    let s = this.swarms.get(infoHash);
    if (s === undefined) {
      s = new Swarm();
      this.swarms.set(infoHash, s);
    }
    return s;
  }

  announce(a: PeerAnnounce, out: AnnounceResult): void {
    out.reset();
    const s = this.swarm(a.infoHash);
    const key = peerKey(a.ip, a.port);
    const v6 = typeof key === 'string' ? 1 : 0;
    let code = s.slots.get(key);
    let l = code === -1 ? -1 : Math.floor(code / SLOT_BITS);
    let i = code === -1 ? -1 : code - l * SLOT_BITS;
    // BEP 7 key: the same identity at another ip:port of this family is this peer, moved from there
    const id = peerIdentity(a.peerId, a.key, v6 === 1);
    const rekey = id !== (l >= 0 ? s.lists[l].identity(i) : 0);
    let was = l, moved = false;
    if (rekey && id !== 0) {
      const other = s.holder(id, a.peerId, v6, key);
      if (other >= 0) {
        const ol = Math.floor(other / SLOT_BITS);
        if (l < 0) was = ol;
        s.remove(ol, other - ol * SLOT_BITS);
        moved = true;
        if (l >= 0) {
          // the removal may have moved this peer's slot
          code = s.slots.get(key);
          i = code - l * SLOT_BITS;
        }
      }
    }
    const seeder = a.left === 0;
    if (a.event === 'stopped') {
      if (l >= 0) s.remove(l, i);
      out.changed = l >= 0 || moved;
    } else {
      if (a.event === 'completed' && (was < 0 || was >= LEECHERS4)) {
        s.downloaded++;
        out.completedNow = true;
        out.changed = true;
      }
      const want = (seeder ? SEEDERS4 : LEECHERS4) + v6;
      if (l < 0) {
        l = want;
        i = s.join(l, key, compactOf(key, a.ip, a.port), a.peerId, this.perAddress);
        // a peer that moved and kept its role leaves the counts as they were
        if (!moved || was !== want) out.changed = true;
      } else {
        if (l !== want) {
          i = s.move(l, i, want);
          l = want;
          out.changed = true;
        }
        if (moved) out.changed = true;
        s.lists[l].setPeerId(i, a.peerId);
      }
      if (rekey) s.setIdentity(l, i, id);
      s.lists[l].setStats(i, a.uploaded, a.downloaded, a.left, Date.now());
      // BEP 3 leaves the choice to the tracker: seeders need only leechers; leechers get seeders first.
      if (a.wantPeerIds) out.roomForIds();
      let n = a.numwant;
      if (!seeder) n -= pick(s, SEEDERS4, n, l, i, out, a.wantPeerIds);
      pick(s, LEECHERS4, n, l, i, out, a.wantPeerIds);
    }
    out.complete = s.complete;
    out.incomplete = s.incomplete;
    out.downloaded = s.downloaded;
  }

  scrape(infoHashes: readonly string[]): SwarmCounts[] {
    return infoHashes.map((h) => {
      const s = this.swarms.get(h);
      return s === undefined
        ? { complete: 0, incomplete: 0, downloaded: 0 }
        : { complete: s.complete, incomplete: s.incomplete, downloaded: s.downloaded };
    });
  }

  peers(infoHash: string): PeerInfo[] {
    return this.peerPage(infoHash, 0, Infinity);
  }

  peerPage(infoHash: string, offset: number, limit: number): PeerInfo[] {
    const s = this.swarms.get(infoHash);
    const out: PeerInfo[] = [];
    if (s === undefined) return out;
    for (let l = 0; l < s.lists.length && out.length < limit; l++) {
      const list = s.lists[l];
      if (offset >= list.length) {
        offset -= list.length;
        continue;
      }
      for (let i = offset; i < list.length && out.length < limit; i++) out.push(infoOf(list, l, i));
      offset = 0;
    }
    return out;
  }

  seedCompleted(infoHash: string, downloaded: number): void {
    if (!this.swarms.has(infoHash)) this.swarm(infoHash).downloaded = downloaded;
  }

  removeTorrent(infoHash: string): void {
    this.swarms.delete(infoHash);
  }

  expire(before: number): number {
    let dropped = 0;
    for (const s of this.swarms.values()) {
      s.lists.forEach((list, l) => {
        // from the end: remove() fills slot i from the last slot, which was already checked
        for (let i = list.length - 1; i >= 0; i--) {
          if (list.lastSeen(i) < before) {
            s.remove(l, i);
            dropped++;
          }
        }
      });
    }
    return dropped;
  }

  totals(): { swarms: number; peers: number; seeders: number; leechers: number } {
    let seeders = 0, leechers = 0;
    for (const s of this.swarms.values()) {
      seeders += s.complete;
      leechers += s.incomplete;
    }
    return { swarms: this.swarms.size, peers: seeders + leechers, seeders, leechers };
  }

  close(): void {
    this.swarms.clear();
  }
}
