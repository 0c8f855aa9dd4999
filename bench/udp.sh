#!/usr/bin/env bash
# `npm run bench:udp`: seedhost's BEP 15 UDP tracker vs Debian's opentracker (UDP enabled, the same
# whitelist as bench:announce), and seedhost's own HTTP announce with one TCP connection per request,
# in ONE interleaved run: rounds of (seedhost UDP, opentracker UDP, seedhost HTTP close), each tracker
# restarted fresh and prefilled (bench/prefill.sh) before every run, plus node-udp-floor
# (bench/udp-floor.mjs: Node's dgram answering with fixed replies of the same sizes, no tracker work),
# the bound of any Node UDP tracker. The UDP load is bench/udp-load.c
# (compiled here with gcc): connect handshake, ids reused for ID_AGE s, a window in flight per socket,
# random peer ids, 30 % seeders, every reply checked. Prints announces/s, latency p50/p99, server CPU,
# announces per server core-second, and the ratios UDP seedhost/opentracker and UDP/HTTP-per-conn.
# Env knobs (defaults):
#   RUNS=3 DURATION=10 WARMUP=3 PREFILL=60 POOL_SIZE=1000 QUIET_MAX_WAIT=60 (s to wait for a quiet box before a UDP run)
#   SOCKETS=8 WINDOW=16 LOAD_THREADS=1        udp-load's sockets, requests in flight per socket, threads
#   CONNECTIONS=64 THREADS=2                  the HTTP close run (bench/run-one.sh with CONN=close, wrk)
#   MODES="seedhost-udp seedhost-udp-dgram opentracker-udp seedhost-http-close node-udp-floor"  FLOOR_PORT=17082
#     (seedhost-udp: the batch socket where its addon is built, as the server runs by default;
#      seedhost-udp-dgram: the same server with UDP_BATCH=off, on Node's dgram)
#   SEEDHOST_PORT=17080 (its UDP port is the same number) OT_PORT=16989 (UDP the same number)
#   MAX_PEERS_PER_ADDRESS=1024 (seedhost's per-address cap: all load comes from 127.0.0.1, and at the
#     default 8 seedhost's replies would carry ~6 peers against opentracker's 50)
#   SEEDHOST_NODE_ARGS (e.g. "--max-semi-space-size=2 --cpu-prof --cpu-prof-dir=/tmp/prof")
#   TAG=udp-<time>  RESULTS=bench/results/udp.jsonl  KEEP_STATE=0
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
. "$HERE/common.sh"
RUNS="${RUNS:-3}"; DURATION="${DURATION:-10}"; WARMUP="${WARMUP:-3}"; POOL_SIZE="${POOL_SIZE:-1000}"
SOCKETS="${SOCKETS:-8}"; WINDOW="${WINDOW:-16}"; LOAD_THREADS="${LOAD_THREADS:-1}"
CONNECTIONS="${CONNECTIONS:-64}"; export THREADS="${THREADS:-2}" PREFILL="${PREFILL:-60}"
MODES="${MODES:-seedhost-udp seedhost-udp-dgram opentracker-udp seedhost-http-close node-udp-floor}"
FLOOR_PORT="${FLOOR_PORT:-17082}"
SEEDHOST_PORT="${SEEDHOST_PORT:-17080}"; OT_PORT="${OT_PORT:-16989}"; export OT_UDP_PORT="$OT_PORT"
export MAX_PEERS_PER_ADDRESS="${MAX_PEERS_PER_ADDRESS:-1024}"
export QUIET_PCT="${QUIET_PCT:-25}" QUIET_MAX_WAIT="${QUIET_MAX_WAIT:-60}"
export TAG="${TAG:-udp-$(date +%Y%m%d-%H%M%S)}"
RESULTS="${RESULTS:-$HERE/results/udp.jsonl}"

# ---- tools ----
if ! command -v opentracker >/dev/null || ! command -v wrk >/dev/null || ! command -v gcc >/dev/null; then
  echo "installing opentracker, wrk and gcc (apt)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q opentracker wrk gcc libc6-dev
fi
for c in opentracker wrk gcc ss /usr/bin/time; do command -v "$c" >/dev/null || { echo "missing: $c" >&2; exit 1; }; done
[ -f "$ROOT/dist/server/main.js" ] || { echo "dist/server/main.js missing: run npm run build" >&2; exit 1; }

