// Lua for the PeerStore's operations other than announce; each runs atomically in one round trip.
// Key layout and the peer-data value format: keys.ts and slots.lua.ts. A script over several
// torrents takes KEYS[1] only to be routed (a key of the node; on a cluster the store sends it the
// torrents that node serves) and builds the names from the prefix (keys.ts KEY_NAMES_LUA).
import { ADDRESSES_LUA } from './addresses.lua.js';
import { IDENTITY_LUA } from './identity.lua.js';
import { CROSS_SLOT, KEY_NAMES_LUA } from './keys.js';
import { SLOTS_LUA } from './slots.lua.js';

/** Head of the scripts over several torrents (cross-slot, name builders). */
const MANY = CROSS_SLOT + KEY_NAMES_LUA;

/** ARGV: prefix, then infoHash and its slot's tag per torrent. Returns complete, incomplete, downloaded per torrent. */
export const SCRAPE_LUA = MANY + `
local prefix, out = ARGV[1], {}
for t = 2, #ARGV, 2 do
  local k = torrentKeys(prefix, ARGV[t])
  out[#out + 1] = redis.call('ZCARD', k[1]) + redis.call('ZCARD', k[2])
  out[#out + 1] = redis.call('ZCARD', k[3]) + redis.call('ZCARD', k[4])
  out[#out + 1] = tonumber(redis.call('HGET', (slotKeys(prefix, ARGV[t + 1])), ARGV[t]) or '0')
end
return out
`;

/** KEYS: the first five swarmKeys (sets and peer-data hash). Returns member, last-seen score, peer-data value for every peer. */
export const PEERS_LUA = `
local out = {}
for l = 1, 4 do
  local m = redis.call('ZRANGE', KEYS[l], 0, -1, 'WITHSCORES')
  for i = 1, #m, 2 do
    out[#out + 1] = m[i]
    out[#out + 1] = m[i + 1]
    out[#out + 1] = redis.call('HGET', KEYS[5], m[i]) or ''
  end
end
return out
`;

/**
 * KEYS: the nine swarmKeys; ARGV: offset, limit. Returns member, last-seen score, peer-data value
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
    local seen = redis.call('ZMSCORE', KEYS[r], unpack(ms))
    for j = 1, #ms do
      out[#out + 1] = ms[j]
      out[#out + 1] = seen[j] or '0'
      out[#out + 1] = vals[j] or ''
    end
    left, off = left - take, 0
  end
end
return out
`;

/**
 * ARGV: prefix, cut-off ms, limit, then infoHash and its slot's tag per torrent. Drops at most
 * `limit` peers in all (so one call never blocks Redis for long) and forgets torrents left
 * without peers. Returns {dropped, 1 if it stopped at the limit: call again}.
 */
export const EXPIRE_LUA = MANY + SLOTS_LUA + IDENTITY_LUA + ADDRESSES_LUA + `
local prefix, cut, budget = ARGV[1], '(' .. ARGV[2], tonumber(ARGV[3])
local dropped = 0
for t = 4, #ARGV, 2 do
  if budget == 0 then return {dropped, 1} end
  local k = torrentKeys(prefix, ARGV[t])
  local n, save = countsOf(k, redis.call('HGET', k[5], '#'))
  for r = 1, 4 do
    local old = budget > 0 and redis.call('ZRANGE', k[r], '-inf', cut, 'BYSCORE', 'LIMIT', 0, budget) or {}
    for i = 1, #old do
      local v = redis.call('HGET', k[5], old[i])
      unlink(k, n, r, slotOf(v), old[i])
      unkey(k, old[i], v)
      redis.call('HDEL', k[5], old[i])
      unindex(k, old[i])
    end
    if #old > 0 then save = true end
    dropped, budget = dropped + #old, budget - #old
    local c, p, w = n[r], k[5 + r], width(r)
    -- give back the room of a role that shrank a lot: SETRANGE never shortens a string
    if c > 0 and redis.call('STRLEN', p) > 4 * c * w + 4096 then
      redis.call('SET', p, redis.call('GETRANGE', p, 0, c * w - 1))
    end
  end
  if n[1] + n[2] + n[3] + n[4] == 0 then
    -- no peer left: the hash holds only the counts
    redis.call('DEL', k[5])
    local _, _, swarms = slotKeys(prefix, ARGV[t + 1])
    redis.call('SREM', swarms, ARGV[t])
  elseif save then
    redis.call('HSET', k[5], '#', packCounts(n))
  end
end
return {dropped, budget == 0 and 1 or 0}
`;

/** ARGV: prefix, infoHashes. Returns {seeders, leechers} summed over them. */
export const TOTALS_LUA = MANY + `
local s, l = 0, 0
for t = 2, #ARGV do
  local k = torrentKeys(ARGV[1], ARGV[t])
  s = s + redis.call('ZCARD', k[1]) + redis.call('ZCARD', k[2])
  l = l + redis.call('ZCARD', k[3]) + redis.call('ZCARD', k[4])
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
