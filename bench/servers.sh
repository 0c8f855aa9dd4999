#!/usr/bin/env bash
# Start/stop the two trackers under test, on loopback, each under `timeout $MAXLIFE`, stopped by the
# PID recorded here (the `timeout` wrapper; TERM makes it stop its child). Adapted from
# /work/shared/bench/refpeers.sh and targets/template.sh.
#   servers.sh start seedhost PORT       node dist/server/main.js; DATA_DIR=$STATE/data (registered pool)
#   servers.sh start seedhost-redis PORT   the same, swarms in Redis ($BENCH_REDIS_URL, emptied first)
#   servers.sh start seedhost-cluster PORT the same on Redis with WORKERS=$BENCH_WORKERS (default auto)
#   servers.sh start seedhost-redis-cluster PORT  one process on a private 3-master Redis Cluster
#                                        (redis-server --cluster-enabled yes on $BENCH_RC_PORTS, started
#                                        here, joined by redis-cli --cluster create, stopped with it)
#   servers.sh start opentracker PORT    Debian build, whitelist-only: whitelist = $BENCH_POOL
#                                        (and UDP on $OT_UDP_PORT when set: bench/udp.sh)
#   servers.sh stop seedhost|seedhost-redis|seedhost-cluster|seedhost-redis-cluster|opentracker
#   servers.sh redis-pids NAME           the redis-server processes NAME's swarms live in, "pid=label"
# Env: STATE (required: the bench's temp dir), BENCH_POOL (opentracker), MAXLIFE=600 (s),
#   SEEDHOST_APP (default: the checkout) where dist/ is taken from, SEEDHOST_NODE_ARGS (default
#   --max-semi-space-size=2, as npm start; e.g. add --cpu-prof), BENCH_REDIS_URL (redis://127.0.0.1:6379),
#   BENCH_RC_PORTS ("17301 17302 17303": the cluster's masters; the bus takes port + 10000)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${STATE:?set STATE to the bench temp dir}"
MAXLIFE="${MAXLIFE:-600}"
APP="${SEEDHOST_APP:-$ROOT}"   # seedhost build to run: the checkout, or a copy (bench/common.sh snapshot_build)

wait_port() { # port pid
  for _ in $(seq 1 150); do
    ss -Hltn "sport = :$1" | grep -q LISTEN && return 0
    kill -0 "$2" 2>/dev/null || { echo "server exited before listening on $1" >&2; return 1; }
    sleep 0.1
  done
  echo "port $1 not listening after 15 s" >&2; return 1
}
port_free() {
  if ss -Hltn "sport = :$1" | grep -q LISTEN; then echo "port $1 already in use" >&2; ss -Hltnp "sport = :$1" >&2; return 1; fi
}

