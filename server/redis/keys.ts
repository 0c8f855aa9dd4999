// Redis key names for the PeerStore. Every key starts with the store's prefix, so several
// trackers (or test runs) can share one Redis without seeing each other. A torrent's keys share
// the hash tag {infoHash}, so on a Redis Cluster they sit in one slot; the registries of a slot
// (completed counts, changed counts, torrents with peers) carry that slot's tag (slots.ts), so an
// announce script updates a torrent and its registries on the one node that serves them.

/** Role of a peer, also the index of its (legacy) sorted set in SwarmKeys (as in swarm.ts). */
export const SEEDERS4 = 0, SEEDERS6 = 1, LEECHERS4 = 2, LEECHERS6 = 3;

/**
 * One torrent's nine keys, in the order the Lua scripts take them: four sorted sets (seeders/
 * leechers x IPv4/IPv6, member = compact ip:port bytes, score = last seen in ms), written only by
 * versions before the time moved into the peer data (read for their peers, emptied as they go);
 * the peer-data hash (per peer its role, id, slot, counters and last-seen time; field '#' the four
 * role counts and the swarm's version), and per role a string of its peers' compact bytes packed
 * slot by slot (slots.lua.ts). The scripts
 * build the same names themselves from the prefix (TORRENT_KEYS_LUA): keep the two in step.
 */
export function swarmKeys(prefix: string, infoHash: string): string[] {
  const t = `${prefix}{${infoHash}}:`;
  return [t + 's4', t + 's6', t + 'l4', t + 'l6', t + 'peers', t + 's4:packed', t + 's6:packed', t + 'l4:packed', t + 'l6:packed'];
}

/** Keys shared by the torrents of one hash slot (the store's only slot on a single Redis). */
export interface SlotKeys {
  /** Hash infoHash -> finished downloads (absolute count). */
  completed: string;
  /** Set of infoHashes whose completed count rose and is not yet confirmed written to the database (confirmCompletedChanges). */
  dirty: string;
  /** Set of infoHashes that have at least one peer; what expire and totals walk. */
  swarms: string;
}

/** The registries of the slot whose tag is `tag` (slots.ts tagOfSlot). */
export function slotKeys(prefix: string, tag: string): SlotKeys {
  const t = `${prefix}{${tag}}:`;
  return { completed: `${t}completed`, dirty: `${t}completed:dirty`, swarms: `${t}swarms` };
}

/**
 * Lua that builds the same names: torrentKeys(prefix, h) (a table in swarmKeys' order) and
 * slotKeys(prefix, tag) (completed, dirty, swarms). Scripts that touch several torrents take
 * their names this way, undeclared: on a cluster every torrent of one call is on the node it
 * runs on (the store groups them by node), and the scripts carry allow-cross-slot-keys.
 */
export const KEY_NAMES_LUA = `
local function torrentKeys(prefix, h)
  local t = prefix .. '{' .. h .. '}:'
  return {t .. 's4', t .. 's6', t .. 'l4', t .. 'l6', t .. 'peers', t .. 's4:packed', t .. 's6:packed', t .. 'l4:packed', t .. 'l6:packed'}
end
local function slotKeys(prefix, tag)
  local t = prefix .. '{' .. tag .. '}:'
  return t .. 'completed', t .. 'completed:dirty', t .. 'swarms'
end
`;

/** First line of a script whose keys span slots (of one node): Redis 7 then allows it. */
export const CROSS_SLOT = '#!lua flags=allow-cross-slot-keys\n';

/**
 * here(r): false when reply r of a redis.pcall is a key this node does not serve (its slot moved,
 * or is moving and the key is not here yet or any more: resharding, a caller's stale slot map);
 * another error is raised as redis.call would.
 */
export const HERE_LUA = `
local function here(r)
  if type(r) ~= 'table' or not r.err then return true end
  if string.find(r.err, 'Script attempted', 1, true) then return false end
  return error(r)
end
`;
