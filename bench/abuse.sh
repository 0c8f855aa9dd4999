#!/usr/bin/env bash
# `npm run bench:abuse`: the attacks of issues 12 and 13, one after another, against one seedhost server
# (loopback only), each while an announce probe runs every 50 ms and the server's RSS is sampled.
# Prints per attack the server's answer and its time, the probe's p50/p99/worst, probe timeouts
# and errors, peak RSS, the p99 against an idle reference of the same run, and the targets.
# Env (defaults): SEEDHOST_DIR=<this repo> (whose dist/ runs) ATTACKS=<all> PORT=17090
#   DATABASE_URL=<sqlite in the temp dir> ATTACK_TIMEOUT=60 ATTACK_NICE=10 PROBE=registered PROBE_MS=50
#   PROBE_TIMEOUT_MS=10000 PROBE_TRACE_MS=0 (>0: print each slower probe answer) IDLE_SECONDS=5 LOOP_SECONDS=10 FILL_SECONDS=20 SETTLE_MAX=30
#   FILES_TORRENT=10000 SMALL_TORRENTS=100 SCRAPE_TORRENTS=2000 WEBSEED_MB=128 VICTIM_MB=64
#   WEBSEED_SECONDS=8 MAXLIFE=3600 KEEP_STATE=0 TAG RESULTS
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
SEEDHOST_DIR="$(cd "${SEEDHOST_DIR:-$REPO}" && pwd)"
PORT="${PORT:-17090}"
export ATTACK_TIMEOUT="${ATTACK_TIMEOUT:-60}" PROBE="${PROBE:-registered}" PROBE_MS="${PROBE_MS:-50}" PROBE_TIMEOUT_MS="${PROBE_TIMEOUT_MS:-10000}"
export SETTLE_MAX="${SETTLE_MAX:-30}" MAXLIFE="${MAXLIFE:-3600}"
FILES_TORRENT="${FILES_TORRENT:-10000}"; SMALL_TORRENTS="${SMALL_TORRENTS:-100}"; SCRAPE_TORRENTS="${SCRAPE_TORRENTS:-2000}"
WEBSEED_MB="${WEBSEED_MB:-128}"; VICTIM_MB="${VICTIM_MB:-64}"
TAG="${TAG:-abuse-$(date +%Y%m%d-%H%M%S)}"
RESULTS="${RESULTS:-$REPO/bench/results/abuse.jsonl}"
export ADMIN_USERNAME=admin ADMIN_PASSWORD=abuse-admin-password-1
# shellcheck source=bench/common.sh
. "$HERE/common.sh"

[ -f "$SEEDHOST_DIR/dist/server/main.js" ] || { echo "no build at $SEEDHOST_DIR/dist (run npx tsc -p tsconfig.json there)" >&2; exit 1; }
ATTACK_LIST="$(node "$HERE/abuse/attacks.mjs" list "${ATTACKS:-}")"
STATE="$(mktemp -d /tmp/seedhost-abuse.XXXXXX)"
cleanup() {
  stop_server 2>/dev/null || bg_stop server || true
  if [ "${KEEP_STATE:-0}" = 1 ]; then echo "state kept in $STATE"; else rm -rf "$STATE"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
mkdir -p "$STATE/data" "$(dirname "$RESULTS")"
DB="${DATABASE_URL:-sqlite:$STATE/data/seedhost.db}"
export DATABASE_URL="$DB"

echo "== abuse benchmark $TAG (loopback port $PORT; results appended to $RESULTS)"
machine_line
# bounds what a reader that stops holds in the kernel (docs/availability.md); Linux's default is unlimited
echo "kernel: net.ipv4.tcp_notsent_lowat=$(cat /proc/sys/net/ipv4/tcp_notsent_lowat 2>/dev/null || echo '?') (docker/compose.yaml sets 131072)"
ROOT="$SEEDHOST_DIR" snapshot_build   # sets APP: a copy of dist/ (a rebuild meanwhile cannot change it)
BUILD="$SEEDHOST_DIR @ $(git -C "$SEEDHOST_DIR" rev-parse --short HEAD 2>/dev/null || echo '?')"
case "$DB" in sqlite:*) DBNAME=sqlite ;; *) DBNAME="${DB%%://*} (must be an empty database)" ;; esac