cmd="${1:-}"; name="${2:-}"
case "$name" in seedhost|seedhost-redis|seedhost-cluster|seedhost-redis-cluster|opentracker) ;; *) sed -n '2,17p' "$0" >&2; exit 2 ;; esac
REDIS_URL_BENCH="${BENCH_REDIS_URL:-redis://127.0.0.1:6379}"
REDIS_PREFIX_BENCH="seedhost-bench-$(basename "$STATE"):"
RC_PORTS="${BENCH_RC_PORTS:-17301 17302 17303}"; RC_DIR="$STATE/redis-cluster"
clear_redis() { # the bench's own keys only
  redis-cli -u "$REDIS_URL_BENCH" --scan --pattern "${REDIS_PREFIX_BENCH}*" | xargs -r -n 500 redis-cli -u "$REDIS_URL_BENCH" del >/dev/null
}
listener() { ss -Hltnp "sport = :$1" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2; }
cluster_start() { # private masters, nothing on disk but their node files; cluster_state:ok on each
  rm -rf "$RC_DIR"; mkdir -p "$RC_DIR"
  local p addrs=()
  for p in $RC_PORTS; do
    port_free "$p"; port_free $((p + 10000))
    redis-server --port "$p" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes --dir "$RC_DIR" \
      --pidfile "$RC_DIR/$p.pid" --logfile "$RC_DIR/$p.log" --cluster-enabled yes \
      --cluster-config-file "$RC_DIR/nodes-$p.conf" --cluster-node-timeout 5000
    addrs+=("127.0.0.1:$p")
  done
  for p in $RC_PORTS; do for _ in $(seq 1 50); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.1; done; done
  redis-cli --cluster create "${addrs[@]}" --cluster-replicas 0 --cluster-yes >"$RC_DIR/create.log" 2>&1 ||
    { cat "$RC_DIR/create.log" >&2; return 1; }
  for p in $RC_PORTS; do
    for i in $(seq 1 100); do redis-cli -p "$p" cluster info | grep -q 'cluster_state:ok' && break; sleep 0.1; done
    redis-cli -p "$p" cluster info | grep -q 'cluster_state:ok' || { echo "cluster node $p not ok" >&2; return 1; }
  done
}
cluster_stop() {
  local p
  for p in $RC_PORTS; do [ -f "$RC_DIR/$p.pid" ] && redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true; done
  for p in $RC_PORTS; do for _ in $(seq 1 50); do [ -z "$(listener "$p")" ] && break; sleep 0.1; done; done
  rm -rf "$RC_DIR"
}
pidf="$STATE/$name.pid"; log="$STATE/$name.log"
case "$cmd" in
start)
  port="${3:?port}"; port_free "$port"
  if [ "$name" != opentracker ]; then
    extra=()
    case "$name" in
      seedhost-redis) clear_redis; extra=(REDIS_URL="$REDIS_URL_BENCH" REDIS_PREFIX="$REDIS_PREFIX_BENCH") ;;
      seedhost-cluster) clear_redis; extra=(REDIS_URL="$REDIS_URL_BENCH" REDIS_PREFIX="$REDIS_PREFIX_BENCH" WORKERS="${BENCH_WORKERS:-auto}") ;;
      seedhost-redis-cluster) cluster_start; extra=(REDIS_CLUSTER_NODES="$(for p in $RC_PORTS; do printf '127.0.0.1:%s,' "$p"; done | sed 's/,$//')") ;;
    esac
    # cwd = $STATE, so no .env of the checkout is loaded; every setting it reads is given here
    (cd "$STATE" && exec env "${extra[@]}" PORT="$port" HOST=127.0.0.1 DATA_DIR="$STATE/data" DATABASE_URL="sqlite:$STATE/data/seedhost.db" \
      LOG_LEVEL="${SEEDHOST_LOG_LEVEL:-warn}" timeout "$MAXLIFE" node ${SEEDHOST_NODE_ARGS---max-semi-space-size=2} "$APP/dist/server/main.js" >>"$log" 2>&1) &
  else
    d="$STATE/ot"; mkdir -p "$d"; chmod 755 "$STATE" "$d"
    cp "${BENCH_POOL:?set BENCH_POOL}" "$d/whitelist.txt"; chmod 644 "$d/whitelist.txt"  # -w is relative to the chroot -d
    (cd "$d" && exec timeout "$MAXLIFE" opentracker -i 127.0.0.1 -p "$port" ${OT_UDP_PORT:+-P "$OT_UDP_PORT"} -d "$d" -u nobody -w whitelist.txt >>"$log" 2>&1) &
  fi
  echo $! >"$pidf"   # `exec` above: $! is the timeout process itself
  wait_port "$port" "$(cat "$pidf")" || { tail -5 "$log" >&2; exit 1; }
  echo "$name http://127.0.0.1:$port/announce (timeout wrapper pid $(cat "$pidf"))"
  ;;
stop)
  if [ ! -f "$pidf" ]; then [ "$name" = seedhost-redis-cluster ] && [ -d "$RC_DIR" ] && cluster_stop; exit 0; fi
  pid="$(cat "$pidf")"
  if kill -0 "$pid" 2>/dev/null && grep -q timeout "/proc/$pid/cmdline" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then   # the wrapper and its child are ours: force them
      echo "$name (pid $pid) still running after 12 s; sending KILL" >&2
      kill -KILL $(ps -o pid= --ppid "$pid") "$pid" 2>/dev/null || true
    fi
  elif kill -0 "$pid" 2>/dev/null; then
    echo "pid $pid from $pidf is not our timeout wrapper; not killing it" >&2
  fi
  rm -f "$pidf"
  case "$name" in seedhost-redis|seedhost-cluster) clear_redis ;; seedhost-redis-cluster) cluster_stop ;; esac
  ;;
redis-pids)
  case "$name" in
    seedhost-redis|seedhost-cluster) hp="${REDIS_URL_BENCH#*://}"; hp="${hp##*@}"; hp="${hp%%/*}"; p="${hp##*:}"; [ "$p" = "$hp" ] && p=6379
      pid="$(listener "$p")"; [ -n "$pid" ] && echo "$pid=redis:$p" ;;
    seedhost-redis-cluster) for p in $RC_PORTS; do pid="$(listener "$p")"; [ -n "$pid" ] && echo "$pid=master:$p"; done ;;
  esac
  ;;
*) sed -n '2,17p' "$0" >&2; exit 2 ;;
esac
