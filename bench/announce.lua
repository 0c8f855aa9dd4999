-- wrk script: BEP 3 HTTP announce load.
--   wrk -t2 -c64 -d10s -s announce.lua http://127.0.0.1:6969/announce
-- The URL's path (and query, e.g. a passkey) is kept; announce params are appended.
-- Environment (all optional):
--   BENCH_POOL      file with hex info_hashes, one per line (required; announce.sh writes the
--                   registered seedhost pool there)
--   BENCH_TORRENTS  use only the first N hashes of the pool (default: all)
--   BENCH_SEEDERS   fraction of announces with left=0 (default 0.3)
--   BENCH_STARTED   fraction with event=started (default 0.1); BENCH_STOPPED (default 0),
--                   BENCH_COMPLETED (default 0); the rest carry no event (regular re-announce)
--   BENCH_NUMWANT   numwant (default 50)
--   BENCH_CHECK     1 (default): inspect every body, count bencoded 'failure reason'
--                   and bodies without 'peers'; 0: no per-response Lua hook (slightly cheaper)
--   BENCH_SEED      base RNG seed (default 1); thread i uses seed+i, so runs are repeatable
-- Each request: random 20-byte peer_id (raw bytes, URL-encoded like real clients: unreserved
-- bytes literal, the rest %XX), random port 1025..65535 (trackers key peers by ip:port and
-- all load comes from one IP), random key, compact=1.
-- Adopted from /work/shared/bench/announce.lua; added: the first 'failure reason' text seen
-- (fail_sample in the WRKJSON line), no default pool.

local threads = {}
local tcount = 0

function setup(thread)
  tcount = tcount + 1
  thread:set("tid", tcount)
  table.insert(threads, thread)
end

local enc = {}
local pool = {}
local npool = 0
local path, sep
local seed_ratio, started_ratio, stopped_ratio, completed_ratio, numwant
local check = (os.getenv("BENCH_CHECK") or "1") ~= "0"
local random = math.random
local concat = table.concat
fails, nopeers, okbodies, non200, fail_sample = 0, 0, 0, 0, ""

local function envnum(name, def)
  local v = os.getenv(name)
  if v == nil or v == "" then return def end
  return tonumber(v)
end

function init(args)
  for b = 0, 255 do
    local c = string.char(b)
    if c:match("[A-Za-z0-9%.%-_~]") then enc[b] = c else enc[b] = string.format("%%%02X", b) end
  end
  local file = assert(os.getenv("BENCH_POOL"), "set BENCH_POOL to the info_hash pool file")
  local limit = envnum("BENCH_TORRENTS", 1e9)
  local f = assert(io.open(file, "r"), "cannot open info_hash pool " .. file)
  for line in f:lines() do
    local hex = line:match("^%s*(%x+)%s*$")
    if hex and #hex == 40 and npool < limit then
      local parts = {}
      for i = 1, 40, 2 do parts[#parts + 1] = enc[tonumber(hex:sub(i, i + 1), 16)] end
      npool = npool + 1
      pool[npool] = concat(parts)
    end
  end
  f:close()
  assert(npool > 0, "empty info_hash pool " .. file)
  seed_ratio = envnum("BENCH_SEEDERS", 0.3)
  started_ratio = envnum("BENCH_STARTED", 0.1)
  stopped_ratio = envnum("BENCH_STOPPED", 0)
  completed_ratio = envnum("BENCH_COMPLETED", 0)
  numwant = envnum("BENCH_NUMWANT", 50)
  math.randomseed(envnum("BENCH_SEED", 1) * 1000 + (tid or 0))
  path = wrk.path
  if path:find("?", 1, true) then sep = "&" else sep = "?" end
end

function request()
  local pid = {}
  for i = 1, 20 do pid[i] = enc[random(0, 255)] end
  local left, downloaded
  if random() < seed_ratio then
    left = 0
    downloaded = random(0, 1000) * 1048576
  else
    left = random(1, 2000) * 524288
    downloaded = random(0, 2000) * 262144
  end
  local r = random()
  local ev = ""
  if r < started_ratio then ev = "&event=started"
  elseif r < started_ratio + stopped_ratio then ev = "&event=stopped"
  elseif r < started_ratio + stopped_ratio + completed_ratio then ev = "&event=completed"; left = 0 end
  local q = concat({
    path, sep,
    "info_hash=", pool[random(npool)],
    "&peer_id=", concat(pid),
    "&port=", random(1025, 65535),
    "&uploaded=", random(0, 4000) * 262144,
    "&downloaded=", downloaded,
    "&left=", left,
    "&corrupt=0&key=", string.format("%08X", random(0, 2147483647)),
    ev,
    "&numwant=", numwant,
    "&compact=1&no_peer_id=1",
  })
  return wrk.format("GET", q)
end

-- defined at load time (wrk decides from the main script state whether to buffer bodies)
if check then
  function response(status, headers, body)
    if status ~= 200 then non200 = non200 + 1; return end
    if body:find("14:failure reason", 1, true) then
      fails = fails + 1
      if fail_sample == "" then fail_sample = body:sub(1, 120):gsub("[^%w %.:,;_%-]", "?") end
    elseif not body:find("5:peers", 1, true) then
      nopeers = nopeers + 1
    else
      okbodies = okbodies + 1
    end
  end
end

function done(summary, latency, requests)
  local f, np, ok, n2, fs = 0, 0, 0, 0, ""
  for _, t in ipairs(threads) do
    if fs == "" then fs = t:get("fail_sample") or "" end
    f = f + (t:get("fails") or 0)
    np = np + (t:get("nopeers") or 0)
    ok = ok + (t:get("okbodies") or 0)
    n2 = n2 + (t:get("non200") or 0)
  end
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_s":%.3f,"rps":%.1f,"bytes":%d,' ..
    '"lat_mean_ms":%.3f,"lat_p50_ms":%.3f,"lat_p90_ms":%.3f,"lat_p99_ms":%.3f,"lat_max_ms":%.3f,' ..
    '"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d,' ..
    '"checked":%s,"ok_bodies":%d,"failure_reason":%d,"no_peers":%d,"non200_seen":%d,"fail_sample":"%s"}\n',
    summary.requests, secs, summary.requests / secs, summary.bytes,
    latency.mean / 1000, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.status, e.timeout,
    tostring(check), ok, f, np, n2, fs))
end
