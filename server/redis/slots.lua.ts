// Lua helpers shared by the scripts: each role's peers also sit packed in a string, slot by slot
// (6 bytes IPv4, 18 bytes IPv6), so a reply is one GETRANGE of a random run, as the memory
// store's PeerList copies one; ZRANDMEMBER, which costs Redis ~1 us per member, is not used.

/**
 * A torrent's keys start at KEYS[b + 1]: sorted set of role r is KEYS[b + r], the peer-data
 * hash KEYS[b + 5], the packed string of role r KEYS[b + 5 + r] (r = 1..4: s4 s6 l4 l6).
 * A peer-data value is: role digit, peer id (20 bytes), "slot,uploaded,downloaded,left".
 */
export const SLOTS_LUA = `
local function width(r) return (r % 2 == 0) and 18 or 6 end
local function slotOf(v) return tonumber(string.match(v, '^%d+', 22)) end
-- appends member to role r's packed string; returns its slot (the role's count before ZADD)
local function link(b, r, member)
  local s = redis.call('ZCARD', KEYS[b + r])
  redis.call('SETRANGE', KEYS[b + 5 + r], s * width(r), member)
  return s
end
-- removes member (at slot s) from role r: the last slot moves into s, so slots stay dense
local function unlink(b, r, s, member)
  local w, p = width(r), KEYS[b + 5 + r]
  local last = redis.call('ZCARD', KEYS[b + r]) - 1
  if s ~= last then
    local moved = redis.call('GETRANGE', p, last * w, last * w + w - 1)
    redis.call('SETRANGE', p, s * w, moved)
    local v = redis.call('HGET', KEYS[b + 5], moved)
    redis.call('HSET', KEYS[b + 5], moved, string.sub(v, 1, 21) .. s .. string.sub(v, (string.find(v, ',', 22, true))))
  end
  redis.call('ZREM', KEYS[b + r], member)
  if last == 0 then redis.call('DEL', p) end
end
`;
