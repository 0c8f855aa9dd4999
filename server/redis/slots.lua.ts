// Lua helpers shared by the scripts: each role's peers also sit packed in a string, slot by slot
// (6 bytes IPv4, 18 bytes IPv6), so a reply is one GETRANGE of a random run, as the memory
// store's PeerList copies one; ZRANDMEMBER, which costs Redis ~1 us per member, is not used.
// The four role counts live in one field of the peer-data hash, so an announce reads them with
// the peer's own value in one HMGET instead of four ZCARDs.

/**
 * A torrent's keys are a table k: sorted set of role r is k[r], the peer-data hash k[5], the
 * packed string of role r k[5 + r] (r = 1..4: s4 s6 l4 l6). A peer-data value is: role digit,
 * peer id (20 bytes), "slot,uploaded,downloaded,left"; field '#' (never a compact address, which
 * is 6 or 18 bytes) holds the role counts n[1..4] as four big-endian uint32.
 */
export const SLOTS_LUA = `
local function width(r) return (r % 2 == 0) and 18 or 6 end
-- the slot digits read one by one: a match, its string and tonumber cost several times more
local function slotOf(v)
  local s, i, b = 0, 23, string.byte(v, 22)
  while b ~= 44 do
    s = s * 10 + b - 48
    b = string.byte(v, i)
    i = i + 1
  end
  return s
end
-- the counts from a '#' value; a swarm written before the field existed counts its sets once
local function countsOf(k, c)
  if c then
    local a, b, d, e = struct.unpack('>I4I4I4I4', c)
    return {a, b, d, e}, false
  end
  return {redis.call('ZCARD', k[1]), redis.call('ZCARD', k[2]), redis.call('ZCARD', k[3]), redis.call('ZCARD', k[4])}, true
end
local function packCounts(n) return struct.pack('>I4I4I4I4', n[1], n[2], n[3], n[4]) end
-- A listpack (how Redis keeps a small hash or sorted set) is searched end to end: past ~16
-- members a ZADD there costs ~4x a skiplist's, an HMGET ~3x a hashtable's. Redis converts a key
-- for good when a member or value longer than its *-max-listpack-value (64) arrives, so one is
-- written and removed as a role (or the swarm) reaches LISTPACK_MAX peers.
local LISTPACK_MAX, LONG = 16, string.rep('~', 65)
-- appends member to role r's packed string; returns its slot (the role's count before)
local function link(k, n, r, member)
  local s = n[r]
  redis.call('SETRANGE', k[5 + r], s * width(r), member)
  n[r] = s + 1
  if s + 1 == LISTPACK_MAX then
    redis.call('ZADD', k[r], 0, LONG)
    redis.call('ZREM', k[r], LONG)
  end
  if n[1] + n[2] + n[3] + n[4] == LISTPACK_MAX then
    redis.call('HSET', k[5], LONG, LONG)
    redis.call('HDEL', k[5], LONG)
  end
  return s
end
-- removes member (at slot s) from role r: the last slot moves into s, so slots stay dense
local function unlink(k, n, r, s, member)
  local w, p = width(r), k[5 + r]
  local last = n[r] - 1
  if s ~= last then
    local moved = redis.call('GETRANGE', p, last * w, last * w + w - 1)
    redis.call('SETRANGE', p, s * w, moved)
    local v = redis.call('HGET', k[5], moved)
    redis.call('HSET', k[5], moved, string.sub(v, 1, 21) .. s .. string.sub(v, (string.find(v, ',', 22, true))))
  end
  redis.call('ZREM', k[r], member)
  n[r] = last
  if last == 0 then redis.call('DEL', p) end
end
`;
