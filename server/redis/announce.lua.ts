// The announce as one atomic Lua script: one Redis round trip per announce, with the same rules
// as the memory store (memory-peer-store.ts): peers keyed by ip:port, BEP 3 peer selection.
import { SLOTS_LUA } from './slots.lua.js';

/**
 * KEYS: 1-9 the torrent's swarmKeys (keys.ts), 10 completed hash, 11 dirty set, 12 swarms set.
 * ARGV: 1 infoHash, 2 compact ip:port, 3 peer id (20 bytes), 4 "uploaded,downloaded,left",
 * 5 role '0'-'3' (keys.ts), 6 event ('s' stopped, 'c' completed, '' other), 7 numwant, 8 '1' for
 * peer ids, 9 now in ms, 10 a random integer (scripts' math.random repeats itself on every call).
 * Returns {complete, incomplete, downloaded, changed + 2 * completedNow, IPv4 compact peers,
 * IPv6 compact peers, IPv4 peer ids, IPv6 peer ids} (byte strings concatenated).
 */
export const ANNOUNCE_LUA = SLOTS_LUA + `
local addr, h = ARGV[2], ARGV[1]
local old = redis.call('HGET', KEYS[5], addr)
local from, slot = 0, -1
if old then from, slot = string.byte(old, 1) - 47, slotOf(old) end
local to = 0
local changed, done = 0, 0
if ARGV[6] == 's' then
  if from > 0 then
    unlink(0, from, slot, addr)
    redis.call('HDEL', KEYS[5], addr)
    changed = 1
  end
else
  -- a finished download counts once per peer: not again while the peer stays a seeder
  if ARGV[6] == 'c' and from ~= 1 and from ~= 2 then
    redis.call('HINCRBY', KEYS[10], h, 1)
    redis.call('SADD', KEYS[11], h)
    changed, done = 1, 1
  end
  to = tonumber(ARGV[5]) + 1
  if from ~= to then
    if from > 0 then unlink(0, from, slot, addr) else redis.call('SADD', KEYS[12], h) end
    slot = link(0, to, addr)
    changed = 1
  end
  redis.call('ZADD', KEYS[to], ARGV[9], addr)
  redis.call('HSET', KEYS[5], addr, ARGV[5] .. ARGV[3] .. slot .. ',' .. ARGV[4])
end
local n = {redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2]), redis.call('ZCARD', KEYS[3]), redis.call('ZCARD', KEYS[4])}
if to == 0 and n[1] + n[2] + n[3] + n[4] == 0 then redis.call('SREM', KEYS[12], h) end

local p4, p6, rnd = {}, {}, tonumber(ARGV[10])
-- up to want peers of role r: a run of slots from a random one, wrapping, never the announcer
local function take(r, want, out)
  local c, self = n[r], (r == to) and 1 or 0
  local k = math.min(want + self, c)
  if want <= 0 or k <= self then return 0 end
  local w, p, start = width(r), KEYS[5 + r], rnd % c
  local run
  if start + k <= c then
    run = redis.call('GETRANGE', p, start * w, (start + k) * w - 1)
  else
    run = redis.call('GETRANGE', p, start * w, c * w - 1) .. redis.call('GETRANGE', p, 0, (start + k - c) * w - 1)
  end
  if self == 1 then
    local at = (slot - start) % c
    if at < k then run = string.sub(run, 1, at * w) .. string.sub(run, at * w + w + 1)
    else run = string.sub(run, 1, want * w) end
  end
  out[#out + 1] = run
  return k - self
end
-- one role (r4: its IPv4 set), the families shared by their sizes as the memory store does
local function pick(r4, want)
  if want <= 0 then return 0 end
  local n4 = n[r4] - ((to == r4) and 1 or 0)
  local n6 = n[r4 + 1] - ((to == r4 + 1) and 1 or 0)
  local want6 = n6
  if n4 + n6 > want then
    want6 = (n6 == 0) and 0 or math.min(n6, math.max(1, math.floor(want * n6 / (n4 + n6) + 0.5)))
  end
  local got6 = take(r4 + 1, want6, p6)
  return got6 + take(r4, want - got6, p4)
end
if to > 0 then
  local want = tonumber(ARGV[7])
  -- BEP 3 leaves the choice to the tracker: seeders need only leechers; leechers get seeders first
  if to > 2 then want = want - pick(1, want) end
  pick(3, want)
end
p4, p6 = table.concat(p4), table.concat(p6)

local i4, i6 = '', ''
if ARGV[8] == '1' then
  local function ids(peers, w)
    if #peers == 0 then return '' end
    local m = {}
    for o = 1, #peers, w do m[#m + 1] = string.sub(peers, o, o + w - 1) end
    local v = redis.call('HMGET', KEYS[5], unpack(m))
    for i = 1, #v do v[i] = string.sub(v[i], 2, 21) end
    return table.concat(v)
  end
  i4, i6 = ids(p4, 6), ids(p6, 18)
end
local downloaded = tonumber(redis.call('HGET', KEYS[10], h) or '0')
return {n[1] + n[2], n[3] + n[4], downloaded, changed + 2 * done, p4, p6, i4, i6}
`;
