#!/usr/bin/env bash
# Deterministic swarm pre-fill: PEERS announces per torrent of the pool (prefill.lua).
#   prefill.sh ANNOUNCE_URL [peers_per_torrent=60] [connections=32]
# (Copied from /work/shared/bench/prefill.sh.) wrk in 2 s slices until every thread has reached the end; bounded to MAX_S (default 120) s.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
URL="$1"; P="${2:-60}"; C="${3:-32}"; T="${THREADS:-2}"; MAX_S="${MAX_S:-120}"
export BENCH_POOL="${BENCH_POOL:?set BENCH_POOL}" BENCH_PREFILL="$P" BENCH_THREADS="$T" BENCH_PREFILL_CONNS=$((C / T))
next=0; start=$SECONDS; slices=0
while :; do
  out="$(BENCH_PREFILL_START=$next timeout 30 ${WRK_PREFIX:-} wrk -t"$T" -c"$C" -d2s --timeout 2s -s "$HERE/prefill.lua" "$URL" 2>&1 | grep '^PREFILL' || true)"
  [ -n "$out" ] || { echo "prefill: wrk gave no result" >&2; exit 1; }
  slices=$((slices + 1))
  read -r next alldone < <(node -e 'const j=JSON.parse(process.argv[1].slice(8));console.log(j.next, j.alldone)' "$out")
  [ "$alldone" = true ] && break
  if [ $((SECONDS - start)) -ge "$MAX_S" ]; then echo "prefill: stopped unfinished after ${MAX_S}s ($out)" >&2; exit 1; fi
done
echo "prefill: $P peers x $(grep -c . "$BENCH_POOL") torrents in $((SECONDS - start)) s ($slices slices of 2 s)"
