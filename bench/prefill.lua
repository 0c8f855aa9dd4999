-- wrk script: deterministic swarm pre-fill, so every tracker starts the measurement with the same
-- swarm sizes (and full numwant=50 replies), whatever its speed.
-- Sends BENCH_PREFILL (default 60) announces per torrent of the pool (event=started, port 10000+j,
-- fixed peer_id per (torrent, j), 1 in 3 a seeder): request k = j*ntorrents + t, thread i of T
-- sends k = START+i-1, START+i-1+T, ...; a thread stops itself when past the end. wrk itself always
-- runs its full -d (past the end a thread repeats the last announce), so prefill.sh calls it in short
-- slices, passing BENCH_PREFILL_START = the printed "next" (requests in flight at a slice's end are
-- sent again: harmless re-announces). On a server that closes connections without saying so, wrk
-- sometimes drops a request it wrote to the closed socket, so a few swarms may miss a peer.
-- (Copied from /work/shared/bench/prefill.lua.)
-- Env: BENCH_POOL, BENCH_TORRENTS as announce.lua, BENCH_PREFILL, BENCH_PREFILL_START, BENCH_THREADS.
local threads, tcount = {}, 0
function setup(thread)
  tcount = tcount + 1
  thread:set("tid", tcount)
  thread:set("nthreads", 0)
  table.insert(threads, thread)
end
local pool, npool, enc = {}, 0, {}
local path, sep, total, n, step
local concat = table.concat
sent, done_flag, nextn = 0, false, 0
function init(args)
  for b = 0, 255 do
    local c = string.char(b)
    if c:match("[A-Za-z0-9%.%-_~]") then enc[b] = c else enc[b] = string.format("%%%02X", b) end
  end
  local limit = tonumber(os.getenv("BENCH_TORRENTS") or "") or 1e9
  local f = assert(io.open(assert(os.getenv("BENCH_POOL"), "set BENCH_POOL"), "r"))
  for line in f:lines() do
    local hex = line:match("^%s*(%x+)%s*$")
    if hex and #hex == 40 and npool < limit then
      local parts = {}
      for i = 1, 40, 2 do parts[#parts + 1] = enc[tonumber(hex:sub(i, i + 1), 16)] end
      npool = npool + 1; pool[npool] = concat(parts)
    end
  end
  f:close()
  total = npool * (tonumber(os.getenv("BENCH_PREFILL") or "") or 60)
  ptotal = total
  step = tonumber(os.getenv("BENCH_THREADS") or "") or 2
  n = (tonumber(os.getenv("BENCH_PREFILL_START") or "") or 0) + (tid or 1) - 1
  nextn = n
  path = wrk.path
  sep = path:find("?", 1, true) and "&" or "?"
end
function request()
  local k = n
  if k >= total then k = total - 1; done_flag = true else n = n + step; sent = sent + 1 end
  nextn = n
  local t = k % npool
  local j = math.floor(k / npool)
  local pid = string.format("-PF0001-%05d%07d", j, t)
  local left = (j % 3 == 0) and 0 or 1048576
  return wrk.format("GET", concat({ path, sep, "info_hash=", pool[t + 1], "&peer_id=", pid,
    "&port=", 10000 + j, "&uploaded=0&downloaded=0&left=", left, "&event=started&numwant=0&compact=1" }))
end
function done(summary, latency, requests)
  local s, nx, tot, alldone = 0, nil, 0, true
  for _, t in ipairs(threads) do
    s = s + (t:get("sent") or 0)
    local v = t:get("nextn") or 0
    if nx == nil or v < nx then nx = v end
    tot = t:get("ptotal") or tot
    if not t:get("done_flag") then alldone = false end
  end
  -- every thread has sent all k < next (minus in-flight ones, re-sent by the next slice)
  io.write(string.format('PREFILL {"sent":%d,"answered":%d,"next":%d,"total":%d,"alldone":%s}\n', s, summary.requests,
    math.max(0, nx - #threads * (tonumber(os.getenv("BENCH_PREFILL_CONNS") or "") or 64)), tot, tostring(alldone)))
end