export STATE="$(mktemp -d /tmp/seedhost-bench-udp.XXXXXX)"
export BENCH_POOL="$STATE/pool.txt"
ONE="$STATE/one.jsonl"; RUNS_FILE="$STATE/udp.jsonl"
cleanup() {
  for t in seedhost opentracker; do "$HERE/servers.sh" stop "$t" || true; done
  bg_stop floor || true
  if [ "${KEEP_STATE:-0}" = 1 ]; then echo "state kept in $STATE"; else rm -rf "$STATE"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$(dirname "$RESULTS")"

gcc -O2 -Wall -pthread -o "$STATE/udp-load" "$HERE/udp-load.c"

# ---- pool: the same 1,000 registered torrents as bench:announce (opentracker's whitelist) ----
node "$HERE/make-torrents.mjs" "$STATE/torrents" "$POOL_SIZE"
(cd "$STATE" && DATA_DIR="$STATE/data" DATABASE_URL="sqlite:$STATE/data/seedhost.db" LOG_LEVEL=warn \
  node "$ROOT/bin/seedhost.js" register $(for i in $(seq 0 $((POOL_SIZE - 1))); do echo "$STATE/torrents/bench-$i.torrent"; done)) >"$BENCH_POOL"
cmp -s "$BENCH_POOL" "$STATE/torrents/expected-hashes.txt" || { echo "registered hashes differ from the generated ones" >&2; exit 1; }
machine_line
echo "tag $TAG; $RUNS round(s) x ${DURATION}s; UDP: $SOCKETS sockets x $WINDOW in flight, $LOAD_THREADS thread(s); HTTP close: $CONNECTIONS connections"
echo "seedhost-udp reads and sends through: $(node --input-type=module -e "const m = await import('$ROOT/dist/server/udp/udp-batch-socket.js'); console.log(m.batchAddon() ? 'the batch addon (recvmmsg/sendmmsg)' : 'Node dgram (the batch addon is not built: ' + m.batchAddonError() + ')')")"
echo "note: a shared 2-core machine (load generator and server on the same box): figures are indicative"

server_of() { case "$1" in opentracker-*) echo opentracker ;; node-udp-floor) echo floor ;; *) echo seedhost ;; esac; }
port_of() { case "$1" in opentracker-*) echo "$OT_PORT" ;; node-udp-floor) echo "$FLOOR_PORT" ;; *) echo "$SEEDHOST_PORT" ;; esac; }
start_server() { # NAME PORT: servers.sh for the trackers; the floor here (UDP only, so no TCP port to wait for)
  if [ "$1" != floor ]; then "$HERE/servers.sh" stop "$1"; "$HERE/servers.sh" start "$1" "$2" >/dev/null; return; fi
  (cd "$STATE" && exec timeout "${MAXLIFE:-600}" node "$HERE/udp-floor.mjs" "$2" >>"$STATE/floor.log" 2>&1) &
  echo $! >"$STATE/floor.pid"
  for _ in $(seq 1 100); do ss -Hlun "sport = :$2" | grep -q . && return 0; sleep 0.1; done
  echo "udp floor not bound on $2" >&2; return 1
}
stop_server() { if [ "$1" = floor ]; then bg_stop floor; else "$HERE/servers.sh" stop "$1"; fi; }
for r in $(seq 1 "$RUNS"); do
  for mode in $MODES; do
    srv="$(server_of "$mode")"; port="$(port_of "$mode")"
    UDP_BATCH="$([ "$mode" = seedhost-udp-dgram ] && echo off || echo on)" start_server "$srv" "$port"
    echo "-- round $r/$RUNS: $mode   uptime: $(uptime | sed 's/.*load/load/')"
    if [ "$mode" = seedhost-http-close ]; then
      rm -f "$ONE"
      LABEL="$mode" CONN=close RESULTS="$ONE" WARMUP="$WARMUP" "$HERE/run-one.sh" "http://127.0.0.1:$port/announce" "$DURATION" "$CONNECTIONS" ||
        echo "run failed: $mode round $r"
      [ -s "$ONE" ] && node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8").trim());
        console.log(JSON.stringify({mode:process.argv[2],round:+process.argv[3],rps:r.rps,p50_us:r.lat_p50_ms*1000,p99_us:r.lat_p99_ms*1000,
          server_cpu_pct:r.server_cpu_pct,errors:r.err_status+r.failure_reason,invalid:r.no_peers,bg:r.bg_busy_pct_of_1core,uptime:process.argv[4]}))' \
        "$ONE" "$mode" "$r" "$(uptime | sed 's/.*load average: //')" >>"$RUNS_FILE"
    else
      wait_quiet
      if [ "$srv" != floor ]; then PF="$("$HERE/prefill.sh" "http://127.0.0.1:$port/announce" "$PREFILL" 32 2>&1 | tail -1 || true)"; echo "   $PF"; fi
      SEED="$((r * 7))" timeout $((WARMUP + 20)) "$STATE/udp-load" 127.0.0.1 "$port" "$BENCH_POOL" "$WARMUP" "$SOCKETS" "$WINDOW" "$LOAD_THREADS" >/dev/null
      pids="$(descendants "$(cat "$STATE/$srv.pid")" | tr '\n' ' ')"
      s0="$(ticks $pids)"; t0="$(date +%s.%N)"
      out="$(SEED="$((r * 7 + 1))" timeout $((DURATION + 20)) "$STATE/udp-load" 127.0.0.1 "$port" "$BENCH_POOL" "$DURATION" "$SOCKETS" "$WINDOW" "$LOAD_THREADS" | grep '^UDPJSON' || true)"
      t1="$(date +%s.%N)"; s1="$(ticks $pids)"
      if [ -z "$out" ]; then echo "   udp-load gave no result"; else
        node -e 'const j=JSON.parse(process.argv[1].slice(8)); const [m,r,s0,s1,t0,t1,clk,up]=process.argv.slice(2);
          j.mode=m; j.round=+r; j.server_cpu_pct=+(100*((s1-s0)/clk)/(t1-t0)).toFixed(1); j.uptime=up;
          console.log(JSON.stringify(j))' "$out" "$mode" "$r" "$s0" "$s1" "$t0" "$t1" "$(getconf CLK_TCK)" "$(uptime | sed 's/.*load average: //')" >>"$RUNS_FILE"
        node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8").trim().split("\n").pop());
          console.log(`   RESULT ${j.rps.toFixed(0)} announces/s  p50 ${j.p50_us} us  p99 ${j.p99_us} us  server cpu ${j.server_cpu_pct} % of a core` +
            `  | ok ${j.ok}, error replies ${j.errors}${j.err_sample?` ("${j.err_sample}")`:""}, invalid ${j.invalid}${j.bad_sample?` (${j.bad_sample})`:""}, lost ${j.timeouts}, connects ${j.connects}, avg peers ${j.avg_peers}`)' "$RUNS_FILE"
      fi
    fi
    stop_server "$srv"
  done
