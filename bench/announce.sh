#!/usr/bin/env bash
# `npm run bench:announce`: seedhost vs Debian's opentracker, HTTP announce load with wrk.
# Registers a pool of real .torrent files in a temp seedhost database (whitelist for opentracker),
# then runs both trackers interleaved (A B A B ...), restarted fresh before every run, in each
# connection mode, and prints medians and the ratio seedhost / opentracker.
# Env knobs (defaults):
#   RUNS=3 DURATION=10 CONNECTIONS=64      runs per tracker and mode, seconds per run, wrk connections
#   CONN_MODES="keepalive close"  PINS=0   (PINS="0 1": also wrk on CPU0 / server on CPU1)
#   TRACKERS="seedhost opentracker"        add seedhost-redis (swarms in Redis), seedhost-cluster
#                                          (WORKERS=$BENCH_WORKERS, default auto, on Redis) and
#                                          seedhost-redis-cluster (one process on a private 3-master
#                                          Redis Cluster): npm run bench:announce:scale. Their Redis
#                                          CPU per announce is printed (in all and per node).
#   POOL_SIZE=1000  PREFILL=60  WARMUP=3  THREADS=2   (see run-one.sh, announce.lua for BENCH_*)
#   SEEDHOST_PORT=17080  OT_PORT=16989     loopback ports
#   QUIET_PCT=25 QUIET_MAX_WAIT=60 RETRY_NOISY=2  wait for a quiet box; rerun a run that saw other
#                                          processes use > QUIET_PCT % of a core (kept=false in RESULTS)
#   TAG=announce-<time>  RESULTS=bench/results/announce.jsonl  KEEP_STATE=0 (1: keep the temp dir)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
. "$HERE/common.sh"   # register_pool
RUNS="${RUNS:-3}"; DURATION="${DURATION:-10}"; CONNECTIONS="${CONNECTIONS:-64}"
CONN_MODES="${CONN_MODES:-keepalive close}"; PINS="${PINS:-0}"; POOL_SIZE="${POOL_SIZE:-1000}"
TRACKERS="${TRACKERS:-seedhost opentracker}"
SEEDHOST_PORT="${SEEDHOST_PORT:-17080}"; OT_PORT="${OT_PORT:-16989}"
RETRY_NOISY="${RETRY_NOISY:-2}"
export QUIET_PCT="${QUIET_PCT:-25}" QUIET_MAX_WAIT="${QUIET_MAX_WAIT:-60}"
export TAG="${TAG:-announce-$(date +%Y%m%d-%H%M%S)}"
export RESULTS="${RESULTS:-$HERE/results/announce.jsonl}"

# ---- tools ----
if ! command -v opentracker >/dev/null || ! command -v wrk >/dev/null; then
  echo "installing opentracker and wrk (apt)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q opentracker wrk
fi
for c in opentracker wrk ss taskset /usr/bin/time; do command -v "$c" >/dev/null || { echo "missing: $c" >&2; exit 1; }; done
[ -f "$ROOT/dist/server/main.js" ] || { echo "dist/server/main.js missing: run npm run build" >&2; exit 1; }

# ---- temp state; everything started here is stopped on exit ----
export STATE="$(mktemp -d /tmp/seedhost-bench.XXXXXX)"
export BENCH_POOL="$STATE/pool.txt"
ONE="$STATE/one.jsonl"
cleanup() {
  for t in $TRACKERS; do "$HERE/servers.sh" stop "$t" || true; done
  if [ "${KEEP_STATE:-0}" = 1 ]; then echo "state kept in $STATE"; else rm -rf "$STATE"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$(dirname "$RESULTS")"

# ---- pool: real .torrent files registered in seedhost's database (a closed tracker) ----
register_pool "$POOL_SIZE" || exit 1
echo "registered $(wc -l <"$BENCH_POOL") torrents in $STATE/data/seedhost.db; pool $BENCH_POOL (also opentracker's whitelist)"
echo "tag $TAG, results $RESULTS; $RUNS run(s) x ${DURATION}s x $CONNECTIONS connections, modes: $CONN_MODES, pin: $PINS"

start() { "$HERE/servers.sh" stop "$1"; "$HERE/servers.sh" start "$1" "$2" >/dev/null; }
for pin in $PINS; do
  for conn in $CONN_MODES; do
    for r in $(seq 1 "$RUNS"); do
      for name in $TRACKERS; do
        if [ "$name" = opentracker ]; then port="$OT_PORT"; else port="$SEEDHOST_PORT"; fi
        for attempt in $(seq 0 "$RETRY_NOISY"); do
          start "$name" "$port"   # fresh state: empty swarms before every run
          rm -f "$ONE"
          echo "-- run $r/$RUNS"
          redis_pids="$("$HERE/servers.sh" redis-pids "$name" | tr '\n' ' ')"   # the Redis the tracker uses
          REDIS_PIDS="$redis_pids" LABEL="$name" PIN="$pin" CONN="$conn" RESULTS="$ONE" "$HERE/run-one.sh" "http://127.0.0.1:$port/announce" "$DURATION" "$CONNECTIONS" ||
            echo "run failed: $name pin=$pin conn=$conn run=$r"
          "$HERE/servers.sh" stop "$name"
          [ -s "$ONE" ] || break
          noisy="$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8").trim().split("\n").pop()); const q=+process.argv[2]; console.log((r.bg_busy_pct_of_1core>q || (r.other_procs_pct??0)>q) ? 1 : 0)' "$ONE" "$QUIET_PCT")"
          if [ "$noisy" = 1 ] && [ "$attempt" -lt "$RETRY_NOISY" ]; then
            node -e 'const fs=require("fs");const r=JSON.parse(fs.readFileSync(process.argv[1],"utf8").trim());r.kept=false;fs.appendFileSync(process.argv[2],JSON.stringify(r)+"\n")' "$ONE" "$RESULTS"
            echo "   (other processes were busy: run discarded, retrying in 10 s)"; sleep 10
            continue
          fi
          cat "$ONE" >>"$RESULTS"; break
        done
      done
    done
  done
done

for t in $TRACKERS; do
  [ "$t" != opentracker ] && [ -s "$STATE/$t.log" ] || continue
  echo; echo "$t log (warn and above): $(wc -l <"$STATE/$t.log") line(s), first ones:"; head -5 "$STATE/$t.log" | cut -c1-400
done
node "$HERE/summarize.cjs" "$RESULTS" "$TAG"
