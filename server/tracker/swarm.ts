// One torrent's swarm in memory: four PeerLists (seeders/leechers x IPv4/IPv6), an index from
// ip:port key to slot, so counts are O(1) and no object is kept per peer, a Map from client
// address (IPv4 address, IPv6 /64) to its peers' keys, so the per-address limit costs no scan,
// and an index from identity (peer-identity.ts) to key for the peers that sent a BEP 7 key. The
// IPv4 indexes are NumberIndexes: a Map would box every IPv4 key and identity into an object.
import { encodeCompactPeer } from './compact-peer.js';
import { KeyIndex } from './key-index.js';
import { NumberIndex } from './number-index.js';
import { PeerList, type PeerKey } from './peer-list.js';
import { EVICTION_SAMPLE } from './peer-store.js';

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

/** A client address: an IPv4 address as a number, or the first 8 bytes (the /64) of an IPv6 one as a string. */
export type AddressKey = number | string;

/** The address of a peer from its key and compact bytes (`addr` at `off`). */
export function addressOf(key: PeerKey, addr: Uint8Array, off: number): AddressKey {
  if (typeof key === 'number') return Math.floor(key / 65536);
  // one host is given a whole /64 (RFC 6177), so it counts as one address
  return String.fromCharCode(addr[off], addr[off + 1], addr[off + 2], addr[off + 3], addr[off + 4], addr[off + 5], addr[off + 6], addr[off + 7]);
}

export class Swarm {
  /** Slot code (list * SLOT_BITS + index) of each key; -1 for none. */
  readonly slots = new KeyIndex();
  /** Keys of each address's peers in join order: the key itself while there is one (no array for the usual case). */
  readonly byAddress = new Map<AddressKey, PeerKey | PeerKey[]>();
  /** The key of the peer holding each identity (at most one per identity): IPv4 identities (even) hold number keys. */
  private readonly byIdentity4 = new NumberIndex();
  private readonly byIdentity6 = new Map<number, string>();
  readonly lists = [new PeerList(6), new PeerList(18), new PeerList(6), new PeerList(18)];
  downloaded = 0;

  get complete(): number {
    return this.lists[SEEDERS4].length + this.lists[SEEDERS6].length;
  }

  get incomplete(): number {
    return this.lists[LEECHERS4].length + this.lists[LEECHERS6].length;
  }

  /**
   * Adds a new peer to list l (its compact bytes in `addr` from 0). When its address already holds
   * `limit` peers, first removes that address's least recently announced ones, so a client that
   * restarts on a new port is never locked out and the address never holds more. Returns the slot.
   */
  join(l: number, key: PeerKey, addr: Uint8Array, id: Uint8Array, limit: number): number {
    const a = addressOf(key, addr, 0);
    let had = this.byAddress.get(a);
    // a loop, not an if: a lowered limit may leave an address above it
    while (had !== undefined && (Array.isArray(had) ? had.length : 1) >= limit) {
      this.evictOldest(had);
      had = this.byAddress.get(a);
    }
    if (had === undefined) this.byAddress.set(a, key);
    else if (Array.isArray(had)) had.push(key);
    else this.byAddress.set(a, [had, key]);
    const i = this.lists[l].add(key, addr, 0, id, 0);
    this.slots.set(key, l * SLOT_BITS + i);
    return i;
  }

  /** Removes the least recently seen of the first EVICTION_SAMPLE (longest held) of `had`, one address's peers. */
  private evictOldest(had: PeerKey | PeerKey[]): void {
    let victim = -1, oldest = Infinity;
    const n = Array.isArray(had) ? Math.min(had.length, EVICTION_SAMPLE) : 1;
    for (let j = 0; j < n; j++) {
      const code = this.slots.get(Array.isArray(had) ? had[j] : had);
      const l = Math.floor(code / SLOT_BITS);
      const seen = this.lists[l].lastSeen(code - l * SLOT_BITS);
      if (seen < oldest) {
        victim = code;
        oldest = seen;
      }
    }
    const l = Math.floor(victim / SLOT_BITS);
    this.remove(l, victim - l * SLOT_BITS);
  }

  /**
   * The slot code of the peer holding `identity` in family `v6` (0 IPv4, 1 IPv6) with this peer
   * id, at a key other than `key`; -1 when there is none.
   */
  holder(identity: number, peerId: Uint8Array, v6: number, key: PeerKey): number {
    const other = this.keyOfIdentity(identity);
    if (other === -1 || other === key) return -1;
    const code = this.slots.get(other);
    if (code === -1) return -1;
    const l = Math.floor(code / SLOT_BITS), i = code - l * SLOT_BITS;
    const list = this.lists[l];
    return (l & 1) === v6 && list.identity(i) === identity && list.hasPeerId(i, peerId) ? code : -1;
  }

  /** Gives slot i of list l `identity`, taking the index entry of its old one away. */
  setIdentity(l: number, i: number, identity: number): void {
    const list = this.lists[l];
    this.unkey(list, i);
    list.setIdentity(i, identity);
    if (identity === 0) return;
    const key = list.keys[i];
    if (typeof key === 'number') this.byIdentity4.set(identity, key);
    else this.byIdentity6.set(identity, key);
  }

  /** The key holding `identity`, or -1 (identity % 4: 2 for IPv4, 3 for IPv6, peer-identity.ts). */
  private keyOfIdentity(identity: number): PeerKey {
    return identity % 2 === 0 ? this.byIdentity4.get(identity) : (this.byIdentity6.get(identity) ?? -1);
  }

  /** Drops the index entry of slot i's identity if it points to that slot's peer. */
  private unkey(list: PeerList, i: number): void {
    const id = list.identity(i);
    if (id === 0 || this.keyOfIdentity(id) !== list.keys[i]) return;
    if (id % 2 === 0) this.byIdentity4.delete(id);
    else this.byIdentity6.delete(id);
  }

  /** Removes the peer in slot i of list l. */
  remove(l: number, i: number): void {
    const list = this.lists[l];
    const key = list.keys[i];
    this.unkey(list, i);
    const a = addressOf(key, list.addrBytes(), i * list.width);
    const had = this.byAddress.get(a);
    if (had === key) this.byAddress.delete(a);
    else if (Array.isArray(had)) {
      // splice keeps the join order, so among peers last seen in the same ms the first to join goes first
      const j = had.indexOf(key);
      if (j >= 0) had.splice(j, 1);
      if (had.length === 1) this.byAddress.set(a, had[0]);
    }
    this.slots.delete(key);
    const moved = list.remove(i);
    if (moved !== undefined) this.slots.set(moved, l * SLOT_BITS + i);
  }

  /** Moves slot i of list `from` to list `to` (seeder <-> leecher); returns its new index. */
  move(from: number, i: number, to: number): number {
    const src = this.lists[from];
    const key = src.keys[i];
    const j = this.lists[to].add(key, src.addrBytes(), i * src.width, src.idBytes(), i * 20);
    this.slots.set(key, to * SLOT_BITS + j);
    this.lists[to].setStats(j, src.uploaded(i), src.downloaded(i), src.left(i), src.lastSeen(i));
    this.lists[to].setIdentity(j, src.identity(i));
    const moved = src.remove(i);
    if (moved !== undefined) this.slots.set(moved, from * SLOT_BITS + i);
    return j;
  }
}