echo "== setup: $((SMALL_TORRENTS + 2)) small torrents and one of $FILES_TORRENT files, registered with the command line; two hosted files of $WEBSEED_MB and $VICTIM_MB MB published"
# the small torrents past SMALL_TORRENTS + 2 are spares, registered by the full-scrape attacks (scrape-torrents.mjs)
node "$HERE/make-torrents.mjs" "$STATE/torrents" $((SMALL_TORRENTS + 2 + SCRAPE_TORRENTS)) 2>/dev/null
FILES_HASH="$(node "$HERE/abuse/many-files-torrent.mjs" "$STATE/torrents/files.torrent" "$FILES_TORRENT")"
reg() { (cd "$STATE" && DATA_DIR="$STATE/data" LOG_LEVEL=warn timeout 600 node "$APP/bin/seedhost.js" register "$@"); }
reg $(for i in $(seq 0 $((SMALL_TORRENTS + 1))); do echo "$STATE/torrents/bench-$i.torrent"; done) >"$STATE/small.txt"
T0=$(date +%s.%N)
if reg "$STATE/torrents/files.torrent" >"$STATE/files.txt" 2>"$STATE/files.err"; then
  echo "   the $FILES_TORRENT-file torrent registered in $(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s"
else
  echo "   the $FILES_TORRENT-file torrent was refused: $(tail -1 "$STATE/files.err")"
fi
cmp -s <(head -n $((SMALL_TORRENTS + 2)) "$STATE/torrents/expected-hashes.txt") "$STATE/small.txt" || { echo "registered hashes differ from the made ones" >&2; exit 1; }
PROBE_HASH="$(sed -n 1p "$STATE/small.txt")"; SWARM_HASH="$(sed -n 2p "$STATE/small.txt")"
# webseed content (issue 13 item 2): sparse files (no disk I/O), hard-linked into DATA_DIR by `add --link`
mkdir -p "$STATE/content"
truncate -s "${WEBSEED_MB}M" "$STATE/content/webseed-big.bin"; truncate -s "${VICTIM_MB}M" "$STATE/content/webseed-victim.bin"
add() { (cd "$STATE" && DATA_DIR="$STATE/data" LOG_LEVEL=warn timeout 600 node "$APP/bin/seedhost.js" add --link "$1" | tail -1); }
BIG_HASH="$(add "$STATE/content/webseed-big.bin")"; VICTIM_HASH="$(add "$STATE/content/webseed-victim.bin")"
[[ "$BIG_HASH $VICTIM_HASH" =~ ^[0-9a-f]{40}\ [0-9a-f]{40}$ ]] || { echo "seedhost add of the webseed files failed" >&2; exit 1; }
export WEBSEED_BIG="$BIG_HASH webseed-big.bin" WEBSEED_VICTIM="$VICTIM_HASH webseed-victim.bin"
export PIPE_HASH="$(sed -n 3p "$STATE/small.txt")" SCRAPE_TORRENTS SCRAPE_SPARES="$STATE/torrents $((SMALL_TORRENTS + 2)) $SCRAPE_TORRENTS"
export SEEDHOST_CLI="$APP/bin/seedhost.js" CLI_CWD="$STATE" CLI_DATA_DIR="$STATE/data"
[ "$PROBE" = bogus ] && PROBE_HASH="$(printf 'ab%.0s' $(seq 20))"

