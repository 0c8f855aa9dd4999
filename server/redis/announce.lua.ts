// The announce as one atomic Lua script: one Redis round trip per announce, with the same rules
// as the memory store (memory-peer-store.ts): peers keyed by ip:port, BEP 3 peer selection.

/**
 * KEYS: 1-4 the sorted sets s4 s6 l4 l6, 5 the peer-data hash, 6 completed hash, 7 dirty set,
 * 8 swarms set. ARGV: 1 infoHash, 2 compact ip:port, 3 peer id (20 bytes), 4 "uploaded,downloaded,left",
 * 5 role '0'-'3' (keys.ts), 6 event ('s' stopped, 'c' completed, '' other), 7 numwant, 8 '1' for
 * peer ids, 9 now in ms.
 * Returns {complete, incomplete, downloaded, changed + 2 * completedNow, IPv4 compact peers,
 * IPv6 compact peers, IPv4 peer ids, IPv6 peer ids} (byte strings concatenated).
 * A peer-data value is role char .. peer id .. "uploaded,downloaded,left".
 */
export const ANNOUNCE_LUA = `
local addr, h = ARGV[2], ARGV[1]
local old = redis.call('HGET', KEYS[5], addr)
local from = old and (string.byte(old, 1) - 47) or 0
local to = 0
local changed, done = 0, 0
local p4, p6 = {}, {}
if ARGV[6] == 's' then
  if from > 0 then
    redis.call('ZREM', KEYS[from], addr)
    redis.call('HDEL', KEYS[5], addr)
    changed = 1
  end
else
  -- a finished download counts once per peer: not again while the peer stays a seeder
  if ARGV[6] == 'c' and from ~= 1 and from ~= 2 then
    redis.call('HINCRBY', KEYS[6], h, 1)
    redis.call('SADD', KEYS[7], h)
    changed, done = 1, 1
  end
  to = tonumber(ARGV[5]) + 1
  if from ~= to then
    if from > 0 then redis.call('ZREM', KEYS[from], addr) end
    changed = 1
  end
  redis.call('ZADD', KEYS[to], ARGV[9], addr)
  redis.call('HSET', KEYS[5], addr, ARGV[5] .. ARGV[3] .. ARGV[4])
  redis.call('SADD', KEYS[8], h)
end
local n = {redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2]), redis.call('ZCARD', KEYS[3]), redis.call('ZCARD', KEYS[4])}
if to == 0 and n[1] + n[2] + n[3] + n[4] == 0 then redis.call('SREM', KEYS[8], h) end

-- up to want random members of set k, never the announcer, appended to out
local function take(k, want, out)
  if want <= 0 then return 0 end
  local self = (k == to) and 1 or 0
  local got = redis.call('ZRANDMEMBER', KEYS[k], want + self)
  local c = 0
  for i = 1, #got do
    if c == want then break end
    if got[i] ~= addr then
      c = c + 1
      out[#out + 1] = got[i]
    end
  end
  return c
end
-- one role (k4: its IPv4 set), the families shared by their sizes as the memory store does
local function pick(k4, want)
  if want <= 0 then return 0 end
  local n4 = n[k4] - ((to == k4) and 1 or 0)
  local n6 = n[k4 + 1] - ((to == k4 + 1) and 1 or 0)
  local want6 = n6
  if n4 + n6 > want then
    want6 = (n6 == 0) and 0 or math.min(n6, math.max(1, math.floor(want * n6 / (n4 + n6) + 0.5)))
  end
  local got6 = take(k4 + 1, want6, p6)
  return got6 + take(k4, want - got6, p4)
end
if to > 0 then
  local want = tonumber(ARGV[7])
  -- BEP 3 leaves the choice to the tracker: seeders need only leechers; leechers get seeders first
  if to > 2 then want = want - pick(1, want) end
  pick(3, want)
end

local i4, i6 = '', ''
if ARGV[8] == '1' then
  local function ids(list)
    if #list == 0 then return '' end
    local v = redis.call('HMGET', KEYS[5], unpack(list))
    for i = 1, #v do v[i] = string.sub(v[i], 2, 21) end
    return table.concat(v)
  end
  i4, i6 = ids(p4), ids(p6)
end
local downloaded = tonumber(redis.call('HGET', KEYS[6], h) or '0')
return {n[1] + n[2], n[3] + n[4], downloaded, changed + 2 * done, table.concat(p4), table.concat(p6), i4, i6}
`;
