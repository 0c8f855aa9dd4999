// Lua for the PeerStore's operations other than announce; each runs atomically in one round trip.
// Key layout and the peer-data value format: keys.ts and slots.lua.ts. A script over several
// torrents takes KEYS[1] only to be routed (a key of the node; on a cluster the store sends it the
// torrents that node serves) and builds the names from the prefix (keys.ts KEY_NAMES_LUA).
import { ADDRESSES_LUA } from './addresses.lua.js';
import { IDENTITY_LUA } from './identity.lua.js';
import { CROSS_SLOT, HERE_LUA, KEY_NAMES_LUA } from './keys.js';
import { SLOTS_LUA } from './slots.lua.js';

/** What dropping a peer costs an expire call's budget beyond reading it (a dozen commands against one). */
export const EXPIRE_DROP_COST = 8;

/** Head of the scripts over several torrents (cross-slot, name builders). */
const MANY = CROSS_SLOT + KEY_NAMES_LUA;

/**
 * ARGV: prefix, then infoHash and its slot's tag per torrent. Returns complete, incomplete,
 * downloaded per torrent; -1, -1, -1 for one whose keys this node does not serve (resharding).
 */
export const SCRAPE_LUA = MANY + HERE_LUA + SLOTS_LUA + `
local prefix, out = ARGV[1], {}
for t = 2, #ARGV, 2 do
  local k = torrentKeys(prefix, ARGV[t])
  local c = redis.pcall('HGET', k[5], '#')
  local d = redis.pcall('HGET', (slotKeys(prefix, ARGV[t + 1])), ARGV[t])
  if here(c) and here(d) then
    local n = countsOf(k, c)
    out[#out + 1] = n[1] + n[2]
    out[#out + 1] = n[3] + n[4]
    out[#out + 1] = tonumber(d or '0')
  else
    out[#out + 1], out[#out + 2], out[#out + 3] = -1, -1, -1
  end
end
return out
`;

/**
 * KEYS: the nine swarmKeys; ARGV: offset, limit. Returns member, last-seen ms, peer-data value
 * for at most `limit` peers from position `offset` (roles in order, each by slot): GETRANGE of the
 * packed strings, so the rest of the swarm is never read.
 */
export const PEER_PAGE_LUA = SLOTS_LUA + `
local n = countsOf(KEYS, redis.call('HGET', KEYS[5], '#'))
local off, left, out = tonumber(ARGV[1]), tonumber(ARGV[2]), {}
for r = 1, 4 do
  if left <= 0 then break end
  if off >= n[r] then off = off - n[r]
  else
    local take, w = math.min(n[r] - off, left), width(r)
    local run = redis.call('GETRANGE', KEYS[5 + r], off * w, (off + take) * w - 1)
    local ms = {}
    for o = 1, #run, w do ms[#ms + 1] = string.sub(run, o, o + w - 1) end
    local vals = redis.call('HMGET', KEYS[5], unpack(ms))
    for j = 1, #ms do
      out[#out + 1] = ms[j]
      out[#out + 1] = vals[j] and string.format('%d', seenOf(KEYS, r, ms[j], vals[j])) or '0'
      out[#out + 1] = vals[j] or ''
    end
    left, off = left - take, 0
  end
end
return out
`;

/**
 * ARGV: prefix, cut-off ms, budget, the role (1-4) and slot to start at in the first torrent, then
 * infoHash and its slot's tag per torrent. Reads every peer's time from its value (slots.lua.ts),
 * a run of slots at a time, and drops those last seen before the cut-off; forgets torrents left
 * without peers. Each peer read costs 1 of the budget, each dropped EXPIRE_DROP_COST more, so one
 * call never blocks Redis for long. Returns {dropped, torrents done, role, slot}: when torrents done
 * is less than the torrents given, call again from that torrent at that role and slot.
 */
