// Where WebRTC peers sit in the PeerStore. A browser has no ip:port a BitTorrent client could dial,
// yet it is a member of the swarm: it counts in complete/incomplete, its completion counts, it
// expires, it shows in scrapes and subscriptions, on the memory store and on Redis (several
// instances) alike. So each WebRTC peer is stored at a stand-in address derived from its peer id
// in 3fff::/20 (RFC 9637, documentation only, never routed; not 2001:db8::/32, which tests and
// examples use for real clients): one /64 per peer id (44 bits of hash), so the
// per-address limit never groups browsers together (the WS tracker bounds sockets per real
// address itself). The shared announce core removes these entries from every peer list it hands
// to HTTP and UDP clients (dropWebRtcPeers); WebRTC peers get their peers from the WS tracker's
// own socket registry, never from the store, so HTTP/UDP peers never reach a browser.
import type { AnnounceResult } from '../tracker/peer-store.js';

/** FNV-1a over a latin1 string, from `seed`. */
function fnv(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const hex4 = (n: number): string => (n & 0xffff).toString(16);

/** The stand-in ip and port of the WebRTC peer with this 20-byte (latin1) peer id. */
export function webRtcAddress(peerId: string): { ip: string; port: number } {
  const a = fnv(peerId, 0x811c9dc5), b = fnv(peerId, 0x9747b28c);
  const c = fnv(peerId, 0x1b873593);
  return { ip: `3fff:${(c >>> 20).toString(16)}:${hex4(a >>> 16)}:${hex4(a)}:${hex4(b >>> 16)}:${hex4(b)}:0:1`, port: 1 + (c & 0xffff) % 65535 };
}

/** True when the 18-byte compact IPv6 peer at `off` is a WebRTC stand-in (3fff::/20). */
function isStandIn(b: Buffer, off: number): boolean {
  return b[off] === 0x3f && b[off + 1] === 0xff && b[off + 2] < 0x10;
}

/** Removes WebRTC stand-ins from `out`'s IPv6 peers (and their ids), keeping the order of the rest. */
export function dropWebRtcPeers(out: AnnounceResult): void {
  const p = out.peers6;
  let w = 0;
  const ids = out.ids6.length > 0;
  for (let r = 0; r < out.peers6Len; r += 18) {
    if (isStandIn(p, r)) continue;
    if (w !== r) {
      p.copy(p, w, r, r + 18);
      if (ids) out.ids6.copy(out.ids6, (w / 18) * 20, (r / 18) * 20, (r / 18) * 20 + 20);
    }
    w += 18;
  }
  out.peers6Len = w;
}
