// Lua helpers for the per-address limit (tracker/peer-store.ts MAX_PEERS_PER_ADDRESS): each
// client address of a swarm has a field in the peer-data hash listing its peers' compact bytes,
// so an announce from a new port reads one field instead of scanning the swarm. Needs SLOTS_LUA.

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
-- before member m joins: removes its address's least recently announced peers while the address
-- holds limit or more (a loop: a lowered limit may leave more); returns the field and its new value
local function makeRoom(k, n, m, limit)
  local f = addressOf(m)
  local v = redis.call('HGET', k[5], f) or ''
  local w = #m
  if #v < limit * w then return f, v .. m end
  local ms = {}
  for o = 1, #v, w do ms[#ms + 1] = string.sub(v, o, o + w - 1) end
  -- last seen of each: an address's peers are all of one family, so in its seeder or leecher set
  local r4 = (w == 6) and 1 or 2
  local sa, sb = redis.call('ZMSCORE', k[r4], unpack(ms)), redis.call('ZMSCORE', k[r4 + 2], unpack(ms))
  local seen, role = {}, {}
  for j = 1, #ms do
    -- a member in neither set (should not happen) goes first
    seen[j] = tonumber(sa[j] or sb[j] or '-1')
    role[j] = sa[j] and r4 or (sb[j] and r4 + 2 or 0)
  end
  while #ms >= limit do
    local best = 1
    for j = 2, #ms do if seen[j] < seen[best] then best = j end end
    -- the value now: unlinking an earlier one may have moved this one's slot
    local val = role[best] > 0 and redis.call('HGET', k[5], ms[best])
    if val then
      unlink(k, n, role[best], slotOf(val), ms[best])
      redis.call('HDEL', k[5], ms[best])
    end
    table.remove(ms, best)
    table.remove(seen, best)
    table.remove(role, best)
  end
  return f, table.concat(ms) .. m
end
`;
