// Lua helpers shared by the scripts: each role's peers also sit packed in a string, slot by slot
// (6 bytes IPv4, 18 bytes IPv6), so a reply is one GETRANGE of a random run, as the memory
// store's PeerList copies one; ZRANDMEMBER, which costs Redis ~1 us per member, is not used.
// The four role counts live in one field of the peer-data hash, so an announce reads them with
// the peer's own value in one HMGET instead of four ZCARDs.

/**
 * A torrent's keys are a table k: sorted set of role r is k[r] (kept only by versions before the
 * times moved into the values: read for their peers' times, emptied as they go), the peer-data
 * hash k[5], the packed string of role r k[5 + r] (r = 1..4: s4 s6 l4 l6). A peer-data value is:
 * role digit, peer id (20 bytes), "slot,uploaded,downloaded,left" (",identity": identity.lua.ts),
 * then ';' and the peer's last announce in ms (13 digits; a value without it was written by an
 * older version, which kept the time as the peer's score in its role's sorted set); field '#' (never a compact address, which
 * is 6 or 18 bytes) holds the role counts n[1..4] as four big-endian uint32, then the swarm's
 * version n[5] (uint32), which changes whenever a packed string does: an instance that holds the
 * strings of a version (swarm-views.ts) is told the version is unchanged instead of sent them
 * again. A '#' of 16 bytes (written by a version before the field) has no version: nobody holds
 * its strings; the next write gives it a new one.
 */
export const SLOTS_LUA = `
local function width(r) return (r % 2 == 0) and 18 or 6 end
-- a value with its time (';' and 13 digits at its end)
local function timed(v) return string.byte(v, -14) == 59 end
-- the last announce (ms) of member m of role r, whose value is v
local function seenOf(k, r, m, v)
  if timed(v) then return tonumber(string.sub(v, -13)) end
  return tonumber(redis.call('ZSCORE', k[r], m) or '0')
end
-- the slot digits read one by one: a match, its string and tonumber cost several times more
local function slotOf(v)
  -- (one or two digits, most slots, read in one call)
  local b1, b2, b3 = string.byte(v, 22, 24)
  if b2 == 44 then return b1 - 48 end
  if b3 == 44 then return b1 * 10 + b2 - 528 end
  local s, i, b = 0, 23, b1
  while b ~= 44 do
    s = s * 10 + b - 48
    b = string.byte(v, i)
    i = i + 1
  end
  return s
end
-- the counts (and version) from a '#' value; a swarm written before the field existed counts its sets once
local function countsOf(k, c)
  if c then
    if #c >= 20 then
      local a, b, d, e, v = struct.unpack('>I4I4I4I4I4', c)
      return {a, b, d, e, v}, false
    end
    local a, b, d, e = struct.unpack('>I4I4I4I4', c)
    return {a, b, d, e}, false
  end
  return {redis.call('ZCARD', k[1]), redis.call('ZCARD', k[2]), redis.call('ZCARD', k[3]), redis.call('ZCARD', k[4])}, true
end
-- a version for a swarm that has none: from the clock (math.random repeats itself on every call),
-- so a version an instance still holds from before is not given again
local function freshVersion()
  local t = redis.call('TIME')
  return (tonumber(t[1]) * 1000000 + tonumber(t[2])) % 4294967296
end
-- the packed strings change: a new version
local function bump(n) n[5] = ((n[5] or freshVersion()) + 1) % 4294967296 end
local function packCounts(n)
  if not n[5] then n[5] = freshVersion() end
  return struct.pack('>I4I4I4I4I4', n[1], n[2], n[3], n[4], n[5])
end
-- A listpack (how Redis keeps a small hash) is searched end to end: past ~16 fields an HMGET
-- there costs ~3x a hashtable's. Redis converts a key for good when a value longer than its
-- hash-max-listpack-value (64) arrives, so one is written and removed as the swarm reaches
-- LISTPACK_MAX peers.
local LISTPACK_MAX, LONG = 16, string.rep('~', 65)
-- appends member to role r's packed string; returns its slot (the role's count before)
local function link(k, n, r, member)
  local s = n[r]
  redis.call('SETRANGE', k[5 + r], s * width(r), member)
  n[r] = s + 1
  bump(n)
  if n[1] + n[2] + n[3] + n[4] == LISTPACK_MAX then
    redis.call('HSET', k[5], LONG, LONG)
    redis.call('HDEL', k[5], LONG)
  end
  return s
end
-- removes member (at slot s, value v) from role r: the last slot moves into s, so slots stay dense
local function unlink(k, n, r, s, member, v)
  local w, p = width(r), k[5 + r]
  local last = n[r] - 1
  if s ~= last then
    local moved = redis.call('GETRANGE', p, last * w, last * w + w - 1)
    redis.call('SETRANGE', p, s * w, moved)
    local v = redis.call('HGET', k[5], moved)
    redis.call('HSET', k[5], moved, string.sub(v, 1, 21) .. s .. string.sub(v, (string.find(v, ',', 22, true))))
  end
  if not timed(v) then redis.call('ZREM', k[r], member) end
  n[r] = last
  bump(n)
  if last == 0 then redis.call('DEL', p) end
end
`;
