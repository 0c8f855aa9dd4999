// A batch of announces as one atomic Lua script, applied one after another in the order given
// (two announces of one peer in a batch behave as if sent one by one), with the same rules as the
// memory store (memory-peer-store.ts): peers keyed by ip:port, at most a limit per address
// (addresses.lua.ts), a peer with a BEP 7 key followed to a new address (identity.lua.ts), BEP 3
// peer selection. One script
// call per batch instead of per announce: Redis's fixed cost of a call (argument parsing, script
// lookup, reply) and ioredis's per-command cost are paid once per event-loop tick.
import { ADDRESSES_LUA } from './addresses.lua.js';
import { IDENTITY_LUA } from './identity.lua.js';
import { CROSS_SLOT, HERE_LUA, KEY_NAMES_LUA } from './keys.js';
import { SLOTS_LUA } from './slots.lua.js';

/**
 * Swarms whose peers take at most this many bytes (all four roles) are sent whole to the caller,
 * who keeps them with their version (swarm-views.ts) and picks the peers itself: an announce to a
 * swarm that did not change since then costs Redis no read of the peers (a GETRANGE, a few µs, of
 * which a reply takes two or three). Larger ones are picked here.
 */
export const VIEW_MAX_BYTES = 2048;

/**
 * KEYS: 1 a key of the node the batch is for (routing only: on a cluster every torrent of the batch
 * is served by that node). ARGV: 1 key prefix, 2 now in ms, 4 peers per address (a new ip:port
 * beyond it replaces the address's least recently announced peer), 3 the announces packed back to
 * back (announce-batch.ts), each: infoHash (length byte + hex), its slot's tag (length byte +
 * text, keys.ts slotKeys), compact ip:port (length byte + bytes), peer id (20 bytes), role '0'-'3'
 * (keys.ts), event ('s' stopped, 'c' completed, '-' other), how peers are wanted ('0' compact,
 * '1' with peer ids, '2' a view, '3' a view when the version below is not the one the caller
 * holds), numwant (uint16 BE), a random uint32 BE (scripts' math.random repeats itself on every
 * call), the version of the swarm's view the caller holds (uint32 BE), "uploaded,downloaded,left"
 * with ",identity" (14 hex digits) when the announce sent a key (length byte + text). Key names are
 * built here from the prefix (keys.ts KEY_NAMES_LUA), undeclared.
 * Returns one byte string, per announce in order: complete, incomplete, downloaded (uint32 BE),
 * flags (byte: changed + 2 * completedNow + 4 * view + 8 * view sent), then
 * - without view: IPv4 and IPv6 peer byte lengths (uint16 BE), skip (uint16 BE: 0, or 1 + the byte
 *   offset, among the peers of the announcer's family, of the announcer itself, which the reply
 *   carries and the client leaves out), the IPv4 compact peers, the IPv6 ones, and if asked, their
 *   peer ids (20 bytes each, same order, the announcer's included);
 * - with a view (a swarm of at most VIEW_MAX_BYTES of peers, asked for with '2' or '3'): the
 *   swarm's version (uint32 BE), the announcer's role (byte, keys.ts) and slot (uint32 BE); if
 *   sent, the four packed strings' byte lengths (uint16 BE each) and the strings (s4 s6 l4 l6):
 *   the caller picks the peers (swarm-views.ts) as this script would. Not sent when the caller
 *   holds that version, or an earlier announce of the batch sent it;
 * - not applied (flags 16, nothing after the flags): its slot is not served here, or is moving to
 *   another node and the announce would read or create a key that is not here (resharding). Each
 *   announce reads before it writes, and whatever of it could meet such a key is read or probed
 *   first, so nothing of it was written: the caller sends it again once the slot has settled.
 */
