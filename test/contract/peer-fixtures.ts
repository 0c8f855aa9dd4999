// Announce fixtures shared by the PeerStore contract files: a peer of the current test's swarm,
// an announce into the current store, and the peers a reply lists. The store and the swarm are
// read through getters, since each test starts a fresh pair.
import { AnnounceResult, type PeerAnnounce, type PeerStore } from '../../server/tracker/peer-store.js';
import { compactPeers } from '../helpers/tracker-client.js';

export interface PeerFixtures {
  /** A peer of the swarm on 10.0.0.1:`port` with a peer_id made from the port, `started`. */
  peer(port: number, left: number, over?: Partial<PeerAnnounce>): PeerAnnounce;
  announce(p: PeerAnnounce): Promise<AnnounceResult>;
  /** The IPv4 and IPv6 peers of a reply as "ip:port", sorted. */
  listed(r: AnnounceResult): string[];
}

export function peerFixtures(store: () => PeerStore, hash: () => string): PeerFixtures {
  return {
    peer: (port, left, over = {}) => ({
      infoHash: hash(), peerId: Buffer.from(`-TT0001-${String(port).padStart(12, '0')}`), ip: '10.0.0.1', port,
      uploaded: 0, downloaded: 0, left, event: 'started', numwant: 50, wantPeerIds: false, ...over,
    }),
    async announce(p) {
      const out = new AnnounceResult();
      await store().announce(p, out);
      return out;
    },
    listed: (r) => [
      ...compactPeers(r.peers4.subarray(0, r.peers4Len)),
      ...compactPeers(r.peers6.subarray(0, r.peers6Len), true),
    ].sort(),
  };
}
