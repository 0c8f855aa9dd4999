// A batch of announces as one atomic Lua script, applied one after another in the order given
// (two announces of one peer in a batch behave as if sent one by one), with the same rules as the
// memory store (memory-peer-store.ts): peers keyed by ip:port, at most a limit per address
// (addresses.lua.ts), a peer with a BEP 7 key followed to a new address (identity.lua.ts), BEP 3
// peer selection. One script
// call per batch instead of per announce: Redis's fixed cost of a call (argument parsing, script
// lookup, reply) and ioredis's per-command cost are paid once per event-loop tick.
import { ADDRESSES_LUA } from './addresses.lua.js';
import { IDENTITY_LUA } from './identity.lua.js';
import { CROSS_SLOT, KEY_NAMES_LUA } from './keys.js';
import { SLOTS_LUA } from './slots.lua.js';

/**
 * KEYS: 1 a key of the node the batch is for (routing only: on a cluster every torrent of the batch
 * is served by that node). ARGV: 1 key prefix, 2 now in ms, 4 peers per address (a new ip:port
 * beyond it replaces the address's least recently announced peer), 3 the announces packed back to
 * back (announce-batch.ts), each: infoHash (length byte + hex), its slot's tag (length byte +
 * text, keys.ts slotKeys), compact ip:port (length byte + bytes), peer id (20 bytes), role '0'-'3'
 * (keys.ts), event ('s' stopped, 'c' completed, '-' other), '1' for peer ids, numwant (uint16 BE),
 * a random uint32 BE (scripts' math.random repeats itself on every call), "uploaded,downloaded,left"
 * with ",identity" (14 hex digits) when the announce sent a key (length byte + text). Key names are
 * built here from the prefix (keys.ts KEY_NAMES_LUA), undeclared.
 * Returns one byte string, per announce in order: complete, incomplete, downloaded (uint32 BE),
 * changed + 2 * completedNow (byte), IPv4 and IPv6 peer byte lengths (uint16 BE), then the IPv4
 * compact peers, the IPv6 ones, and if asked, their peer ids (20 bytes each, same order).
 */