export const ANNOUNCE_LUA = CROSS_SLOT + KEY_NAMES_LUA + HERE_LUA + SLOTS_LUA + IDENTITY_LUA + ADDRESSES_LUA + `
local prefix, now, blob, perAddress = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local VIEW_MAX = ${VIEW_MAX_BYTES}
-- the end of every value written: ';' and the time in ms, 13 digits (slots.lua.ts)
local stamp = ';' .. string.rep('0', 13 - #now) .. now
-- per torrent, the version of the view an earlier announce of this batch sent
local sent = {}
-- dl: completed count per torrent of the batch, kept current as completions raise it
local names, regs, dl, out = {}, {}, {}, {}
local fmt = string.format
-- the entry of an announce not applied here (see above)
local AWAY = struct.pack('>I4I4I4B', 0, 0, 0, 16)
-- a torrent's keys (the table torrentKeys returns), each name built the first time it is used:
-- an announce touches four or five of the nine, and every Lua string made is hashed in full
local SUFFIX = {'s4', 's6', 'l4', 'l6', 'peers', 's4:packed', 's6:packed', 'l4:packed', 'l6:packed'}
local lazy = {__index = function(k, i)
  local v = prefix .. '{' .. k.h .. '}:' .. SUFFIX[i]
  k[i] = v
  return v
end}
-- the peer-data hash, which every announce reads, is built at once (one string, no metamethod)
local function keysOf(h)
  local k = names[h]
  if not k then
    k = setmetatable({h = h, [5] = prefix .. '{' .. h .. '}:peers'}, lazy)
    names[h] = k
  end
  return k
end
-- a slot's registries (slotKeys), built once per batch
local function registriesOf(tag)
  local r = regs[tag]
  if not r then
    r = {slotKeys(prefix, tag)}
    regs[tag] = r
  end
  return r[1], r[2], r[3]
end

-- up to want peers of role r appended to into (a family's pieces, into.len their bytes): a run
-- of slots from a random one, wrapping (from slot 0 when the role fits whole). The announcer's
-- own slot, when the run holds it, stays in and into.skip is its byte offset: the client leaves
-- it out (no Lua string is cut or joined here; each one made is hashed over its full length)
local function take(k, n, r, to, slot, rnd, want, into)
  local c, self = n[r], (r == to) and 1 or 0
  local kk = math.min(want + self, c)
  if want <= 0 or kk <= self then return 0 end
  local w, p = width(r), k[5 + r]
  local start = (kk == c) and 0 or rnd % c
  if self == 1 then
    local at = (slot - start) % c
    -- not in the run: the run is one shorter (it then holds want peers, kk being want + 1)
    if at < kk then into.skip = into.len + at * w else kk, self = kk - 1, 0 end
  end
  local e = start + kk
  -- offsets as '%d' text: a number handed to redis.call is printed with '%.14g', far slower
  if e <= c then
    into[#into + 1] = redis.call('GETRANGE', p, fmt('%d', start * w), fmt('%d', e * w - 1))
  else
    into[#into + 1] = redis.call('GETRANGE', p, fmt('%d', start * w), fmt('%d', c * w - 1))
    into[#into + 1] = redis.call('GETRANGE', p, '0', fmt('%d', (e - c) * w - 1))
  end
  into.len = into.len + kk * w
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
-- the pieces of the two families, reused by every announce of the batch
local P4, P6 = {len = 0}, {len = 0}
local function append(pieces)
  for i = 1, #pieces do out[#out + 1] = pieces[i] end
end
local function clear(pieces)
  for i = #pieces, 1, -1 do pieces[i] = nil end
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

-- appends the announcer's view of the swarm to out (its whole reply entry, flags: changed +
-- 2 * completedNow); false: the swarm is too large, its peers are picked here
local function view(k, n, h, to, slot, mode, held, flags)
  local v = n[5]
  if not v or n[1] * 6 + n[2] * 18 + n[3] * 6 + n[4] * 18 > VIEW_MAX then return false end
  if sent[h] == v or (mode == '3' and held == v) then
    out[#out + 1] = struct.pack('>I4I4I4BI4BI4', n[1] + n[2], n[3] + n[4], dl[h], flags + 4, v, to, slot)
    return true
  end
  sent[h] = v
  out[#out + 1] = struct.pack('>I4I4I4BI4BI4HHHH', n[1] + n[2], n[3] + n[4], dl[h], flags + 12, v, to, slot, n[1] * 6, n[2] * 18, n[3] * 6, n[4] * 18)
  for r = 1, 4 do
    if n[r] > 0 then out[#out + 1] = redis.call('GETRANGE', k[5 + r], '0', fmt('%d', n[r] * width(r) - 1)) end
  end
  return true
end

local function announce(h, tag, addr, pid, role, ev, mode, numwant, rnd, held, ctr)
  local k = keysOf(h)
  -- its slot's registries (completed, changed, with peers: slotKeys), made by the batch's first reads
  local reg = regs[tag]
  local got = redis.pcall('HMGET', k[5], addr, '#')
  if got.err and not here(got) then out[#out + 1] = AWAY; return end
  local old, c = got[1], got[2]
  local n, save
  -- (countsOf's usual case inline)
  if c and #c >= 20 then
    local n1, n2, n3, n4, v = struct.unpack('>I4I4I4I4I4', c)
    n, save = {n1, n2, n3, n4, v}, false
  else n, save = countsOf(k, c) end
  local from, slot = 0, -1
  if old then from, slot = string.byte(old, 1) - 47, slotOf(old) end
  local t = string.byte(role) - 47
  if ev ~= 's' then
    -- the keys a write below may create, probed while nothing is written: a slot moving away
    -- (resharding) takes no new key, and a write meeting one would fail part-way
    local probe
    if from ~= t and n[t] == 0 then probe = {k[5 + t], reg[3]} end
    if ev == 'c' then
      probe = probe or {}
      probe[#probe + 1], probe[#probe + 2] = reg[1], reg[2]
    end
    if probe and not here(redis.pcall('EXISTS', unpack(probe))) then out[#out + 1] = AWAY; return end
  end
  -- BEP 7 key: the same identity at another member of this family is this peer, moved from there
  -- (the checks of identityOf and announcedIdentity first, inline: most announces have neither)
  local id = string.byte(ctr, -15) == 44 and announcedIdentity(ctr) or nil
  local rekey = id ~= (old and (string.byte(old, -29) == 44 or not timed(old)) and identityOf(old) or nil)
  local was, moved = from, false
  -- a joining peer's address field (addresses.lua.ts) and its value ('': none), read with its
  -- key's index in one call; read again after a move below, which may change it
  local f, fv
  if rekey and id then
    local index
    if from == 0 and ev ~= 's' then
      f = addressOf(addr)
      local r = redis.call('HMGET', k[5], '!' .. id, f)
      index, fv = r[1], r[2] or ''
    end
    local m, v = holderOf(k, id, addr, pid, index)
    if m then
      local r = string.byte(v, 1) - 47
      if from == 0 then was = r end
      unlink(k, n, r, slotOf(v), m, v)
      redis.call('HDEL', k[5], m, '!' .. id)
      unindex(k, m)
      fv = nil
      moved, save = true, true
      -- the removal may have moved this peer's slot
      if from > 0 then slot = slotOf(redis.call('HGET', k[5], addr)) end
    end
  end
  local to, changed, done = 0, 0, 0
  if ev == 's' then
    if from > 0 then unlink(k, n, from, slot, addr, old); unkey(k, addr, old) end
    if from > 0 or moved then
      changed = 1
      -- the last peer gone: drop the hash with its counts, as Redis drops an emptied hash
      if n[1] + n[2] + n[3] + n[4] == 0 then redis.call('DEL', k[5])
      else
        if from > 0 then redis.call('HDEL', k[5], addr); unindex(k, addr) end
        redis.call('HSET', k[5], '#', packCounts(n))
      end
    end
    if n[1] + n[2] + n[3] + n[4] == 0 then redis.call('SREM', reg[3], h) end
  else
    -- a finished download counts once per peer: not again while the peer stays a seeder
    if ev == 'c' and was ~= 1 and was ~= 2 then
      dl[h] = redis.call('HINCRBY', reg[1], h, 1)
      redis.call('SADD', reg[2], h)
      changed, done = 1, 1
    end
    to = t
    -- a new peer: its address's field, with room made and the peer added (the field's new value)
    local af, av
    if from ~= to then
      if from > 0 then unlink(k, n, from, slot, addr, old)
      else
        redis.call('SADD', reg[3], h)
        af, av = makeRoom(k, n, addr, perAddress, f, fv)
      end
      slot = link(k, n, to, addr)
      save = true
      -- a peer that moved and kept its role leaves the counts as they were
      if from > 0 or not moved or was ~= to then changed = 1 end
    else
      if moved then changed = 1 end
      -- written by an older version: its time moves into the value, out of the sorted set
      if old and string.byte(old, -14) ~= 59 then redis.call('ZREM', k[to], addr) end
    end
    -- the key's index field, written with the peer's value
    local ix
    if rekey then
      unkey(k, addr, old)
      if id then ix = '!' .. id end
    end
    local v = role .. pid .. fmt('%d', slot) .. ',' .. ctr .. stamp
    if af or ix then
      local w = {'HSET', k[5], addr, v}
      if save then w[5], w[6] = '#', packCounts(n) end
      if af then w[#w + 1], w[#w + 2] = af, av end
      if ix then w[#w + 1], w[#w + 2] = ix, addr end
      redis.call(unpack(w))
    elseif save then redis.call('HSET', k[5], addr, v, '#', packCounts(n))
    else redis.call('HSET', k[5], addr, v) end
  end

  if to > 0 and numwant > 0 and (mode == '2' or mode == '3') then
    if view(k, n, h, to, slot, mode, held, changed + 2 * done) then return end
  end
  local p4, p6 = P4, P6
  p4.len, p4.skip, p6.len, p6.skip = 0, nil, 0, nil
  if to > 0 then
    -- BEP 3 leaves the choice to the tracker: seeders need only leechers; leechers get seeders first
    if to > 2 then numwant = numwant - pick(k, n, 1, to, slot, rnd, numwant, p4, p6) end
    pick(k, n, 3, to, slot, rnd, numwant, p4, p6)
  end
  local skip = p4.skip or p6.skip
  out[#out + 1] = struct.pack('>I4I4I4BHHH', n[1] + n[2], n[3] + n[4], dl[h], changed + 2 * done, p4.len, p6.len, skip and skip + 1 or 0)
  append(p4)
  append(p6)
  if mode == '1' then
    ids(k, p4, 6)
    ids(k, p6, 18)
  end
  clear(p4)
  clear(p6)
end

-- unpacked first, so the completed counts of the batch's torrents come in one HMGET per slot
local list, bySlot, tags, pos, len = {}, {}, {}, 1, #blob
while pos <= len do
  local a = {struct.unpack('>Bc0Bc0Bc0c20c1c1c1HI4I4Bc0', blob, pos)}
  pos = a[12]
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
-- a slot this node does not serve (the caller's slot map is stale, or the slot is moving and its
-- registry is not here): its announces are not applied
local away = {}
for t = 1, #tags do
  local hs = bySlot[tags[t]]
  local got = redis.pcall('HMGET', (registriesOf(tags[t])), unpack(hs))
  if here(got) then
    for i = 1, #hs do dl[hs[i]] = tonumber(got[i] or '0') end
  else away[tags[t]] = true end
end
for i = 1, #list do
  local a = list[i]
  if away[a[2]] then out[#out + 1] = AWAY
  else announce(a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11]) end
end
return table.concat(out)
`;
