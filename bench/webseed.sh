#!/usr/bin/env bash
# `npm run bench:webseed`: concurrent random aligned Range requests against seedhost's webseed route
# (GET /webseed/<infohash>/<name>) for a published file, beside reference static servers on the
# very same stored file (same inode, same page cache), interleaved in the same run.
#
# 1. FILE (SIZE_MB of random bytes, made in the temp dir) is published with the real command line
#    (`DATA_DIR=$STATE/data node bin/seedhost.js add FILE --piece-length 1048576`); the stored copy
#    $STATE/data/content/<infohash>/<name> is checked byte-identical to FILE and read into the page cache.
# 2. Servers, loopback only, each under `timeout` and stopped by recorded PID:
#      seedhost            node dist/server/main.js (servers.sh), LOG_LEVEL=warn, same DATA_DIR
#      nginx-sendfile-off  Debian nginx(-light), NGINX_WORKERS=1 worker, sendfile off, output_buffers 2 256k
#                          (read + write copies: what a Node server does; the fairer reference)
#      nginx-sendfile-on   the same nginx, second listener, sendfile on + tcp_nopush (zero-copy)
#      node-static         bench/static-server.mjs: fs.createReadStream({start, end}).pipe(res)
# 3. Spot-check on every target: 4 ranges (aligned, unaligned, last MiB, suffix `-1000`) fetched
#    with curl must be HTTP 206 and byte-identical to FILE.
# 4. RUNS x (each target in turn): background-load sample, WARMUP s of wrk (discarded), then wrk with
#    range.lua (THREADS threads, CONNECTIONS connections, DURATION s, ranges of RANGE bytes at random
#    RANGE-aligned offsets). Server CPU, wrk CPU and other processes' CPU are recorded; a run that
#    saw other processes use > QUIET_PCT % of a core is rerun (up to RETRY_NOISY times).
# 5. Prints per target: median MB/s, req/s, p50/p99, and the ratio seedhost / each reference
#    (target of the issue: >= 80 % of the reference's MB/s). JSON lines: bench/results/webseed.jsonl.
#
# Env knobs (defaults):
#   RUNS=3 DURATION=10 CONNECTIONS=16 THREADS=2 WARMUP=2 RANGE=1048576 SIZE_MB=1024 BENCH_FILE=<path>
#   TARGETS="seedhost nginx-sendfile-off nginx-sendfile-on node-static"
#   SEEDHOST_PORT=17082 NGINX_PORT_OFF=18181 NGINX_PORT_ON=18180 NODE_PORT=18182 NGINX_WORKERS=1
#   NODE_HWM (static-server read size; default Node's 64 KiB)   RANGE_CHECK=0 (1: wrk checks every body)
#   QUIET_PCT=25 QUIET_MAX_WAIT=60 RETRY_NOISY=2  TAG=webseed-<time>  RESULTS=bench/results/webseed.jsonl
#   KEEP_STATE=0  MAXLIFE=1800 (s, upper bound of every server's life)
#   PROFILE=1: afterwards one more seedhost run under node --cpu-prof, summarized (cpuprofile-top.cjs)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
. "$HERE/common.sh"
RUNS="${RUNS:-3}"; DURATION="${DURATION:-10}"; CONNECTIONS="${CONNECTIONS:-16}"; THREADS="${THREADS:-2}"
WARMUP="${WARMUP:-2}"; RANGE="${RANGE:-1048576}"; SIZE_MB="${SIZE_MB:-1024}"
TARGETS="${TARGETS:-seedhost nginx-sendfile-off nginx-sendfile-on node-static}"
SEEDHOST_PORT="${SEEDHOST_PORT:-17082}"; NGINX_PORT_OFF="${NGINX_PORT_OFF:-18181}"; NGINX_PORT_ON="${NGINX_PORT_ON:-18180}"
NODE_PORT="${NODE_PORT:-18182}"; NGINX_WORKERS="${NGINX_WORKERS:-1}"; RETRY_NOISY="${RETRY_NOISY:-2}"
export MAXLIFE="${MAXLIFE:-1800}"
export QUIET_PCT="${QUIET_PCT:-25}" QUIET_MAX_WAIT="${QUIET_MAX_WAIT:-60}"
export TAG="${TAG:-webseed-$(date +%Y%m%d-%H%M%S)}"
RESULTS="${RESULTS:-$HERE/results/webseed.jsonl}"

# ---- tools ----
need=""
command -v wrk >/dev/null || need+=" wrk"
command -v nginx >/dev/null || need+=" nginx-light"
command -v curl >/dev/null || need+=" curl"
[ -x /usr/bin/time ] || need+=" time"
if [ -n "$need" ]; then
  echo "installing$need (apt)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need