export const ANNOUNCE_LUA = CROSS_SLOT + KEY_NAMES_LUA + SLOTS_LUA + IDENTITY_LUA + ADDRESSES_LUA + `
local prefix, now, blob, perAddress = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
-- dl: completed count per torrent of the batch, kept current as completions raise it
local names, dl, out = {}, {}, {}
-- the nine swarmKeys of a torrent (keys.ts), built once per torrent per batch
local function keysOf(h)
  local k = names[h]
  if not k then
    k = torrentKeys(prefix, h)
    names[h] = k
  end
  return k
end

-- up to want peers of role r: a run of slots from a random one, wrapping, never the announcer
local function take(k, n, r, to, slot, rnd, want, into)
  local c, self = n[r], (r == to) and 1 or 0
  local kk = math.min(want + self, c)
  if want <= 0 or kk <= self then return 0 end
  local w, p, start = width(r), k[5 + r], rnd % c
  local run
  if start + kk <= c then
    run = redis.call('GETRANGE', p, start * w, (start + kk) * w - 1)
  else
    run = redis.call('GETRANGE', p, start * w, c * w - 1) .. redis.call('GETRANGE', p, 0, (start + kk - c) * w - 1)
  end
  -- the pieces go into the reply as they are: every Lua string made is hashed over its full length
  if self == 1 then
    local at = (slot - start) % c
    if at < kk then
      if at > 0 then into[#into + 1] = string.sub(run, 1, at * w) end
      if at < kk - 1 then into[#into + 1] = string.sub(run, at * w + w + 1) end
    else into[#into + 1] = string.sub(run, 1, want * w) end
  else into[#into + 1] = run end
  return kk - self
end
-- one role (r4: its IPv4 set), the families shared by their sizes as the memory store does
local function pick(k, n, r4, to, slot, rnd, want, p4, p6)
  if want <= 0 then return 0 end
  local n4 = n[r4] - ((to == r4) and 1 or 0)
  local n6 = n[r4 + 1] - ((to == r4 + 1) and 1 or 0)
  local want6 = n6
  if n4 + n6 > want then
    want6 = (n6 == 0) and 0 or math.min(n6, math.max(1, math.floor(want * n6 / (n4 + n6) + 0.5)))
  end
  local got6 = take(k, n, r4 + 1, to, slot, rnd, want6, p6)
  return got6 + take(k, n, r4, to, slot, rnd, want - got6, p4)
end
-- total bytes of pieces, and the pieces appended to out
local function lengthOf(pieces)
  local l = 0
  for i = 1, #pieces do l = l + #pieces[i] end
  return l
end
local function append(pieces)
  for i = 1, #pieces do out[#out + 1] = pieces[i] end
end
-- appends the peer ids of compact peers (in pieces) to out, from their peer-data values
local function ids(k, pieces, w)
  local m = {}
  for i = 1, #pieces do
    local s = pieces[i]
    for o = 1, #s, w do m[#m + 1] = string.sub(s, o, o + w - 1) end
  end
  if #m == 0 then return end
  local v = redis.call('HMGET', k[5], unpack(m))
  for i = 1, #v do out[#out + 1] = string.sub(v[i], 2, 21) end
end

local function announce(h, tag, addr, pid, role, ev, wantIds, numwant, rnd, ctr)
  local k = keysOf(h)
  local cKey, dKey, sKey = slotKeys(prefix, tag)
  local got = redis.call('HMGET', k[5], addr, '#')
  local old = got[1]
  local n, save = countsOf(k, got[2])
  local from, slot = 0, -1
  if old then from, slot = string.byte(old, 1) - 47, slotOf(old) end
  -- BEP 7 key: the same identity at another member of this family is this peer, moved from there
  local id = announcedIdentity(ctr)
  local rekey = id ~= (old and identityOf(old))
  local was, moved = from, false
  if rekey and id then
    local m, v = holderOf(k, id, addr, pid)
    if m then
      local r = string.byte(v, 1) - 47
      if from == 0 then was = r end
      unlink(k, n, r, slotOf(v), m)
      redis.call('HDEL', k[5], m, '!' .. id)
      unindex(k, m)
      moved, save = true, true
      -- the removal may have moved this peer's slot
      if from > 0 then slot = slotOf(redis.call('HGET', k[5], addr)) end
    end
  end
  local to, changed, done = 0, 0, 0
  if ev == 's' then
    if from > 0 then unlink(k, n, from, slot, addr); unkey(k, addr, old) end
    if from > 0 or moved then
      changed = 1
      -- the last peer gone: drop the hash with its counts, as Redis drops an emptied hash
      if n[1] + n[2] + n[3] + n[4] == 0 then redis.call('DEL', k[5])
      else
        if from > 0 then redis.call('HDEL', k[5], addr); unindex(k, addr) end
        redis.call('HSET', k[5], '#', packCounts(n))
      end
    end
    if n[1] + n[2] + n[3] + n[4] == 0 then redis.call('SREM', sKey, h) end
  else
    -- a finished download counts once per peer: not again while the peer stays a seeder
    if ev == 'c' and was ~= 1 and was ~= 2 then
      dl[h] = redis.call('HINCRBY', cKey, h, 1)
      redis.call('SADD', dKey, h)
      changed, done = 1, 1
    end
    to = string.byte(role) - 47
    -- a new peer: its address's field, with room made and the peer added (the field's new value)
    local af, av
    if from ~= to then
      if from > 0 then unlink(k, n, from, slot, addr)
      else
        redis.call('SADD', sKey, h)
        af, av = makeRoom(k, n, addr, perAddress)
      end
      slot = link(k, n, to, addr)
      save = true
      -- a peer that moved and kept its role leaves the counts as they were
      if from > 0 or not moved or was ~= to then changed = 1 end
    elseif moved then changed = 1 end
    if rekey then
      unkey(k, addr, old)
      if id then redis.call('HSET', k[5], '!' .. id, addr) end
    end
    redis.call('ZADD', k[to], now, addr)
    if af then redis.call('HSET', k[5], addr, role .. pid .. slot .. ',' .. ctr, '#', packCounts(n), af, av)
    elseif save then redis.call('HSET', k[5], addr, role .. pid .. slot .. ',' .. ctr, '#', packCounts(n))
    else redis.call('HSET', k[5], addr, role .. pid .. slot .. ',' .. ctr) end
  end

  local p4, p6 = {}, {}
  if to > 0 then
    -- BEP 3 leaves the choice to the tracker: seeders need only leechers; leechers get seeders first
    if to > 2 then numwant = numwant - pick(k, n, 1, to, slot, rnd, numwant, p4, p6) end
    pick(k, n, 3, to, slot, rnd, numwant, p4, p6)
  end
  out[#out + 1] = struct.pack('>I4I4I4BHH', n[1] + n[2], n[3] + n[4], dl[h], changed + 2 * done, lengthOf(p4), lengthOf(p6))
  append(p4)
  append(p6)
  if wantIds == '1' then
    ids(k, p4, 6)
    ids(k, p6, 18)
  end
end

-- unpacked first, so the completed counts of the batch's torrents come in one HMGET per slot
local list, bySlot, tags, pos, len = {}, {}, {}, 1, #blob
while pos <= len do
  local a = {struct.unpack('>Bc0Bc0Bc0c20c1c1c1HI4Bc0', blob, pos)}
  pos = a[11]
  list[#list + 1] = a
  local h = a[1]
  if dl[h] == nil then
    dl[h] = false
    local hs = bySlot[a[2]]
    if not hs then
      hs = {}
      bySlot[a[2]] = hs
      tags[#tags + 1] = a[2]
    end
    hs[#hs + 1] = h
  end
end
for t = 1, #tags do
  local hs = bySlot[tags[t]]
  local got = redis.call('HMGET', (slotKeys(prefix, tags[t])), unpack(hs))
  for i = 1, #hs do dl[hs[i]] = tonumber(got[i] or '0') end
end
for i = 1, #list do
  local a = list[i]
  announce(a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10])
end
return table.concat(out)
`;