start_server() {
  bg_start server "$PORT" env PORT="$PORT" HOST=127.0.0.1 DATA_DIR="$STATE/data" DATABASE_URL="$DB" LOG_LEVEL=warn \
    ADMIN_USERNAME="$ADMIN_USERNAME" ADMIN_PASSWORD="$ADMIN_PASSWORD" node --max-semi-space-size=2 ${SERVER_NODE_FLAGS:-} "$APP/dist/server/main.js"
  SERVER_PID="$(ps -o pid= --ppid "$(cat "$STATE/server.pid")" | tr -d ' ' | head -1)"
  [ -n "$SERVER_PID" ] || { echo "server pid not found" >&2; return 1; }
}
stop_server() { # the wrapper by its recorded PID, then the node process itself if it outlived it
  bg_stop server || true
  if [ -n "${SERVER_PID:-}" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill -KILL "$SERVER_PID" 2>/dev/null || true; fi
  for _ in $(seq 1 150); do
    { [ -n "${SERVER_PID:-}" ] && kill -0 "$SERVER_PID" 2>/dev/null; } || ss -Hltn "sport = :$PORT" | grep -q LISTEN || return 0
    sleep 0.1
  done
  echo "server still listening on $PORT after 15 s" >&2
}
start_server
export BASE_URL="http://127.0.0.1:$PORT" SETUP_JSON="$STATE/setup.json"
node "$HERE/abuse/setup.mjs" "$BASE_URL" "$SETUP_JSON" "$PROBE_HASH" "$SWARM_HASH" "$FILES_HASH" "$FILES_TORRENT"
echo "   server pid $SERVER_PID, $(grep VmRSS "/proc/$SERVER_PID/status" | awk '{printf "%.0f MB", $2*1024/1e6}') RSS after setup"
node -e 'console.log(JSON.stringify({tag: process.argv[1], meta: {build: process.argv[2], database: process.argv[3], probe: process.env.PROBE, probe_ms: +process.env.PROBE_MS, probe_timeout_ms: +process.env.PROBE_TIMEOUT_MS, attack_timeout_s: +process.env.ATTACK_TIMEOUT, machine: process.argv[4]}}))' \
  "$TAG" "$BUILD" "$DBNAME" "$(machine_line)" >>"$RESULTS"

n="$(echo "$ATTACK_LIST" | wc -l)"; i=0
for name in $ATTACK_LIST; do
  i=$((i + 1))
  echo "== [$i/$n] $name (background load $(busy_sample 1) % of one core)"
  out="$STATE/attack-$name.txt"
  env SERVER_PID="$SERVER_PID" timeout $((ATTACK_TIMEOUT * 4 + 180)) node "$HERE/abuse/run-attack.mjs" "$name" >"$out" 2>&1 || echo "   (attack runner exited with $?)" >>"$out"
  grep -v '^ABUSEJSON ' "$out" || true
  if grep -q '^ABUSEJSON ' "$out"; then
    grep '^ABUSEJSON ' "$out" | sed "s/^ABUSEJSON {/{\"tag\":\"$TAG\",/" >>"$RESULTS"
  fi
  set +e; health="$(env SETTLE_MAX="$SETTLE_MAX" node "$HERE/abuse/health.mjs" "$BASE_URL" "$PROBE_HASH" "$SERVER_PID")"; rc=$?; set -e
  echo "   server: $health"
  if [ "$rc" -ne 0 ]; then
    echo "   restarting the server ($health)"
    node -e 'console.log(JSON.stringify({tag: process.argv[1], restart: true, after: process.argv[2], reason: process.argv[3]}))' "$TAG" "$name" "$health" >>"$RESULTS"
    stop_server 2>/dev/null; start_server
    echo "   restarted: server pid $SERVER_PID"
  fi
done
stop_server
if grep -qiE 'error|fatal' "$STATE/server.log" 2>/dev/null; then
  echo "== server log: $(grep -ciE 'error|fatal' "$STATE/server.log") lines with error/fatal (first 3, cut):"
  grep -iE 'error|fatal' "$STATE/server.log" | head -3 | cut -c1-300
fi
node "$HERE/abuse/summary.mjs" "$RESULTS" "$TAG"
