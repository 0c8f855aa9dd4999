#!/usr/bin/env bash
# One measured announce run against one running tracker (adapted from /work/shared/bench/run.sh):
# background-load sample, prefill, strict pre-check, warm-up, measured wrk run, post-check, one
# JSON line appended to $RESULTS.
#   run-one.sh ANNOUNCE_URL [seconds=10] [connections=64]
# Env: BENCH_POOL (required) and the other BENCH_* knobs of announce.lua;
#   CONN=keepalive|close (close: 'Connection: close' on every request -> one TCP connection each)
#   THREADS=2 WARMUP=3 PREFILL=60 (announces per torrent before warm-up; 0: off)
#   PIN=0|1 (1: wrk on CPU $CLIENT_CPU=0, server on CPU $SERVER_CPU=1)
#   LABEL TAG RESULTS (default bench/results/announce.jsonl)  FORCE=1 (run despite a failed pre-check)
#   QUIET_PCT=25 QUIET_MAX_WAIT=0 (wait up to this many s for background load < QUIET_PCT % of a core)
#   DURING_CMD DURING_OUT DURING_WAIT=300: load started beside the measured run (see below)
#   REDIS_PIDS: "pid=label ..." of the redis-server processes the tracker uses: counted as the
#   server, and their CPU per announce recorded per process (redis_cpu_us_per_req, redis_nodes)
# Every wrk run is bounded by -d and by `timeout`.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
URL="${1:?usage: run-one.sh ANNOUNCE_URL [seconds] [connections]}"
DUR="${2:-10}"; CONNS="${3:-64}"
THREADS="${THREADS:-2}"; WARMUP="${WARMUP:-3}"; CONN="${CONN:-keepalive}"
PIN="${PIN:-0}"; CLIENT_CPU="${CLIENT_CPU:-0}"; SERVER_CPU="${SERVER_CPU:-1}"
LABEL="${LABEL:-$URL}"; RESULTS="${RESULTS:-$HERE/results/announce.jsonl}"
export BENCH_POOL="${BENCH_POOL:?set BENCH_POOL}"
TMP="$(mktemp -d /tmp/seedhost-run.XXXXXX)"
AFF_SAVED=""
DPID=""
stop_during() { # DURING_CMD's process tree, by the PIDs found under the one started here
  [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null && kill $(descendants "$DPID" | sort -rn) 2>/dev/null
  DPID=""
}
restore_affinity() {
  local line p m
  for line in $AFF_SAVED; do p="${line%%=*}"; m="${line#*=}"; taskset -a -p "$m" "$p" >/dev/null 2>&1 || true; done
  AFF_SAVED=""
}
trap 'stop_during || true; restore_affinity; rm -rf "$TMP"' EXIT

hostport="${URL#*://}"; hostport="${hostport%%/*}"; hostport="${hostport%%\?*}"; PORT="${hostport##*:}"
case "$hostport" in 127.*|localhost:*) ;; *) echo "refusing non-loopback target $hostport" >&2; exit 2;; esac
HDR=(); [ "$CONN" = close ] && HDR=(-H "Connection: close")

