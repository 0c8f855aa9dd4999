// In-process PeerStore: one Swarm per torrent, peers keyed by ip:port (as opentracker does).
// A swarm holds four PeerLists (seeders/leechers x IPv4/IPv6) and a Map from key to slot, so
// counts are O(1), a reply is a couple of memcpy, and no object is kept per peer.
import { encodeCompactPeer } from './compact-peer.js';
import type { AnnounceResult, PeerAnnounce, PeerInfo, PeerStore, SwarmCounts } from './peer-store.js';
import { PeerList, type PeerKey } from './peer-list.js';

const SEEDERS4 = 0, SEEDERS6 = 1, LEECHERS4 = 2, LEECHERS6 = 3;
const SLOT_BITS = 0x1000000; // slot code = list * 2^24 + index

/** Key for ip:port without allocating for IPv4 dotted quads. */
function peerKey(ip: string, port: number): PeerKey {
  let v = 0, part = 0, dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      v = v * 256 + part;
      part = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
    } else {
      return ip + ']' + port;
    }
  }
  return dots === 3 ? (v * 256 + part) * 65536 + port : ip + ']' + port;
}

/** ip and port back from a key. */
function splitKey(key: PeerKey): { ip: string; port: number } {
  if (typeof key === 'string') {
    const b = key.lastIndexOf(']');
    return { ip: key.slice(0, b), port: Number(key.slice(b + 1)) };
  }
  const ip = Math.floor(key / 65536);
  return { ip: `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`, port: key - ip * 65536 };
}

const scratch4 = Buffer.alloc(6);

/** Compact bytes of a key: into scratch4 for IPv4 (no allocation), a new buffer for IPv6. */
function compactOf(key: PeerKey, ip: string, port: number): Buffer {
  if (typeof key === 'string') return encodeCompactPeer(ip, port);
  const n = Math.floor(key / 65536);
  scratch4[0] = n >>> 24; scratch4[1] = (n >>> 16) & 255; scratch4[2] = (n >>> 8) & 255; scratch4[3] = n & 255;
  scratch4[4] = port >>> 8; scratch4[5] = port & 255;
  return scratch4;
}

class Swarm {
  readonly slots = new Map<PeerKey, number>();
  readonly lists = [new PeerList(6), new PeerList(18), new PeerList(6), new PeerList(18)];
  downloaded = 0;

  get complete(): number {
    return this.lists[SEEDERS4].length + this.lists[SEEDERS6].length;
  }

  get incomplete(): number {
    return this.lists[LEECHERS4].length + this.lists[LEECHERS6].length;
  }

  add(l: number, key: PeerKey, addr: Uint8Array, addrOff: number, id: Uint8Array, idOff: number): number {
    const i = this.lists[l].add(key, addr, addrOff, id, idOff);
    this.slots.set(key, l * SLOT_BITS + i);
    return i;
  }

  remove(l: number, i: number): void {
    const list = this.lists[l];
    this.slots.delete(list.keys[i]);
    const moved = list.remove(i);
    if (moved !== undefined) this.slots.set(moved, l * SLOT_BITS + i);
  }

  /** Moves slot i of list `from` to list `to` (seeder <-> leecher); returns its new index. */
  move(from: number, i: number, to: number): number {
    const src = this.lists[from];
    const key = src.keys[i];
    const j = this.add(to, key, src.addrBytes(), i * src.width, src.idBytes(), i * 20);
    this.lists[to].setStats(j, src.uploaded(i), src.downloaded(i), src.left(i), src.lastSeen(i));
    const moved = src.remove(i);
    if (moved !== undefined) this.slots.set(moved, from * SLOT_BITS + i);
    return j;
  }
}

/** Copies up to `want` peers of one role, split between the families by their sizes. */
function pick(s: Swarm, l4: number, want: number, selfList: number, selfIdx: number, out: AnnounceResult, ids: boolean): number {
  if (want <= 0) return 0;
  const a = s.lists[l4], b = s.lists[l4 + 1];
  const skip4 = selfList === l4 ? selfIdx : -1, skip6 = selfList === l4 + 1 ? selfIdx : -1;
  const n4 = a.length - (skip4 >= 0 ? 1 : 0), n6 = b.length - (skip6 >= 0 ? 1 : 0);
  let want6 = n6;
  if (n4 + n6 > want) want6 = n6 === 0 ? 0 : Math.min(n6, Math.max(1, Math.round((want * n6) / (n4 + n6))));
  const got6 = b.copyOut(out.peers6, out.peers6Len, want6, skip6, ids ? out.ids6 : null);
  out.peers6Len += got6 * 18;
  const got4 = a.copyOut(out.peers4, out.peers4Len, want - got6, skip4, ids ? out.ids4 : null);
  out.peers4Len += got4 * 6;
  return got4 + got6;
}

/** PeerStore kept in this process's memory; synchronous. */
export class MemoryPeerStore implements PeerStore {
  readonly sync = true;
  private readonly swarms = new Map<string, Swarm>();

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
    const code = s.slots.get(key);
    let l = code === undefined ? -1 : Math.floor(code / SLOT_BITS);
    let i = code === undefined ? -1 : code - l * SLOT_BITS;
    const seeder = a.left === 0;
    if (a.event === 'stopped') {
      if (l >= 0) {
        s.remove(l, i);
        out.changed = true;
      }
    } else {
      if (a.event === 'completed' && (l < 0 || l >= LEECHERS4)) {
        s.downloaded++;
        out.completedNow = true;
        out.changed = true;
      }
      const v6 = typeof key === 'string' ? 1 : 0;
      const want = (seeder ? SEEDERS4 : LEECHERS4) + v6;
      if (l < 0) {
        l = want;
        i = s.add(l, key, compactOf(key, a.ip, a.port), 0, a.peerId, 0);
        out.changed = true;
      } else {
        if (l !== want) {
          i = s.move(l, i, want);
          l = want;
          out.changed = true;
        }
        s.lists[l].setPeerId(i, a.peerId);
      }
      s.lists[l].setStats(i, a.uploaded, a.downloaded, a.left, Date.now());
      // BEP 3 leaves the choice to the tracker: seeders need only leechers; leechers get seeders first.
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
    const s = this.swarms.get(infoHash);
    if (s === undefined) return [];
    const out: PeerInfo[] = [];
    s.lists.forEach((list, l) => {
      for (let i = 0; i < list.length; i++) {
        const { ip, port } = splitKey(list.keys[i]);
        out.push({
          peerId: list.peerId(i), ip, port, seeder: l < LEECHERS4,
          uploaded: list.uploaded(i), downloaded: list.downloaded(i), left: list.left(i), lastSeen: list.lastSeen(i),
        });
      }
    });
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
