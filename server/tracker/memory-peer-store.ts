// In-process PeerStore: one Swarm per torrent, peers keyed by ip:port (as opentracker does).
// Seeders and leechers sit in PeerLists per address family with their compact bytes packed, so
// counts are O(1) and a reply is a couple of memcpy. IPv4 keys are numbers (no string building).
import { encodeCompactPeer } from './compact-peer.js';
import type { AnnounceResult, PeerAnnounce, PeerInfo, PeerStore, SwarmCounts } from './peer-store.js';
import { PeerList } from './peer-list.js';

/** ip:port as a number for IPv4 (ip * 65536 + port), as a string for IPv6. */
type PeerKey = number | string;

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

class Peer {
  idx = 0;
  constructor(
    readonly key: PeerKey,
    readonly ip: string,
    readonly port: number,
    /** Compact bytes of an IPv6 peer; null for IPv4 (the numeric key holds them). */
    readonly addr6: Buffer | null,
    public peerId: Buffer,
    public seeder: boolean,
    public uploaded: number,
    public downloaded: number,
    public left: number,
    public lastSeen: number,
  ) {}
}

/** Writes an IPv4 peer's 6 compact bytes from its numeric key. */
function write4(p: Peer, dst: Buffer, o: number): void {
  const k = p.key as number;
  const ip = Math.floor(k / 65536), port = k - ip * 65536;
  dst[o] = ip >>> 24; dst[o + 1] = (ip >>> 16) & 255; dst[o + 2] = (ip >>> 8) & 255; dst[o + 3] = ip & 255;
  dst[o + 4] = port >>> 8; dst[o + 5] = port & 255;
}

/** Writes an IPv6 peer's 18 compact bytes. */
function write6(p: Peer, dst: Buffer, o: number): void {
  (p.addr6 as Buffer).copy(dst, o);
}

const idOf = (p: Peer): Buffer => p.peerId;

class Swarm {
  readonly peers = new Map<PeerKey, Peer>();
  readonly seeders4 = new PeerList<Peer>(6, write4);
  readonly seeders6 = new PeerList<Peer>(18, write6);
  readonly leechers4 = new PeerList<Peer>(6, write4);
  readonly leechers6 = new PeerList<Peer>(18, write6);
  downloaded = 0;

  list(p: Peer): PeerList<Peer> {
    return p.seeder ? (p.addr6 === null ? this.seeders4 : this.seeders6) : (p.addr6 === null ? this.leechers4 : this.leechers6);
  }

  get complete(): number {
    return this.seeders4.length + this.seeders6.length;
  }

  get incomplete(): number {
    return this.leechers4.length + this.leechers6.length;
  }

  add(p: Peer): void {
    this.list(p).add(p);
    this.peers.set(p.key, p);
  }

  remove(p: Peer): void {
    this.list(p).remove(p);
    this.peers.delete(p.key);
  }

  setSeeder(p: Peer, seeder: boolean): void {
    this.list(p).remove(p);
    p.seeder = seeder;
    this.list(p).add(p);
  }
}

/** Copies up to `want` peers of one role, split between the families by their sizes. */
function pick(l4: PeerList<Peer>, l6: PeerList<Peer>, want: number, self: Peer, out: AnnounceResult, ids: boolean): number {
  if (want <= 0) return 0;
  const n4 = l4.length - (l4.peers[self.idx] === self ? 1 : 0);
  const n6 = l6.length - (l6.peers[self.idx] === self ? 1 : 0);
  let want6 = n6;
  if (n4 + n6 > want) want6 = n6 === 0 ? 0 : Math.min(n6, Math.max(1, Math.round((want * n6) / (n4 + n6))));
  const got6 = l6.copyOut(out.peers6, out.peers6Len, want6, l6.peers[self.idx] === self ? self.idx : -1, ids ? out.ids6 : null, idOf);
  out.peers6Len += got6 * 18;
  const got4 = l4.copyOut(out.peers4, out.peers4Len, want - got6, l4.peers[self.idx] === self ? self.idx : -1, ids ? out.ids4 : null, idOf);
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
    let p = s.peers.get(key);
    const seeder = a.left === 0;
    if (a.event === 'stopped') {
      if (p !== undefined) {
        s.remove(p);
        out.changed = true;
      }
    } else {
      if (a.event === 'completed' && (p === undefined || !p.seeder)) {
        s.downloaded++;
        out.completedNow = true;
        out.changed = true;
      }
      const now = Date.now();
      if (p === undefined) {
        p = new Peer(key, a.ip, a.port, typeof key === 'number' ? null : encodeCompactPeer(a.ip, a.port), a.peerId, seeder, a.uploaded, a.downloaded, a.left, now);
        s.add(p);
        out.changed = true;
      } else {
        if (p.seeder !== seeder) {
          s.setSeeder(p, seeder);
          out.changed = true;
        }
        p.peerId = a.peerId;
        p.uploaded = a.uploaded;
        p.downloaded = a.downloaded;
        p.left = a.left;
        p.lastSeen = now;
      }
      // BEP 3 leaves the choice to the tracker: seeders need only leechers; leechers get seeders first.
      let want = a.numwant;
      if (!seeder) want -= pick(s.seeders4, s.seeders6, want, p, out, a.wantPeerIds);
      pick(s.leechers4, s.leechers6, want, p, out, a.wantPeerIds);
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
    return [...s.peers.values()].map((p) => ({
      peerId: p.peerId, ip: p.ip, port: p.port, seeder: p.seeder,
      uploaded: p.uploaded, downloaded: p.downloaded, left: p.left, lastSeen: p.lastSeen,
    }));
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
      for (const p of s.peers.values()) {
        if (p.lastSeen < before) {
          s.remove(p);
          dropped++;
        }
      }
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
