#!/usr/bin/env bash
# `npm run bench:store-cpu`: the tracker process's CPU per HTTP announce on each swarm store,
# the stores' servers running side by side and loaded in turns (wrk slices of SLICE s each, A B C
# A B C ...), so that a VM whose speed drifts over seconds weighs on all of them alike (separate
# runs of bench:announce:scale differ by 20-40 % here, more than the stores do).
# Per store: req/s, the seedhost process's CPU (user + system, /proc) per announce, Redis's CPU
# per announce (the redis-server processes', /proc), and the ratio of the first figure to the
# memory store's.
# Env (defaults): STORES="seedhost seedhost-redis seedhost-redis-cluster" (bench/servers.sh names,
#   seedhost-cluster too; seedhost, the memory store, first: the reference), SLICES=8 SLICE=3 (s), CONNECTIONS=64
#   THREADS=2, POOL_SIZE=1000 PREFILL=60, BENCH_REDIS_URL (seedhost-redis: redis://127.0.0.1:6379;
#   its keys go under a prefix of their own and are deleted after), BASE_PORT=17090, KEEP_STATE=0
#   (1: keep the temp dir, with the servers' logs), SEEDHOST_NODE_ARGS (bench/servers.sh); the load is
#   bench/announce.lua's (every announce a new peer from 127.0.0.1: a join that evicts).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
. "$HERE/common.sh"   # register_pool, descendants, ticks
STORES="${STORES:-seedhost seedhost-redis seedhost-redis-cluster}"
SLICES="${SLICES:-8}"; SLICE="${SLICE:-3}"; CONNECTIONS="${CONNECTIONS:-64}"; export THREADS="${THREADS:-2}"
POOL_SIZE="${POOL_SIZE:-1000}"; PREFILL="${PREFILL:-60}"; BASE_PORT="${BASE_PORT:-17090}"
for c in wrk ss redis-cli; do command -v "$c" >/dev/null || { echo "missing: $c (apt-get install wrk redis-server)" >&2; exit 1; }; done
[ -f "$ROOT/dist/server/main.js" ] || { echo "dist/server/main.js missing: run npm run build" >&2; exit 1; }
[ "${STORES%% *}" = seedhost ] || { echo "STORES must begin with seedhost (the memory store, the reference)" >&2; exit 2; }

export STATE="$(mktemp -d /tmp/seedhost-store-cpu.XXXXXX)"
export BENCH_POOL="$STATE/pool.txt"
cleanup() {
  for s in $STORES; do "$HERE/servers.sh" stop "$s" || true; done
  if [ "${KEEP_STATE:-0}" = 1 ]; then echo "state kept in $STATE (the servers' logs: <store>.log)"; else rm -rf "$STATE"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

register_pool "$POOL_SIZE" >/dev/null || exit 1

declare -A PORT NODE_PIDS REDIS_PIDS REQ NODE_T REDIS_T
i=0
for s in $STORES; do
  PORT[$s]=$((BASE_PORT + i)); i=$((i + 1))
  "$HERE/servers.sh" start "$s" "${PORT[$s]}" >/dev/null
  REDIS_PIDS[$s]="$("$HERE/servers.sh" redis-pids "$s" | cut -d= -f1 | tr '\n' ' ')"
  REQ[$s]=0; NODE_T[$s]=0; REDIS_T[$s]=0
  "$HERE/prefill.sh" "http://127.0.0.1:${PORT[$s]}/announce" "$PREFILL" 32 >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -s "$HERE/announce.lua" "http://127.0.0.1:${PORT[$s]}/announce" >/dev/null 2>&1 # warm-up
  NODE_PIDS[$s]="$(descendants "$(cat "$STATE/$s.pid")" | tr '\n' ' ')"   # the timeout wrapper, node, its workers
done
echo "stores: $STORES; $SLICES rounds of ${SLICE} s each, $CONNECTIONS connections, $THREADS wrk threads"

for k in $(seq 1 "$SLICES"); do
  for s in $STORES; do
    n0="$(ticks ${NODE_PIDS[$s]})"; r0="$(ticks ${REDIS_PIDS[$s]})"
    out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SLICE}s" --timeout 2s -s "$HERE/announce.lua" "http://127.0.0.1:${PORT[$s]}/announce" 2>&1 | grep '^WRKJSON' || true)"
    n1="$(ticks ${NODE_PIDS[$s]})"; r1="$(ticks ${REDIS_PIDS[$s]})"
    [ -n "$out" ] || { echo "wrk gave no result for $s" >&2; exit 1; }
    req="$(node -e 'const j=JSON.parse(process.argv[1].slice(8)); if (j.err_status > 0 || j.err_timeout > 0 || j.failure_reason > 0) process.exit(1); console.log(j.requests)' "$out")" ||
      { echo "$s answered with errors: $out" >&2; exit 1; }
    REQ[$s]=$((REQ[$s] + req)); NODE_T[$s]=$((NODE_T[$s] + n1 - n0)); REDIS_T[$s]=$((REDIS_T[$s] + r1 - r0))
  done
done

TCK="$(getconf CLK_TCK)"; WALL=$((SLICES * SLICE))
ref=""
printf '| store | req/s | tracker CPU µs/announce | vs memory store | Redis CPU µs/announce |\n|---|---|---|---|---|\n'
for s in $STORES; do
  read -r rps node redis < <(awk -v q="${REQ[$s]}" -v n="${NODE_T[$s]}" -v r="${REDIS_T[$s]}" -v t="$TCK" -v w="$WALL" \
    'BEGIN{printf "%.0f %.2f %.2f\n", q/w, n*1e6/t/q, r*1e6/t/q}')
  [ -z "$ref" ] && ref="$node"
  ratio="$(awk -v a="$node" -v b="$ref" 'BEGIN{printf "%.2fx", a/b}')"
  printf '| %s | %s | %s | %s | %s |\n' "$s" "$rps" "$node" "$ratio" "$([ -n "${REDIS_PIDS[$s]// }" ] && echo "$redis" || echo -)"
done