# ---- server pids: whoever listens on the port, plus descendants ----
descendants() { local p; for p in "$@"; do echo "$p"; descendants $(ps -o pid= --ppid "$p" 2>/dev/null); done; }
LPIDS="$(ss -Hltnp "sport = :$PORT" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u | tr '\n' ' ')"
# a listener whose parent is node is a worker (WORKERS=...): its primary and every worker count,
# also those not listening yet when this runs
roots() { local p pp; for p in "$@"; do pp="$(ps -o ppid= -p "$p" | tr -d ' ')"; if [ "$(cat "/proc/$pp/comm" 2>/dev/null)" = node ]; then echo "$pp"; else echo "$p"; fi; done | sort -u; }
SPIDS="$(descendants $(roots $LPIDS) | sort -u | tr '\n' ' ')"
RPIDS="$(for e in ${REDIS_PIDS:-}; do echo -n "${e%%=*} "; done)"
SPIDS="$SPIDS${RPIDS:+ $RPIDS}"   # redis-server, whose CPU the server's work includes
[ -n "${SPIDS// }" ] || echo "warning: no server pid found for port $PORT; server CPU not measured" >&2
SNAMES="$(for p in $SPIDS; do cat /proc/$p/comm 2>/dev/null; done | sort | uniq -c | awk '{printf "%s%s x%s", (NR>1?", ":""), $2, $1}')"
ancestors() { local p="$1"; while [ -n "$p" ] && [ "$p" != 0 ]; do echo -n "$p "; p="$(ps -o ppid= -p "$p" 2>/dev/null | tr -d ' ')"; done; }
ticks_of() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12+$13}'; }
server_ticks() { local t=0 p; for p in $SPIDS; do [ -r /proc/$p/stat ] && t=$((t + $(ticks_of "$p"))); done; echo $t; }
redis_ticks() { local e; for e in ${REDIS_PIDS:-}; do [ -r "/proc/${e%%=*}/stat" ] && echo "${e#*=} $(ticks_of "${e%%=*}")" || true; done; }
cpu_snap() { grep -E '^cpu[0-9]* ' /proc/stat; }
WRK=(wrk)
if [ "$PIN" = 1 ]; then
  for p in $SPIDS; do AFF_SAVED+=" $p=$(taskset -p "$p" | awk '{print $NF}')"; taskset -a -p -c "$SERVER_CPU" "$p" >/dev/null; done
  WRK=(taskset -c "$CLIENT_CPU" wrk)
fi

echo "== $LABEL  conn=$CONN pin=$PIN threads=$THREADS connections=$CONNS duration=${DUR}s warmup=${WARMUP}s"
echo "   server pids: ${SPIDS:-none} (${SNAMES:-?})   loadavg: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- background load (the box may be shared), sampled while the server is idle ----
busy_sample() { # seconds -> % of one core busy, whole machine
  local a b; a="$(head -1 /proc/stat)"; sleep "$1"; b="$(head -1 /proc/stat)"
  awk -v a="$a" -v b="$b" -v nc="$(grep -c '^cpu[0-9]' /proc/stat)" 'BEGIN{n=split(a,x," ");split(b,y," ");t=0;for(k=2;k<=n;k++)t+=y[k]-x[k];i=(y[5]-x[5])+(y[6]-x[6]);printf "%.0f", 100*nc*(t-i)/t}'
}
QUIET_PCT="${QUIET_PCT:-25}"; QUIET_MAX_WAIT="${QUIET_MAX_WAIT:-0}"
BG="$(busy_sample 2)"; waited=0
while [ "$BG" -gt "$QUIET_PCT" ] && [ "$waited" -lt "$QUIET_MAX_WAIT" ]; do sleep 3; waited=$((waited + 5)); BG="$(busy_sample 2)"; done
echo "   background load before run: ${BG}% of one core$([ "$waited" -gt 0 ] && echo " (waited ${waited}s)")$([ "$BG" -gt "$QUIET_PCT" ] && echo '  WARNING: busy machine, numbers are suspect')"