fi
for c in wrk nginx curl ss cmp /usr/bin/time; do command -v "$c" >/dev/null || { echo "missing: $c" >&2; exit 1; }; done
[ -f "$ROOT/dist/server/main.js" ] || { echo "dist/server/main.js missing: run npm run build" >&2; exit 1; }

# ---- temp state; everything started here is stopped on exit ----
export STATE="$(mktemp -d /tmp/seedhost-bench.XXXXXX)"
ONE="$STATE/one.jsonl"
cleanup() {
  "$HERE/servers.sh" stop seedhost || true
  bg_stop nginx || true
  bg_stop node-static || true
  if [ "${KEEP_STATE:-0}" = 1 ]; then echo "state kept in $STATE"; else rm -rf "$STATE"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
chmod 755 "$STATE"   # nginx's workers run as nobody
mkdir -p "$(dirname "$RESULTS")" "$STATE/cwd"
snapshot_build

if [ -n "${BENCH_FILE:-}" ]; then
  FILE="$(realpath "$BENCH_FILE")"; [ -f "$FILE" ] || { echo "no file $FILE" >&2; exit 1; }
else
  FILE="$STATE/random1g.bin"
  [ "$SIZE_MB" = 1024 ] || FILE="$STATE/random${SIZE_MB}m.bin"
  echo "making $FILE ($SIZE_MB MiB of random bytes)"
  head -c $((SIZE_MB * 1048576)) /dev/urandom >"$FILE"
fi
SIZE="$(stat -c %s "$FILE")"; NAME="$(basename "$FILE")"
[ "$SIZE" -ge $((RANGE * 2)) ] || { echo "file smaller than 2 ranges" >&2; exit 1; }
machine_line

# ---- 1. publish with the command line ----
(cd "$STATE/cwd" && DATA_DIR="$STATE/data" DATABASE_URL="sqlite:$STATE/data/seedhost.db" LOG_LEVEL=warn \
  timeout 300 node "$APP/bin/seedhost.js" add "$FILE" --piece-length 1048576) >"$STATE/add.txt" 2>&1 || { cat "$STATE/add.txt"; exit 1; }
HASH="$(tail -1 "$STATE/add.txt" | tr -d '\r')"
[[ "$HASH" =~ ^[0-9a-f]{40}$ ]] || { echo "seedhost add printed no info_hash:"; cat "$STATE/add.txt"; exit 1; } >&2
CONTENT_DIR="$STATE/data/content/$HASH"
CONTENT="$CONTENT_DIR/$NAME"
cmp -s "$CONTENT" "$FILE" || { echo "stored copy $CONTENT differs from $FILE" >&2; exit 1; }
sync; cat "$CONTENT" >/dev/null
echo "published $NAME ($SIZE B) as $HASH; stored copy byte-identical, $(command -v fincore >/dev/null && fincore -n -o RES "$CONTENT" | xargs) in page cache; every server serves that copy"
echo "tag $TAG, results $RESULTS"

# ---- 2. servers ----
url_of() {
  case "$1" in
    seedhost) echo "http://127.0.0.1:$SEEDHOST_PORT/webseed/$HASH/$NAME" ;;
    nginx-sendfile-off) echo "http://127.0.0.1:$NGINX_PORT_OFF/$NAME" ;;
    nginx-sendfile-on) echo "http://127.0.0.1:$NGINX_PORT_ON/$NAME" ;;
    node-static) echo "http://127.0.0.1:$NODE_PORT/$NAME" ;;
    *) echo "unknown target $1" >&2; return 1 ;;
  esac
}
if [[ " $TARGETS " == *" seedhost "* ]]; then
  "$HERE/servers.sh" start seedhost "$SEEDHOST_PORT" >/dev/null
fi
if [[ " $TARGETS " == *" nginx-"* ]]; then
  NG="$STATE/nginx"; mkdir -p "$NG/tmp"
  cat >"$NG/nginx.conf" <<EOF
worker_processes $NGINX_WORKERS;
pid $NG/nginx.pid;
error_log $NG/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $NG/tmp; proxy_temp_path $NG/tmp; fastcgi_temp_path $NG/tmp; uwsgi_temp_path $NG/tmp; scgi_temp_path $NG/tmp;
  default_type application/octet-stream;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$NGINX_PORT_ON; root $CONTENT_DIR; sendfile on;  tcp_nopush on; }
  server { listen 127.0.0.1:$NGINX_PORT_OFF; root $CONTENT_DIR; sendfile off; output_buffers 2 256k; }
}
EOF
  bg_start nginx "$NGINX_PORT_OFF" nginx -c "$NG/nginx.conf" -g 'daemon off;'
  for _ in $(seq 1 50); do ss -Hltn "sport = :$NGINX_PORT_ON" | grep -q LISTEN && break; sleep 0.1; done
