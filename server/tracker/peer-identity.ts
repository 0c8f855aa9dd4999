// Who a peer is across address changes: BEP 7 asks clients to send a `key` that stays the same for
// an infohash during a session and is never shown to other peers, so that together with the
// peer_id it identifies the client when its address changes. Peers stay keyed by ip:port; a peer
// that sent a key also carries an identity (peer_id, key, address family), and an announce with
// the same identity from a new ip:port of the same family moves that peer instead of adding one.
// The family is part of it because a dual-stack client announces once per family with one key
// (libtorrent does): each family keeps its own slot, so IPv4-only peers still get its IPv4 address.

/**
 * The identity of an announce: 0 without a key (or an empty one), else a whole number from 2 to
 * 2^53 - 1 mixing the 20 bytes of `peerId`, every character of `key` and the family. Two 32-bit
 * hashes make 51 bits; stores compare the peer_id itself too before trusting a match. Not secret:
 * a hijacker would need the key, which only the client and the tracker see. Allocates nothing.
 */
export function peerIdentity(peerId: Uint8Array, key: string | null | undefined, v6: boolean): number {
  if (key === null || key === undefined || key.length === 0) return 0;
  let a = 0x811c9dc5, b = 0x9747b28c;
  for (let i = 0; i < 20; i++) {
    const c = peerId[i] | 0;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a = Math.imul(a ^ 0x100, 0x01000193); // a separator no byte equals, so the key's start is fixed
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a = mix(a ^ key.length);
  b = mix(b ^ key.length);
  return ((a >>> 0) * 0x80000 + (b >>> 13)) * 4 + 2 + (v6 ? 1 : 0);
}

/** murmur3's 32-bit finaliser: every input bit reaches every output bit. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
