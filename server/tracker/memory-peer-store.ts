// In-process PeerStore: one Swarm per torrent, peers keyed by ip:port (as opentracker does),
// seeders and leechers in arrays with swap-remove so counts and random picks are O(1).
import { encodeCompactPeer } from './compact-peer.js';
import type { AnnounceResult, PeerAnnounce, PeerInfo, PeerStore, SwarmCounts } from './peer-store.js';

class Peer {
  /** Index in its swarm's seeders or leechers array. */
  idx = 0;
  constructor(
    readonly key: string,
    readonly ip: string,
    readonly port: number,
    readonly addr: Buffer,
    public peerId: Buffer,
    public seeder: boolean,
    public uploaded: number,
    public downloaded: number,
    public left: number,
    public lastSeen: number,
  ) {}
}

class Swarm {
  readonly peers = new Map<string, Peer>();
  readonly seeders: Peer[] = [];
  readonly leechers: Peer[] = [];
  downloaded = 0;

  add(p: Peer): void {
    const list = p.seeder ? this.seeders : this.leechers;
    p.idx = list.length;
    list.push(p);
    this.peers.set(p.key, p);
  }

  remove(p: Peer): void {
    this.detach(p);
    this.peers.delete(p.key);
  }

  /** Moves a peer between the seeder and leecher lists. */
  setSeeder(p: Peer, seeder: boolean): void {
    this.detach(p);
    p.seeder = seeder;
    const list = seeder ? this.seeders : this.leechers;
    p.idx = list.length;
    list.push(p);
  }

  private detach(p: Peer): void {
    const list = p.seeder ? this.seeders : this.leechers;
    const last = list.pop() as Peer;
    if (last !== p) {
      list[p.idx] = last;
      last.idx = p.idx;
    }
  }
}

/** Copies up to `max` peers of `list` (from a random start, wrapping) into out, skipping `self`. */
function pick(list: Peer[], max: number, self: Peer | undefined, out: AnnounceResult, ids: boolean): number {
  const n = list.length;
  if (n === 0 || max <= 0) return 0;
  let taken = 0;
  const start = n === 1 ? 0 : Math.floor(Math.random() * n);
  for (let k = 0; k < n && taken < max; k++) {
    const p = list[(start + k) % n];
    if (p === self) continue;
    if (p.addr.length === 6) {
      p.addr.copy(out.peers4, out.peers4Len);
      out.peers4Len += 6;
      if (ids) out.ids4.push(p.peerId);
    } else {
      p.addr.copy(out.peers6, out.peers6Len);
      out.peers6Len += 18;
      if (ids) out.ids6.push(p.peerId);
    }
    taken++;
  }
  return taken;
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
    const key = a.ip + ':' + a.port;
    let p = s.peers.get(key);
    const seeder = a.left === 0;
    if (a.event === 'stopped') {
      if (p !== undefined) {
        s.remove(p);
        out.changed = true;
      }
      out.complete = s.seeders.length;
      out.incomplete = s.leechers.length;
      out.downloaded = s.downloaded;
      return;
    }
    if (a.event === 'completed' && (p === undefined || !p.seeder)) {
      s.downloaded++;
      out.completedNow = true;
      out.changed = true;
    }
    const now = Date.now();
    if (p === undefined) {
      p = new Peer(key, a.ip, a.port, encodeCompactPeer(a.ip, a.port), a.peerId, seeder, a.uploaded, a.downloaded, a.left, now);
      s.add(p);
      out.changed = true;
    } else {
      if (p.seeder !== seeder) {
        s.setSeeder(p, seeder);
        out.changed = true;
      }
      if (!p.peerId.equals(a.peerId)) p.peerId = a.peerId;
      p.uploaded = a.uploaded;
      p.downloaded = a.downloaded;
      p.left = a.left;
      p.lastSeen = now;
    }
    out.complete = s.seeders.length;
    out.incomplete = s.leechers.length;
    out.downloaded = s.downloaded;
    // BEP 3 leaves the choice to the tracker: seeders need only leechers; leechers get seeders first.
    let want = a.numwant;
    if (!seeder) want -= pick(s.seeders, want, p, out, a.wantPeerIds);
    pick(s.leechers, want, p, out, a.wantPeerIds);
  }

  scrape(infoHashes: readonly string[]): SwarmCounts[] {
    return infoHashes.map((h) => {
      const s = this.swarms.get(h);
      return s === undefined
        ? { complete: 0, incomplete: 0, downloaded: 0 }
        : { complete: s.seeders.length, incomplete: s.leechers.length, downloaded: s.downloaded };
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
      seeders += s.seeders.length;
      leechers += s.leechers.length;
    }
    return { swarms: this.swarms.size, peers: seeders + leechers, seeders, leechers };
  }

  close(): void {
    this.swarms.clear();
  }
}