fi
if [[ " $TARGETS " == *" node-static "* ]]; then
  if [ -n "${NODE_HWM:-}" ]; then export HWM="$NODE_HWM"; fi
  bg_start node-static "$NODE_PORT" node "$HERE/static-server.mjs" "$CONTENT_DIR" "$NODE_PORT"
fi
echo "servers:$([[ " $TARGETS " == *" seedhost "* ]] && echo " seedhost (node $(node -v), build above);")$([[ " $TARGETS " == *" nginx-"* ]] && echo " nginx $(nginx -v 2>&1 | cut -d/ -f2) ($(dpkg-query -W -f '${Package} ${Version}' nginx-light 2>/dev/null || echo 'nginx'), $NGINX_WORKERS worker);")$([[ " $TARGETS " == *" node-static "* ]] && echo " node-static (node $(node -v), read size ${NODE_HWM:-64 KiB default})")"

# ---- 3. spot-check: ranges byte-for-byte against FILE ----
for t in $TARGETS; do
  u="$(url_of "$t")"; n=0
  for spec in "0-$((RANGE - 1))" "$((SIZE / 2 + 12345))-$((SIZE / 2 + 12345 + RANGE - 1))" "$((SIZE - RANGE))-$((SIZE - 1))" "-1000"; do
    if [ "${spec:0:1}" = - ]; then s=$((SIZE - ${spec:1})); len=${spec:1}; else s="${spec%-*}"; len=$((${spec#*-} - s + 1)); fi
    code="$(timeout 30 curl -s -H "Range: bytes=$spec" -w '%{http_code}' -o "$STATE/part" "$u" || echo ERR)"
    if [ "$code" != 206 ] || ! cmp -s "$STATE/part" <(tail -c +$((s + 1)) "$FILE" | head -c "$len"); then
      echo "RANGE CHECK FAILED: $t bytes=$spec -> HTTP $code, $(stat -c %s "$STATE/part" 2>/dev/null || echo 0) B" >&2; exit 1
    fi
    n=$((n + 1))
  done
  echo "range check $t: $n/$n ranges HTTP 206 and byte-identical ($u)"
done
rm -f "$STATE/part"

# ---- 4. interleaved measured runs ----
export BENCH_FILE_SIZE="$SIZE" BENCH_RANGE="$RANGE" BENCH_CHECK="${RANGE_CHECK:-0}"
CLK="$(getconf CLK_TCK)"
measure() { # TARGET RUN ATTEMPT -> one JSON line in $ONE
  local t="$1" r="$2" attempt="$3" u sp s0 s1 t0 t1 c0 c1 port
  u="$(url_of "$t")"; port="${u#http://127.0.0.1:}"; port="${port%%/*}"
  sp="$(listen_pids "$port")"
  wait_quiet
  if [ "$WARMUP" != 0 ]; then
    timeout $((WARMUP + 20)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" --timeout 5s -s "$HERE/range.lua" "$u" >"$STATE/warm.txt" 2>&1 || true
  fi
  node "$HERE/procsnap.cjs" snap "$STATE/procs0.json"
  c0="$(cpu_line)"; s0="$(ticks $sp)"; t0="$(date +%s.%N)"
  set +e
  timeout $((DURATION + 30)) /usr/bin/time -f 'WRKTIME %e %U %S' -o "$STATE/time.txt" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s -s "$HERE/range.lua" "$u" >"$STATE/wrk.txt" 2>&1
  local rc=$?
  set -e
  t1="$(date +%s.%N)"; s1="$(ticks $sp)"; c1="$(cpu_line)"
  node "$HERE/procsnap.cjs" snap "$STATE/procs1.json"
  node "$HERE/procsnap.cjs" diff "$STATE/procs0.json" "$STATE/procs1.json" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" "$sp $(ancestors $$)" '^(wrk|time|timeout)$' >"$STATE/others.json" || echo '{}' >"$STATE/others.json"
  if [ $rc -ne 0 ] || ! grep -q '^WRKJSON' "$STATE/wrk.txt"; then cat "$STATE/wrk.txt"; echo "wrk failed (rc $rc) against $t" >&2; return 1; fi
  node -e '
    const fs = require("fs");
    const [tmp, ts, tag, label, url, r, attempt, conns, threads, dur, s0, s1, t0, t1, clk, bg, busy, sp] = process.argv.slice(1);
    const w = JSON.parse(fs.readFileSync(tmp + "/wrk.txt", "utf8").split("\n").find((l) => l.startsWith("WRKJSON")).slice(8));
    const tm = fs.readFileSync(tmp + "/time.txt", "utf8").split("\n").find((l) => l.startsWith("WRKTIME")).split(" ");
    let o = {}; try { o = JSON.parse(fs.readFileSync(tmp + "/others.json", "utf8")); } catch {}
    const wall = +t1 - +t0;
    const server = 100 * ((+s1 - +s0) / +clk) / wall, wrkc = 100 * (+tm[2] + +tm[3]) / +tm[1];
    console.log(JSON.stringify({ ts, tag, label, url, mode: "webseed", run: +r, attempt: +attempt, connections: +conns, threads: +threads, duration: +dur,
      ...w, bytes_per_resp_over_range: +(w.bytes / Math.max(1, w.requests) - w.range).toFixed(0),
      server_pids: sp.trim(), server_cpu_pct: +server.toFixed(1), wrk_cpu_pct: +wrkc.toFixed(1), machine_busy_pct_of_1core: +busy,
      other_cpu_pct_of_1core: +Math.max(0, +busy - server - wrkc).toFixed(1), bg_busy_pct_of_1core: +bg, ...o }));
  ' "$STATE" "$(date -Iseconds)" "$TAG" "$t" "$u" "$r" "$attempt" "$CONNECTIONS" "$THREADS" "$DURATION" "$s0" "$s1" "$t0" "$t1" "$CLK" "$BG" "$(busy_between "$c0" "$c1")" "$sp" >"$ONE"
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`   ${r.label.padEnd(18)} run ${r.run}${r.attempt ? ` (retry ${r.attempt})` : ""}: ${r.MBps.toFixed(0).padStart(5)} MB/s  ${r.rps.toFixed(0).padStart(5)} req/s  p50 ${r.lat_p50_ms.toFixed(2)} ms  p99 ${r.lat_p99_ms.toFixed(2)} ms` +
      `  | non-2xx ${r.err_status}, sock err ${r.err_connect + r.err_read + r.err_write + r.err_timeout}${r.checked === true || r.checked === "true" ? `, bad bodies ${r.bad}` : ""}, +${r.bytes_per_resp_over_range} B/resp` +
      `  | cpu: server ${r.server_cpu_pct}%, wrk ${r.wrk_cpu_pct}%, background ${r.bg_busy_pct_of_1core}%, others ${r.other_procs_pct ?? "?"}%${r.other_top ? " [" + r.other_top + "]" : ""}`);
  ' "$ONE"
}
echo; echo "== $RUNS interleaved run(s) x ${DURATION} s, $CONNECTIONS connections, $THREADS wrk threads, Range $RANGE B at random aligned offsets: $TARGETS"
for r in $(seq 1 "$RUNS"); do
  for t in $TARGETS; do
    for attempt in $(seq 0 "$RETRY_NOISY"); do
      measure "$t" "$r" "$attempt" || { echo "run failed: $t run $r"; break; }
      if [ "$(is_noisy "$ONE")" = 1 ] && [ "$attempt" -lt "$RETRY_NOISY" ]; then
        node -e 'const fs=require("fs");const r=JSON.parse(fs.readFileSync(process.argv[1],"utf8"));r.kept=false;fs.appendFileSync(process.argv[2],JSON.stringify(r)+"\n")' "$ONE" "$RESULTS"
        echo "   (other processes were busy: run discarded, retrying in 5 s)"; sleep 5
        continue
      fi
      cat "$ONE" >>"$RESULTS"; break
    done
  done
done

if [ "${PROFILE:-0}" = 1 ] && [[ " $TARGETS " == *" seedhost "* ]]; then
  echo; echo "-- profile: seedhost restarted under node --cpu-prof, one more ${DURATION} s run (not in the figures)"
  mkdir -p "$STATE/prof"
  "$HERE/servers.sh" stop seedhost
  SEEDHOST_NODE_ARGS="--cpu-prof --cpu-prof-dir=$STATE/prof" "$HERE/servers.sh" start seedhost "$SEEDHOST_PORT" >/dev/null
  measure seedhost 0 0 || true
  "$HERE/servers.sh" stop seedhost
  for p in "$STATE"/prof/*.cpuprofile; do [ -f "$p" ] && node "$HERE/cpuprofile-top.cjs" "$p" 15; done
  mkdir -p "$HERE/results/profiles"; cp "$STATE"/prof/*.cpuprofile "$HERE/results/profiles/" 2>/dev/null && echo "   (profile copied to bench/results/profiles/)"
fi

for f in "$STATE/seedhost.log" "$STATE/nginx/error.log" "$STATE/node-static.log"; do
  [ -s "$f" ] && grep -qv '^static-server' "$f" && { echo; echo "$(basename "$f") (warnings and above): $(wc -l <"$f") line(s), first ones:"; head -5 "$f" | cut -c1-400; }
done
echo
node "$HERE/webseed-summary.cjs" "$RESULTS" "$TAG"