done
[ -s "$STATE/seedhost.log" ] && { echo; echo "seedhost log (warn and above), first lines:"; head -5 "$STATE/seedhost.log" | cut -c1-300; }
[ -s "$RUNS_FILE" ] || { echo "no results" >&2; exit 1; }
node -e 'const fs=require("fs"); const [f,out,tag]=process.argv.slice(1);
  const rs=fs.readFileSync(f,"utf8").trim().split("\n").map(JSON.parse);
  fs.appendFileSync(out, rs.map(r=>JSON.stringify({tag,...r})).join("\n")+"\n");
  const med=a=>{a=[...a].sort((x,y)=>x-y);const n=a.length;return n?(n%2?a[(n-1)/2]:(a[n/2-1]+a[n/2])/2):NaN};
  const by={}; for(const r of rs)(by[r.mode]??=[]).push(r);
  const m={}; console.log("\nmedians over rounds (shared 2-core machine; uptime per run in "+out+"):");
  console.log("mode                  runs  announces/s   p50 us   p99 us  server cpu %  announces/core-s  bad replies");
  for(const [k,a] of Object.entries(by)){ const rps=med(a.map(r=>r.rps)), cpu=med(a.map(r=>r.server_cpu_pct));
    const per=med(a.map(r=>r.server_cpu_pct>0?r.rps/(r.server_cpu_pct/100):NaN)); m[k]={rps,per};
    console.log(`${k.padEnd(22)}${String(a.length).padStart(4)}${rps.toFixed(0).padStart(13)}${med(a.map(r=>r.p50_us)).toFixed(0).padStart(9)}${med(a.map(r=>r.p99_us)).toFixed(0).padStart(9)}`+
      `${cpu.toFixed(1).padStart(14)}${per.toFixed(0).padStart(18)}${String(a.reduce((s,r)=>s+(r.invalid||0)+(r.errors||0),0)).padStart(13)}`); }
  const S=m["seedhost-udp"], O=m["opentracker-udp"], H=m["seedhost-http-close"];
  if(S&&O) console.log(`ratio UDP seedhost/opentracker: ${(S.rps/O.rps).toFixed(2)}x announces/s (target >= 0.5x, stretch 1.0x); per core-second ${(S.per/O.per).toFixed(2)}x`);
  const F=m["node-udp-floor"];
  if(S&&F) console.log(`seedhost UDP / Node dgram floor (fixed replies, no tracker work): ${(S.rps/F.rps).toFixed(2)}x announces/s, ${(S.per/F.per).toFixed(2)}x per core-second`);
  const D=m["seedhost-udp-dgram"];
  if(S&&D) console.log(`seedhost UDP batch socket / the same on Node dgram (UDP_BATCH=off): ${(S.rps/D.rps).toFixed(2)}x announces/s, ${(S.per/D.per).toFixed(2)}x per core-second`);
  if(D&&O) console.log(`ratio UDP seedhost on Node dgram/opentracker: ${(D.rps/O.rps).toFixed(2)}x announces/s`);
  if(S&&H) console.log(`ratio seedhost UDP / seedhost HTTP one-connection-per-request: ${(S.rps/H.rps).toFixed(2)}x (target >= 3x)`);
  console.log("results appended to "+out+" (tag "+tag+")");' "$RUNS_FILE" "$RESULTS" "$TAG"
