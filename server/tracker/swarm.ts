// One torrent's swarm in memory: four PeerLists (seeders/leechers x IPv4/IPv6) and a Map from
// ip:port key to slot, so counts are O(1) and no object is kept per peer.
import { encodeCompactPeer } from './compact-peer.js';
import { PeerList, type PeerKey } from './peer-list.js';

export const SEEDERS4 = 0, SEEDERS6 = 1, LEECHERS4 = 2, LEECHERS6 = 3;
export const SLOT_BITS = 0x1000000; // slot code = list * 2^24 + index

/** Key for ip:port without allocating for IPv4 dotted quads. */
export function peerKey(ip: string, port: number): PeerKey {
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
export function splitKey(key: PeerKey): { ip: string; port: number } {
  if (typeof key === 'string') {
    const b = key.lastIndexOf(']');
    return { ip: key.slice(0, b), port: Number(key.slice(b + 1)) };
  }
  const ip = Math.floor(key / 65536);
  return { ip: `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`, port: key - ip * 65536 };
}

const scratch4 = Buffer.alloc(6);

/** Compact bytes of a key: into scratch4 for IPv4 (no allocation), a new buffer for IPv6. */
export function compactOf(key: PeerKey, ip: string, port: number): Buffer {
  if (typeof key === 'string') return encodeCompactPeer(ip, port);
  const n = Math.floor(key / 65536);
  scratch4[0] = n >>> 24; scratch4[1] = (n >>> 16) & 255; scratch4[2] = (n >>> 8) & 255; scratch4[3] = n & 255;
  scratch4[4] = port >>> 8; scratch4[5] = port & 255;
  return scratch4;
}

export class Swarm {
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