# ---- same starting swarms for every tracker ----
PREFILL="${PREFILL:-60}"
if [ "$PREFILL" != 0 ]; then
  PF="$(WRK_PREFIX="${WRK[*]:0:$((${#WRK[@]} - 1))}" THREADS="$THREADS" "$HERE/prefill.sh" "$URL" "$PREFILL" 32 2>&1 | tail -1 || true)"
  echo "   $PF"
fi

# ---- pre-check: real requests, strict bdecode ----
if ! node "$HERE/check-response.cjs" "$URL" 5 >"$TMP/pre.txt" 2>&1; then
  sed 's/^/   pre: /' "$TMP/pre.txt"
  if [ "${FORCE:-0}" != 1 ]; then echo "pre-check failed (FORCE=1 to run anyway)" >&2; exit 1; fi
fi
PRE="$(grep '^CHECK' "$TMP/pre.txt" || true)"; echo "   pre: $PRE"

# ---- warm-up (discarded) ----
if [ "$WARMUP" != 0 ]; then
  timeout $((WARMUP + 20)) "${WRK[@]}" -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" --timeout 2s "${HDR[@]}" -s "$HERE/announce.lua" "$URL" >"$TMP/warm.txt" 2>&1 || true
  echo "   warm-up: $(grep -o '"rps":[0-9.]*' "$TMP/warm.txt" || echo 'no result')"
fi

# ---- measured run ----
node "$HERE/procsnap.cjs" snap "$TMP/procs0.json"
# DURING_CMD (optional, bench/publish.sh): a command started right before the measured wrk, in the
# background; it should stop once the file $DURING_STOP exists (touched when wrk ends) and is
# waited for (bounded: killed by PID after $DURING_WAIT s). Its CPU is intended load, so it and
# its descendants are left out of "other processes"; its output goes to $DURING_OUT.
if [ -n "${DURING_CMD:-}" ]; then
  DURING_STOP="$TMP/during.stop" bash -c "$DURING_CMD" >"${DURING_OUT:-$TMP/during.txt}" 2>&1 &
  DPID=$!
fi
cpu_snap >"$TMP/cpu0"; redis_ticks >"$TMP/redis0"; S0="$(server_ticks)"; T0="$(date +%s.%N)"
set +e
timeout $((DUR + 30)) /usr/bin/time -f 'WRKTIME %e %U %S' -o "$TMP/time.txt" \
  "${WRK[@]}" -t"$THREADS" -c"$CONNS" -d"${DUR}s" --timeout 2s --latency "${HDR[@]}" -s "$HERE/announce.lua" "$URL" >"$TMP/wrk.txt" 2>&1
RC=$?
set -e
T1="$(date +%s.%N)"; S1="$(server_ticks)"; redis_ticks >"$TMP/redis1"; cpu_snap >"$TMP/cpu1"
DPIDS=""; [ -n "$DPID" ] && DPIDS="$(descendants "$DPID" | tr '\n' ' ')"
node "$HERE/procsnap.cjs" snap "$TMP/procs1.json"
[ -n "$DPID" ] && DPIDS+=" $(descendants "$DPID" | tr '\n' ' ')"
node "$HERE/procsnap.cjs" diff "$TMP/procs0.json" "$TMP/procs1.json" "$(awk -v a="$T0" -v b="$T1" 'BEGIN{print b-a}')" "$SPIDS $(ancestors $$) $DPIDS" '^(wrk|time|timeout)$' >"$TMP/others.json" || echo '{}' >"$TMP/others.json"
if [ -n "$DPID" ]; then
  touch "$TMP/during.stop"
  for _ in $(seq 1 $((${DURING_WAIT:-300} * 10))); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$DPID" 2>/dev/null; then
    echo "   DURING_CMD (pid $DPID) still running after ${DURING_WAIT:-300} s: stopping it" >&2
    stop_during || true
  fi
  wait "$DPID" 2>/dev/null || echo "   DURING_CMD exited with an error (see its output)" >&2
  DPID=""
fi
restore_affinity
if [ $RC -ne 0 ] || ! grep -q '^WRKJSON' "$TMP/wrk.txt"; then cat "$TMP/wrk.txt"; echo "wrk failed rc=$RC" >&2; exit 1; fi

# ---- post-check: server still alive and answering validly ----
node "$HERE/check-response.cjs" "$URL" 3 >"$TMP/post.txt" 2>&1 || true
POST="$(grep '^CHECK' "$TMP/post.txt" || echo 'CHECK failed: '"$(tail -1 "$TMP/post.txt")")"
grep -q INVALID "$TMP/post.txt" && sed -n 's/^\(#.*INVALID.*\)/   post: \1/p' "$TMP/post.txt" | head -3

mkdir -p "$(dirname "$RESULTS")"
node "$HERE/record.cjs" "$TMP" "$S0" "$S1" "$T0" "$T1" "$(getconf CLK_TCK)" "$RESULTS" \
  "$LABEL" "$URL" "$CONN" "$PIN" "$THREADS" "$CONNS" "$DUR" "$PRE" "$POST" "$SNAMES" "${TAG:-}" "$BG"
