// Redis key names for the PeerStore. Every key starts with the store's prefix, so several
// trackers (or test runs) can share one Redis without seeing each other.

/** Role of a peer, also the index of its sorted set in SwarmKeys (as in swarm.ts). */
export const SEEDERS4 = 0, SEEDERS6 = 1, LEECHERS4 = 2, LEECHERS6 = 3;

/**
 * One torrent's nine keys, in the order the Lua scripts take them: four sorted sets (seeders/
 * leechers x IPv4/IPv6, member = compact ip:port bytes, score = last seen in ms), the peer-data
 * hash (per peer its role, id, slot and counters; field '#' the four role counts), and per sorted
 * set a string of its members' compact bytes packed slot by slot (slots.lua.ts). The announce
 * script builds the same names itself from the prefix (announce.lua.ts): keep the two in step.
 */
export function swarmKeys(prefix: string, infoHash: string): string[] {
  const t = `${prefix}swarm:${infoHash}:`;
  return [t + 's4', t + 's6', t + 'l4', t + 'l6', t + 'peers', t + 's4:packed', t + 's6:packed', t + 'l4:packed', t + 'l6:packed'];
}

/** Keys shared by all torrents. */
export interface GlobalKeys {
  /** Hash infoHash -> finished downloads (absolute count). */
  completed: string;
  /** Set of infoHashes whose completed count rose since the last takeCompletedChanges. */
  dirty: string;
  /** Set of infoHashes that have at least one peer; what expire and totals walk. */
  swarms: string;
}

/** The shared keys under `prefix`. */
export function globalKeys(prefix: string): GlobalKeys {
  return { completed: `${prefix}completed`, dirty: `${prefix}completed:dirty`, swarms: `${prefix}swarms` };
}
