-- wrk script: random aligned HTTP Range requests against one file (webseed / BEP 19 style).
--   BENCH_FILE_SIZE=1073741824 BENCH_RANGE=1048576 wrk -t2 -c16 -d10s -s range.lua http://127.0.0.1:18080/random1g.bin
-- Env: BENCH_FILE_SIZE (bytes, required), BENCH_RANGE (bytes per request, default 1 MiB; ranges are
--      aligned to it, like piece or block requests), BENCH_CHECK=1: count responses that are not 206
--      or whose body length differs from the range (costs wrk a body copy per response, which makes
--      wrk the bottleneck at 1 MiB); 0 (default here): wrk counts non-2xx itself. BENCH_SEED=1000.
-- Copied from /work/shared/bench/range.lua; changed: BENCH_CHECK defaults to 0, BENCH_SEED, mean
-- and p90 latency in the WRKJSON line.
local threads = {}
local tcount = 0
function setup(thread)
  tcount = tcount + 1
  thread:set("tid", tcount)
  table.insert(threads, thread)
end
local size = tonumber(os.getenv("BENCH_FILE_SIZE") or "")
local rlen = tonumber(os.getenv("BENCH_RANGE") or "") or 1048576
local check = (os.getenv("BENCH_CHECK") or "0") ~= "0"
local nblocks
bad, okbodies = 0, 0
function init(args)
  assert(size, "BENCH_FILE_SIZE is required")
  nblocks = math.floor(size / rlen)
  math.randomseed((tonumber(os.getenv("BENCH_SEED") or "") or 1000) + (tid or 0))
end
function request()
  local s = (math.random(nblocks) - 1) * rlen
  return wrk.format("GET", wrk.path, { ["Range"] = "bytes=" .. s .. "-" .. (s + rlen - 1) })
end
if check then
  function response(status, headers, body)
    if status == 206 and #body == rlen then okbodies = okbodies + 1 else bad = bad + 1 end
  end
end
function done(summary, latency, requests)
  local b, ok = 0, 0
  for _, t in ipairs(threads) do b = b + (t:get("bad") or 0); ok = ok + (t:get("okbodies") or 0) end
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format('WRKJSON {"requests":%d,"duration_s":%.3f,"rps":%.1f,"bytes":%d,"MBps":%.1f,' ..
    '"lat_mean_ms":%.3f,"lat_p50_ms":%.3f,"lat_p90_ms":%.3f,"lat_p99_ms":%.3f,"lat_max_ms":%.3f,"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d,' ..
    '"checked":%s,"ok_bodies":%d,"bad":%d,"range":%d}\n',
    summary.requests, secs, summary.requests / secs, summary.bytes, summary.bytes / secs / 1e6,
    latency.mean / 1000, latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.status, e.timeout, tostring(check), ok, b, rlen))
end
