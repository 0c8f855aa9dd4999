#!/usr/bin/env bash
# `npm run bench:subscriptions`: 1,000 graphql-ws subscribers on one torrent while wrk sends
# announces for 999 others. Prints delivery latency p50/p99 (probe announce -> update received by
# every subscriber) and the announce rate with subscribers vs. without, in the same run.
# Env: SUBSCRIBERS=1000 DURATION=10 CONNECTIONS=64 PORT=17081 KEEP_STATE=0
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
N="${SUBSCRIBERS:-1000}"; DUR="${DURATION:-10}"; C="${CONNECTIONS:-64}"; PORT="${PORT:-17081}"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; }
STATE="$(mktemp -d /tmp/seedhost-subs.XXXXXX)"
SPID=""
cleanup() {
  [ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null || true
  if [ "${KEEP_STATE:-0}" = 1 ]; then echo "state kept in $STATE"; else rm -rf "$STATE"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ulimit -n 65536 2>/dev/null || true

node "$HERE/make-torrents.mjs" "$STATE/torrents" 1000 >/dev/null
(cd "$STATE" && DATA_DIR="$STATE/data" LOG_LEVEL=warn node "$ROOT/bin/seedhost.js" register \
  $(for i in $(seq 0 999); do echo "$STATE/torrents/bench-$i.torrent"; done)) >"$STATE/all.txt"
WATCHED="$(head -1 "$STATE/all.txt")"
tail -n +2 "$STATE/all.txt" >"$STATE/pool.txt"
export BENCH_POOL="$STATE/pool.txt"
(cd "$STATE" && exec env PORT="$PORT" HOST=127.0.0.1 DATA_DIR="$STATE/data" LOG_LEVEL=warn timeout 600 node "$ROOT/dist/server/main.js" >"$STATE/server.log" 2>&1) &
SPID=$!
for _ in $(seq 100); do ss -Hltn "sport = :$PORT" | grep -q LISTEN && break; sleep 0.1; done
URL="http://127.0.0.1:$PORT"

load() { # label -> prints req/s and p99 of a wrk run
  timeout $((DUR + 30)) wrk -t2 -c"$C" -d"${DUR}s" --timeout 2s --latency -s "$HERE/announce.lua" "$URL/announce" >"$STATE/wrk-$1.txt" 2>&1 || true
  node -e 'const l=require("fs").readFileSync(process.argv[1],"utf8").split("\n").find(x=>x.startsWith("WRKJSON"));if(!l){console.log("{}");process.exit()}const j=JSON.parse(l.slice(8));console.log(JSON.stringify({rps:Math.round(j.rps),p99_ms:j.lat_p99_ms,failures:j.failure_reason,errors:j.err_status+j.err_connect+j.err_read+j.err_timeout}))' "$STATE/wrk-$1.txt"
}

echo "== warm-up and baseline: announces for 999 torrents, no subscribers (${DUR}s, $C connections)"
timeout 20 wrk -t2 -c"$C" -d3s -s "$HERE/announce.lua" "$URL/announce" >/dev/null 2>&1 || true
BASE="$(load base)"; echo "   $BASE"

echo "== $N subscribers on torrent $WATCHED, probe announces every 500 ms, same announce load"
node "$HERE/subscribers.mjs" "$URL" "$WATCHED" "$N" $((DUR + 4)) >"$STATE/subs.txt" 2>&1 &
SUBS=$!
for _ in $(seq 300); do grep -q '^READY' "$STATE/subs.txt" 2>/dev/null && break; sleep 0.1; done
echo "   subscribers connected: $(grep '^READY' "$STATE/subs.txt" | cut -d' ' -f2)"
sleep 1
WITH="$(load subs)"; echo "   $WITH"
wait "$SUBS" || true
SJ="$(grep '^SUBSJSON' "$STATE/subs.txt" | cut -c10- || echo '{}')"
echo "   deliveries: $SJ"
node -e '
const [b, w, s] = process.argv.slice(1).map((x) => JSON.parse(x || "{}"));
const ratio = b.rps ? (w.rps / b.rps) : NaN;
console.log(`\nRESULT subscribers ${s.connected ?? "?"}/${s.clients ?? "?"}: delivery p50 ${s.p50_ms} ms, p99 ${s.p99_ms} ms, max ${s.max_ms} ms (${s.delivered}/${s.expected} delivered)`);
console.log(`RESULT announces: ${b.rps} req/s without subscribers, ${w.rps} req/s with them: ratio ${ratio.toFixed(2)} (p99 ${b.p99_ms} -> ${w.p99_ms} ms)`);
console.log(`targets: p99 delivery < 1000 ms: ${s.p99_ms < 1000 ? "met" : "NOT met"}; announce rate >= 0.80x: ${ratio >= 0.8 ? "met" : "NOT met"}`);
' "$BASE" "$WITH" "$SJ"
