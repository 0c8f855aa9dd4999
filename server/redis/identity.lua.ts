// Lua helpers for BEP 7's key (tracker/peer-identity.ts): a peer that sent a key has an identity,
// kept as a fifth field of its peer-data value ("slot,uploaded,downloaded,left,identity", 14 hex
// digits), and the peer-data hash indexes it: field '!' + identity (15 bytes, never a member's 6
// or 18 nor an address field's 5 or 9) holds the member. Values written without one read as none.

/** Needs SLOTS_LUA (the layout of a peer-data value, and timed()). */
export const IDENTITY_LUA = `
-- the identity of a peer-data value (before its time, slots.lua.ts), or of an announce's counters
-- ("uploaded,downloaded,left[,id]"); nil: none (an identity is 14 hex digits after a ','; without
-- that ',' the pattern, far dearer, is not tried)
local function identityOf(v)
  if timed(v) then
    if string.byte(v, -29) ~= 44 then return nil end
    return string.match(v, '^%d+,[^,]*,[^,]*,[^,]*,(%x+);%d+$', 22)
  end
  if string.byte(v, -15) ~= 44 then return nil end
  return string.match(v, '^%d+,[^,]*,[^,]*,[^,]*,(%x+)$', 22)
end
local function announcedIdentity(ctr)
  if string.byte(ctr, -15) ~= 44 then return nil end
  return string.match(ctr, '^[^,]*,[^,]*,[^,]*,(%x+)$')
end
-- drops the index field of member m's identity (v: its value) when it points to m
local function unkey(k, m, v)
  local id = v and identityOf(v)
  if id and redis.call('HGET', k[5], '!' .. id) == m then redis.call('HDEL', k[5], '!' .. id) end
end
-- the member other than addr, of addr's family, holding identity id with peer id pid, and its
-- value; m: the index field's value when the caller read it (false: none)
local function holderOf(k, id, addr, pid, m)
  if m == nil then m = redis.call('HGET', k[5], '!' .. id) end
  if not m or m == addr or #m ~= #addr then return nil end
  local v = redis.call('HGET', k[5], m)
  if v and string.sub(v, 2, 21) == pid and identityOf(v) == id then return m, v end
  return nil
end
`;