export const EXPIRE_LUA = MANY + SLOTS_LUA + IDENTITY_LUA + ADDRESSES_LUA + `
local prefix, cut, budget = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local r0, s0 = tonumber(ARGV[4]), tonumber(ARGV[5])
local RUN, DROP = 200, ${EXPIRE_DROP_COST}
local dropped, done = 0, 0
for t = 6, #ARGV, 2 do
  local k = torrentKeys(prefix, ARGV[t])
  local n, save = countsOf(k, redis.call('HGET', k[5], '#'))
  for r = r0, 4 do
    local w, p, s = width(r), k[5 + r], s0
    s0 = 0
    while s < n[r] do
      if budget <= 0 then
        if save then redis.call('HSET', k[5], '#', packCounts(n)) end
        return {dropped, done, r, s}
      end
      local take = math.min(n[r] - s, RUN, budget)
      local run = redis.call('GETRANGE', p, string.format('%d', s * w), string.format('%d', (s + take) * w - 1))
      local ms = {}
      for o = 1, #run, w do ms[#ms + 1] = string.sub(run, o, o + w - 1) end
      local vals = redis.call('HMGET', k[5], unpack(ms))
      budget = budget - take
      -- from the highest slot down: a drop moves the role's last peer into the freed slot, never
      -- into a lower one of this run
      local gone = 0
      for j = #ms, 1, -1 do
        local v = vals[j]
        if v and seenOf(k, r, ms[j], v) < cut then
          unlink(k, n, r, s + j - 1, ms[j], v)
          unkey(k, ms[j], v)
          redis.call('HDEL', k[5], ms[j])
          unindex(k, ms[j])
          gone, save = gone + 1, true
        end
      end
      dropped, budget = dropped + gone, budget - gone * DROP
      -- the run's kept peers are read; peers moved into its freed slots wait for the next sweep
      s = s + take - gone
    end
    -- give back the room of a role that shrank a lot: SETRANGE never shortens a string
    local c = n[r]
    if c > 0 and redis.call('STRLEN', p) > 4 * c * w + 4096 then
      redis.call('SET', p, redis.call('GETRANGE', p, 0, c * w - 1))
    end
  end
  r0 = 1
  if n[1] + n[2] + n[3] + n[4] == 0 then
    -- no peer left: the hash holds only the counts
    redis.call('DEL', k[5])
    local _, _, swarms = slotKeys(prefix, ARGV[t + 1])
    redis.call('SREM', swarms, ARGV[t])
  elseif save then
    redis.call('HSET', k[5], '#', packCounts(n))
  end
  done = done + 1
end
return {dropped, done, 1, 0}
`;

/** ARGV: prefix, infoHashes. Returns {seeders, leechers} summed over them. */
export const TOTALS_LUA = MANY + SLOTS_LUA + `
local s, l = 0, 0
for t = 2, #ARGV do
  local k = torrentKeys(ARGV[1], ARGV[t])
  local n = countsOf(k, redis.call('HGET', k[5], '#'))
  s = s + n[1] + n[2]
  l = l + n[3] + n[4]
end
return {s, l}
`;

/** ARGV: prefix, slot tags. Returns, per slot with torrents that have peers: its tag, their number, the infoHashes. */
export const LIST_SWARMS_LUA = MANY + `
local out = {}
for t = 2, #ARGV do
  local _, _, swarms = slotKeys(ARGV[1], ARGV[t])
  local hs = redis.call('SMEMBERS', swarms)
  if #hs > 0 then
    out[#out + 1] = ARGV[t]
    out[#out + 1] = #hs
    for i = 1, #hs do out[#out + 1] = hs[i] end
  end
end
return out
`;

/** KEYS: one key of the torrent (routing); ARGV: prefix, infoHash, its slot's tag. Forgets the torrent: peers, count, marks. */
export const REMOVE_LUA = MANY + `
local k = torrentKeys(ARGV[1], ARGV[2])
redis.call('DEL', unpack(k))
local completed, dirty, swarms = slotKeys(ARGV[1], ARGV[3])
redis.call('HDEL', completed, ARGV[2])
redis.call('SREM', dirty, ARGV[2])
redis.call('SREM', swarms, ARGV[2])
return 0
`;

/** KEYS: completed hash; ARGV: infoHash, count. Raises the count to `count`, never lowers it. */
export const SEED_COMPLETED_LUA = `
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
if cur < tonumber(ARGV[2]) then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 0
`;

/**
 * ARGV: prefix, slot tags. Returns infoHash, count pairs of their dirty sets' torrents still known,
 * and leaves the sets as they are: a torrent stays dirty until CONFIRM_COMPLETED_LUA clears it, so
 * an instance that dies between reading and writing the database loses nothing (another writes it).
 */
export const PENDING_COMPLETED_LUA = MANY + `
local out = {}
for t = 2, #ARGV do
  local completed, dirty = slotKeys(ARGV[1], ARGV[t])
  local hs = redis.call('SMEMBERS', dirty)
  for i = 1, #hs do
    local c = redis.call('HGET', completed, hs[i])
    if c then
      out[#out + 1] = hs[i]
      out[#out + 1] = c
    else
      redis.call('SREM', dirty, hs[i])
    end
  end
end
return out
`;

/**
 * ARGV: prefix, then infoHash, its slot's tag and the count written to the database, per torrent.
 * Clears each torrent's dirty mark unless its count rose since (then the next flush writes it).
 */
export const CONFIRM_COMPLETED_LUA = MANY + `
for t = 2, #ARGV, 3 do
  local completed, dirty = slotKeys(ARGV[1], ARGV[t + 1])
  if tonumber(redis.call('HGET', completed, ARGV[t]) or '0') <= tonumber(ARGV[t + 2]) then redis.call('SREM', dirty, ARGV[t]) end
end
return 0
`;
