// Lua helpers for the per-address limit (tracker/peer-store.ts MAX_PEERS_PER_ADDRESS): each
// client address of a swarm has a field in the peer-data hash listing its peers' compact bytes,
// so an announce from a new port reads one field instead of scanning the swarm. Needs SLOTS_LUA and
// IDENTITY_LUA before it.
import { EVICTION_SAMPLE } from '../tracker/peer-store.js';

/**
 * The field of a member's address: '@' and the IPv4 address (5 bytes) or the IPv6 /64 (9 bytes),
 * never the 6 or 18 bytes of a member, nor '#'. Its value: the members' compact bytes back to back.
 * Swarms written before these fields existed have none: their peers count from their next join.
 */
export const ADDRESSES_LUA = `
local function addressOf(m) return '@' .. string.sub(m, 1, (#m == 6) and 4 or 8) end
-- drops member m from its address's field, if listed there
local function unindex(k, m)
  local f = addressOf(m)
  local v = redis.call('HGET', k[5], f)
  if not v then return end
  local w = #m
  for o = 1, #v, w do
    if string.sub(v, o, o + w - 1) == m then
      v = string.sub(v, 1, o - 1) .. string.sub(v, o + w)
      if #v == 0 then redis.call('HDEL', k[5], f) else redis.call('HSET', k[5], f, v) end
      return
    end
  end
end
-- before member m joins: while its address holds limit or more (a lowered limit may leave more),
-- removes the least recently announced of the address's first EVICTION_SAMPLE (longest held)
-- peers; returns the field and its new value, m appended. f, v: the field and its value ('':
-- none) when the caller read them
local function makeRoom(k, n, m, limit, f, v)
  f = f or addressOf(m)
  v = v or redis.call('HGET', k[5], f) or ''
  local w = #m
  while #v >= limit * w do
    local ms = {}
    for o = 1, math.min(#v, ${EVICTION_SAMPLE} * w), w do ms[#ms + 1] = string.sub(v, o, o + w - 1) end
    local vals = redis.call('HMGET', k[5], unpack(ms))
    local best, oldest = 1, math.huge
    for j = 1, #ms do
      -- a member without peer data (should not happen) goes first
      local seen = vals[j] and seenOf(k, string.byte(vals[j], 1) - 47, ms[j], vals[j]) or -1
      if seen < oldest then best, oldest = j, seen end
    end
    local val = vals[best]
    if val then
      unlink(k, n, string.byte(val, 1) - 47, slotOf(val), ms[best], val)
      -- its data and its key's index (unkey), in one call
      local id = identityOf(val)
      if id and redis.call('HGET', k[5], '!' .. id) == ms[best] then redis.call('HDEL', k[5], ms[best], '!' .. id)
      else redis.call('HDEL', k[5], ms[best]) end
    end
    local o = (best - 1) * w
    v = string.sub(v, 1, o) .. string.sub(v, o + w + 1)
  end
  return f, v .. m
end
`;
