#!/usr/bin/env bash
# `npm run bench:publish`: publishing speed of `seedhost add` (piece hashing + storing the copy)
# against Debian's mktorrent (hashing only) on a generated file, and announce throughput of a
# running seedhost server while the command line publishes into the same DATA_DIR.
#
# Part "hash": FILE (SIZE_MB of random bytes, made once in the temp dir, read once so it is in the
# page cache) is processed by each tool in turn, interleaved and rotated (A B C D, B C D A, ...), RUNS times:
#   seedhost       DATA_DIR=<empty dir> node bin/seedhost.js add FILE --piece-length PIECE_LENGTH
#   seedhost-buffered  the same with DIRECT_IO=off (the copy written through the page cache)
#   seedhost-link  the same with --link (a hard link into DATA_DIR, no copy; same file system)
#   seedhost-reflink  the same as seedhost (a copy), with FILE and DATA_DIR on an XFS file system
#                  (a loop-mounted image made here; needs root and xfsprogs), where the copy is a
#                  copy-on-write clone: what `seedhost add` costs on XFS or btrfs
#   mktorrent-t1   mktorrent -t 1 -l log2(PIECE_LENGTH) -a http://x/announce -o OUT FILE   (reference)
#   mktorrent-t2   the same with -t 2                                                     (stretch)
#   cp             cp FILE <empty dir>/  (what storing the copy alone costs; no hashing)
#   seedhost-hybrid / seedhost-v2   seedhost as above with --format hybrid / v2 (BEP 52)
#   lt-hybrid / lt-v2  python3-libtorrent's create_torrent + set_piece_hashes making the same hybrid
#                  / v2 torrent (bench/lt-create.py; hashing only, no copy): the reference for those rows
#   base-seedhost / base-seedhost-hybrid / base-seedhost-v2   the same as seedhost / -hybrid / -v2 with
#                  the build of another checkout (BASE_BUILD), for an A/B in the same run
# each under `timeout` and `/usr/bin/time` (peak RSS = max resident set of the process, worker
# threads included). The published content, the database and mktorrent's output are removed and
# `sync` is run before every run, so each run starts from an empty DATA_DIR with no writeback of
# the previous run pending; seedhost's SQLite database is there already (a copy of one made and
# migrated by `seedhost list` before the runs), as in an installation, where the server or the
# first command has made it. Correctness: an untimed warm-up run of each tool first; seedhost's
# info_hash (last line it prints) must equal the one of mktorrent's .torrent (same name, piece
# length: the info dicts are identical), the `pieces` of seedhost's stored .torrent (SQLite
# torrents.metainfo) must be byte-identical to mktorrent's, the stored copy must equal FILE
# (cmp); every timed run's info_hash is checked again.
#
# Part "announce": a seedhost server (servers.sh: node dist/server/main.js, loopback, DATA_DIR =
# $STATE/data) with POOL_SIZE registered torrents; run-one.sh (prefill, checks, warm-up, wrk with
# announce.lua for ANN_DURATION s) alternately with no publish, and with publish-loop.sh publishing
# FILE again and again (a new --name each time) into the same DATA_DIR during the whole wrk window.
# The server is restarted fresh before every run; published copies are removed afterwards.
#
# Env knobs (defaults):
#   RUNS=5 SIZE_MB=1024 PIECE_LENGTH=1048576 TOOLS="seedhost seedhost-buffered seedhost-link seedhost-reflink mktorrent-t1 mktorrent-t2 cp seedhost-hybrid lt-hybrid seedhost-v2 lt-v2"
#   BENCH_FILE=<path>  use this existing file instead of generating one (it is not deleted)
#   BASE_BUILD=<checkout>  the base-* tools run a copy of that checkout's dist/ (e.g. /work/main)
#   GRAPHQL=1              also upload the file through GraphQL and report the server's peak RSS
#   PARTS="hash announce"  ANN_RUNS=3 ANN_DURATION=10 CONNECTIONS=64 THREADS=2 POOL_SIZE=1000
#   PREFILL=60 WARMUP=3 SEEDHOST_PORT=17080 TOOL_TIMEOUT=300 (s per tool run)
#   QUIET_PCT=25 QUIET_MAX_WAIT=60 RETRY_NOISY=2  a run during which other processes used more
#                          than QUIET_PCT % of a core is recorded with kept=false and rerun
#   TAG=publish-<time>  RESULTS=bench/results/publish.jsonl  KEEP_STATE=0 (1: keep the temp dir)
#   PROFILE=1              also one extra seedhost run under `node --cpu-prof` (after the timed
#                          runs), summarized per thread by cpuprofile-top.cjs
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
. "$HERE/common.sh"
RUNS="${RUNS:-5}"; SIZE_MB="${SIZE_MB:-1024}"; PL="${PIECE_LENGTH:-1048576}"
TOOLS="${TOOLS:-seedhost seedhost-buffered seedhost-link seedhost-reflink mktorrent-t1 mktorrent-t2 cp seedhost-hybrid lt-hybrid seedhost-v2 lt-v2}"; PARTS="${PARTS:-hash announce}"
ANN_RUNS="${ANN_RUNS:-3}"; ANN_DURATION="${ANN_DURATION:-10}"; CONNECTIONS="${CONNECTIONS:-64}"
POOL_SIZE="${POOL_SIZE:-1000}"; SEEDHOST_PORT="${SEEDHOST_PORT:-17080}"; TOOL_TIMEOUT="${TOOL_TIMEOUT:-300}"
RETRY_NOISY="${RETRY_NOISY:-2}"
export QUIET_PCT="${QUIET_PCT:-25}" QUIET_MAX_WAIT="${QUIET_MAX_WAIT:-60}"
export TAG="${TAG:-publish-$(date +%Y%m%d-%H%M%S)}"
RESULTS="${RESULTS:-$HERE/results/publish.jsonl}"
LOG2=0; while [ $((1 << LOG2)) -lt "$PL" ]; do LOG2=$((LOG2 + 1)); done
[ $((1 << LOG2)) = "$PL" ] || { echo "PIECE_LENGTH must be a power of two" >&2; exit 2; }

# ---- tools ----
need=""
command -v mktorrent >/dev/null || need+=" mktorrent"
[ -x /usr/bin/time ] || need+=" time"
command -v wrk >/dev/null || need+=" wrk"
[[ " $TOOLS " != *" seedhost-reflink "* ]] || command -v mkfs.xfs >/dev/null || need+=" xfsprogs"
[[ " $TOOLS " != *" lt-"* ]] || /usr/bin/python3 -c 'import libtorrent' 2>/dev/null || need+=" python3-libtorrent"
if [ -n "$need" ]; then
  echo "installing$need (apt)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need
fi
for c in mktorrent wrk ss cmp /usr/bin/time; do command -v "$c" >/dev/null || { echo "missing: $c" >&2; exit 1; }; done
[ -f "$ROOT/dist/server/main.js" ] || { echo "dist/server/main.js missing: run npm run build" >&2; exit 1; }

# ---- temp state; everything started here is stopped on exit ----
export STATE="$(mktemp -d /tmp/seedhost-bench.XXXXXX)"
ONE="$STATE/one.jsonl"
XFS=""
cleanup() {
  [ -z "$XFS" ] || umount "$XFS" || true
  "$HERE/servers.sh" stop seedhost || true
  if [ "${KEEP_STATE:-0}" = 1 ]; then echo "state kept in $STATE"; else rm -rf "$STATE"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$(dirname "$RESULTS")" "$STATE/cwd"   # cwd: no .env of the checkout is loaded

# the code under test: a copy of the build taken now, so a rebuild in the checkout during the
# benchmark (another engineer running tests) cannot change it between runs
snapshot_build
if [[ " $TOOLS " == *" base-"* ]]; then
  [ -f "${BASE_BUILD:-}/dist/server/main.js" ] || { echo "base-* tools need BASE_BUILD=<a checkout with a built dist/>" >&2; exit 1; }
  BASE_APP="$STATE/base-app"; mkdir -p "$BASE_APP"
  cp -r "$BASE_BUILD/dist" "$BASE_BUILD/bin" "$BASE_BUILD/package.json" "$BASE_APP/"
  ln -s "$ROOT/node_modules" "$BASE_APP/node_modules"
  echo "base build (base-* tools): copy of $BASE_BUILD/dist/ at $BASE_APP, commit $(git -C "$BASE_BUILD" rev-parse --short HEAD 2>/dev/null || echo '?')"
fi
if [ -n "${BENCH_FILE:-}" ]; then
  FILE="$(realpath "$BENCH_FILE")"; [ -f "$FILE" ] || { echo "no file $FILE" >&2; exit 1; }
else
  FILE="$STATE/random1g.bin"
  [ "$SIZE_MB" = 1024 ] || FILE="$STATE/random${SIZE_MB}m.bin"
  echo "making $FILE ($SIZE_MB MiB of random bytes)"
  head -c $((SIZE_MB * 1048576)) /dev/urandom >"$FILE"
fi
SIZE="$(stat -c %s "$FILE")"; NAME="$(basename "$FILE")"
cat "$FILE" >/dev/null   # page cache
machine_line
echo "file $FILE ($SIZE B) $(command -v fincore >/dev/null && fincore -n -o RES "$FILE" | awk '{printf "(%s in page cache)", $1}'); piece length $PL; $(mktorrent -h 2>&1 | head -1 | cut -d'(' -f1)"
echo "tag $TAG, results $RESULTS"

# ---- seedhost-reflink: a copy of FILE on a fresh XFS file system, DATA_DIR there too ----
if [[ " $TOOLS " == *" seedhost-reflink "* ]]; then
  if [ "$(id -u)" != 0 ]; then
    echo "seedhost-reflink left out: it needs root to loop-mount an XFS image"; TOOLS="$(echo " $TOOLS " | sed 's/ seedhost-reflink / /')"
  else
    truncate -s "$(( SIZE / 1048576 * 2 + 512 ))M" "$STATE/xfs.img"
    mkfs.xfs -q -m reflink=1 "$STATE/xfs.img"
    mkdir -p "$STATE/xfs"; mount -o loop "$STATE/xfs.img" "$STATE/xfs"; XFS="$STATE/xfs"
    cp "$FILE" "$XFS/$NAME"; sync -f "$XFS"   # written, flushed, and in the page cache
    echo "XFS image mounted at $XFS (reflink=1), with a copy of the file"
  fi
fi

# ---- one tool run: timed, recorded as one JSON line in $ONE ----
run_tool() { # TOOL RUN ATTEMPT
  local tool="$1" r="$2" attempt="$3" rc t0 t1 hash check="n/a" torrent=""
  rm -rf "$STATE/pub" "$STATE/t.torrent" "$STATE/time.txt" "$STATE/out.txt"; mkdir -p "$STATE/pub"
  # an installation's database exists before anything is published into it (made by the server, or
  # by the first command): each run starts from a copy of a freshly migrated, empty one
  [ ! -f "$STATE/template.db" ] || cp "$STATE/template.db" "$STATE/pub/seedhost.db"
  if [ -n "$XFS" ]; then
    rm -rf "$XFS/pub"; mkdir -p "$XFS/pub"
    [ ! -f "$STATE/template.db" ] || cp "$STATE/template.db" "$XFS/pub/seedhost.db"
  fi
  sync
  wait_quiet
  node "$HERE/procsnap.cjs" snap "$STATE/procs0.json"
  c0="$(cpu_line)"; t0="$(date +%s.%N)"
  set +e
  case "$tool" in
    seedhost|seedhost-buffered|seedhost-link|seedhost-reflink|seedhost-hybrid|seedhost-v2|base-seedhost|base-seedhost-hybrid|base-seedhost-v2)
      local pub="$STATE/pub" src="$FILE" format=v1 app="$APP"
      [ "$tool" != seedhost-reflink ] || { pub="$XFS/pub"; src="$XFS/$NAME"; }
      case "$tool" in *-hybrid) format=hybrid ;; *-v2) format=v2 ;; esac
      case "$tool" in base-*) app="$BASE_APP" ;; esac
      (cd "$STATE/cwd" && exec env DATA_DIR="$pub" DATABASE_URL="sqlite:$pub/seedhost.db" LOG_LEVEL=warn DIRECT_IO="$([ "$tool" = seedhost-buffered ] && echo off || echo on)" \
        timeout "$TOOL_TIMEOUT" /usr/bin/time -f 'TIME %e %M %U %S' -o "$STATE/time.txt" ${NODE_PREFIX:-node} "$app/bin/seedhost.js" add "$src" --piece-length "$PL" $([ "$format" = v1 ] || echo --format "$format") \
        $([ "$tool" = seedhost-link ] && echo --link)) >"$STATE/out.txt" 2>&1 ;;
    lt-hybrid|lt-v2)
      timeout "$TOOL_TIMEOUT" /usr/bin/time -f 'TIME %e %M %U %S' -o "$STATE/time.txt" \
        /usr/bin/python3 "$HERE/lt-create.py" "$FILE" "$PL" "${tool#lt-}" "$STATE/t.torrent" >"$STATE/out.txt" 2>&1 ;;
    mktorrent-t1|mktorrent-t2)
      timeout "$TOOL_TIMEOUT" /usr/bin/time -f 'TIME %e %M %U %S' -o "$STATE/time.txt" \
        mktorrent -t "${tool#mktorrent-t}" -l "$LOG2" -a http://x/announce -o "$STATE/t.torrent" "$FILE" >"$STATE/out.txt" 2>&1 ;;
    cp)
      timeout "$TOOL_TIMEOUT" /usr/bin/time -f 'TIME %e %M %U %S' -o "$STATE/time.txt" cp "$FILE" "$STATE/pub/" >"$STATE/out.txt" 2>&1 ;;
    *) echo "unknown tool $tool" >&2; return 2 ;;
  esac
  rc=$?
  set -e
  t1="$(date +%s.%N)"; c1="$(cpu_line)"
  node "$HERE/procsnap.cjs" snap "$STATE/procs1.json"
  node "$HERE/procsnap.cjs" diff "$STATE/procs0.json" "$STATE/procs1.json" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" "$(ancestors $$)" '^(time|timeout)$' >"$STATE/others.json" || echo '{}' >"$STATE/others.json"
  if [ "$rc" != 0 ]; then echo "   $tool failed (rc $rc):"; tail -5 "$STATE/out.txt" | sed 's/^/   | /'; check="FAILED rc $rc"; fi
  # the info_hash a run must print: mktorrent's for v1, libtorrent's for hybrid and v2
  local expect="${EXPECT:-}"
  case "$tool" in *-hybrid) expect="${EXPECT_HYBRID:-}" ;; *-v2) expect="${EXPECT_V2:-}" ;; esac
  [ "$rc" = 0 ] && case "$tool" in
    seedhost|seedhost-buffered|seedhost-link|seedhost-reflink|seedhost-hybrid|seedhost-v2|base-seedhost*|lt-hybrid|lt-v2)
      hash="$(tail -1 "$STATE/out.txt" | tr -d '\r')"
      if [ "$hash" = "$expect" ]; then check="info_hash ok"; elif [ -z "$expect" ]; then check="$hash"; else check="info_hash MISMATCH ($hash)"; fi ;;
    mktorrent-*)
      if node "$HERE/torrent-check.cjs" "${EXPECT:--}" "$STATE/t.torrent" >"$STATE/check.txt" 2>&1; then check="info_hash ok"; else check="info_hash MISMATCH"; fi ;;
  esac
  read -r _ e rss user sys < <(grep '^TIME' "$STATE/time.txt" 2>/dev/null || echo "TIME 0 0 0 0")
  node -e '
    const [ts, tag, tool, r, attempt, size, pl, t0, t1, e, rss, user, sys, rc, bg, check, others, busy] = process.argv.slice(1);
    const wall = +t1 - +t0;
    let o = {}; try { o = JSON.parse(require("fs").readFileSync(others, "utf8")); } catch {}
    const own = 100 * (+user + +sys) / wall;
    console.log(JSON.stringify({ ts, tag, part: "hash", tool, run: +r, attempt: +attempt, size: +size, piece_length: +pl,
      wall_s: +wall.toFixed(3), MBps: +(size / wall / 1e6).toFixed(1), time_e: +e, rss_kb: +rss, user_s: +user, sys_s: +sys,
      rc: +rc, check, bg_busy_pct_of_1core: +bg, machine_busy_pct_of_1core: +busy,
      other_cpu_pct_of_1core: +Math.max(0, +busy - own).toFixed(1), ...o }));
  ' "$(date -Iseconds)" "$TAG" "$tool" "$r" "$attempt" "$SIZE" "$PL" "$t0" "$t1" "${e:-0}" "${rss:-0}" "${user:-0}" "${sys:-0}" "$rc" "$BG" "$check" "$STATE/others.json" "$(busy_between "$c0" "$c1")" >"$ONE"
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`   ${r.tool.padEnd(13)} run ${r.run}${r.attempt ? ` (retry ${r.attempt})` : ""}: ${r.wall_s.toFixed(2)} s  ${r.MBps.toFixed(0).padStart(5)} MB/s  peak RSS ${(r.rss_kb / 1024).toFixed(0)} MiB  user ${r.user_s} s sys ${r.sys_s} s  | ${r.check} | background ${r.bg_busy_pct_of_1core}%, machine ${r.machine_busy_pct_of_1core}% of which others ${r.other_cpu_pct_of_1core}%${r.other_top ? " [top: " + r.other_top + "]" : ""}`);
  ' "$ONE"
}

# ---- part 1: publish (hash + store) vs mktorrent ----
if [[ " $PARTS " == *" hash "* ]]; then
  echo; echo "== part 1: $NAME, $RUNS interleaved run(s) of: $TOOLS"
  # reference torrent (untimed) and the info_hash every tool must reach
  mktorrent -t 2 -l "$LOG2" -a http://x/announce -o "$STATE/ref.torrent" "$FILE" >/dev/null
  EXPECT="$(node "$HERE/torrent-check.cjs" - "$STATE/ref.torrent" | tail -1 | awk '{print $3}')"
  echo "reference info_hash (mktorrent): $EXPECT"
  if [[ " $TOOLS " == *"-hybrid "* ]]; then EXPECT_HYBRID="$(/usr/bin/python3 "$HERE/lt-create.py" "$FILE" "$PL" hybrid "$STATE/ref-hybrid.torrent")"; echo "reference hybrid info_hash (libtorrent): $EXPECT_HYBRID"; fi
  if [[ " $TOOLS " == *"-v2 "* ]]; then EXPECT_V2="$(/usr/bin/python3 "$HERE/lt-create.py" "$FILE" "$PL" v2 "$STATE/ref-v2.torrent")"; echo "reference v2 info hash, truncated (libtorrent): $EXPECT_V2"; fi
  # the seedhost command line's fixed cost: start, load, open an empty database, exit
  rm -rf "$STATE/pub"; mkdir -p "$STATE/pub"
  # `list` refuses a database that does not exist: one made by publishing a small file, then removing it
  head -c 1000 /dev/urandom >"$STATE/tiny.bin"
  (cd "$STATE/cwd" && export DATA_DIR="$STATE/pub" DATABASE_URL="sqlite:$STATE/pub/seedhost.db" LOG_LEVEL=warn &&
    node "$APP/bin/seedhost.js" remove "$(node "$APP/bin/seedhost.js" add "$STATE/tiny.bin" | tail -1)" >/dev/null)
  (cd "$STATE/cwd" && env DATA_DIR="$STATE/pub" DATABASE_URL="sqlite:$STATE/pub/seedhost.db" LOG_LEVEL=warn \
    timeout 60 /usr/bin/time -f '%e %M' -o "$STATE/time.txt" node "$APP/bin/seedhost.js" list >/dev/null 2>&1) || true
  read -r e rss <"$STATE/time.txt"; STARTUP="{\"wall_s\":$e,\"rss_kb\":$rss}"
  cp "$STATE/pub/seedhost.db" "$STATE/template.db"
  echo "seedhost command line alone (\`seedhost list\` on an empty database): $e s, peak RSS $((rss / 1024)) MiB"
  echo "-- warm-up (untimed) and correctness"
  for tool in $TOOLS; do
    run_tool "$tool" 0 0 >/dev/null
    if [ "$tool" = seedhost ]; then
      CHECKS="$(node "$HERE/torrent-check.cjs" "$EXPECT" "$STATE/ref.torrent" "sqlite:$STATE/pub/seedhost.db" 2>&1)" || { echo "$CHECKS"; echo "seedhost's .torrent does not match mktorrent's" >&2; exit 1; }
      echo "$CHECKS"
      stored="$STATE/pub/content/$EXPECT/$NAME"
      if cmp -s "$stored" "$FILE"; then echo "  stored copy $stored: byte-identical to the file"; else echo "  stored copy $stored differs from the file (or is missing)" >&2; exit 1; fi
    fi
  done
  echo "-- timed runs"
  : >"$STATE/hash.jsonl"
  read -r -a ORDER <<<"$TOOLS"
  for r in $(seq 1 "$RUNS"); do
    # each round starts one tool further along, so no tool always runs in the same place: on the
    # VM the benchmarks run on, writing 1 GiB into the page cache costs 2-3x the system time every
    # few runs, depending on what earlier runs freed (measured: every third identical run slow)
    for i in $(seq 0 $(( ${#ORDER[@]} - 1 ))); do
      tool="${ORDER[$(( (i + r - 1) % ${#ORDER[@]} ))]}"
      for attempt in $(seq 0 "$RETRY_NOISY"); do
        run_tool "$tool" "$r" "$attempt"
        if [ "$(is_noisy "$ONE" other_cpu_pct_of_1core)" = 1 ] && [ "$attempt" -lt "$RETRY_NOISY" ]; then
          node -e 'const fs=require("fs");const r=JSON.parse(fs.readFileSync(process.argv[1],"utf8"));r.kept=false;fs.appendFileSync(process.argv[2],JSON.stringify(r)+"\n")' "$ONE" "$RESULTS"
          echo "   (other processes were busy: run discarded, retrying in 5 s)"; sleep 5
          continue
        fi
        cat "$ONE" >>"$RESULTS"; cat "$ONE" >>"$STATE/hash.jsonl"; break
      done
    done
  done
  echo "{\"ts\":\"$(date -Iseconds)\",\"tag\":\"$TAG\",\"part\":\"startup\",\"tool\":\"seedhost list\",$(echo "$STARTUP" | cut -c2-)" >>"$RESULTS"
  rm -rf "$STATE/pub"
  if [ "${PROFILE:-0}" = 1 ]; then
    echo "-- profile: one more seedhost run under node --cpu-prof (not in the figures)"
    mkdir -p "$STATE/prof"
    NODE_PREFIX="node --cpu-prof --cpu-prof-dir=$STATE/prof" run_tool seedhost 0 0 | sed 's/run 0/profiled/'
    for p in "$STATE"/prof/*.cpuprofile; do node "$HERE/cpuprofile-top.cjs" "$p" 10; done
    mkdir -p "$HERE/results/profiles"; cp "$STATE"/prof/*.cpuprofile "$HERE/results/profiles/" && echo "   (profiles copied to bench/results/profiles/)"
    rm -rf "$STATE/pub"
  fi
fi

# ---- part 2: announces while a publish runs ----
if [[ " $PARTS " == *" announce "* ]]; then
  echo; echo "== part 2: announce load (wrk, $CONNECTIONS connections, ${ANN_DURATION} s) with no publish vs while \`seedhost add\` publishes $NAME into the server's DATA_DIR"
  export BENCH_POOL="$STATE/pool.txt"
  node "$HERE/make-torrents.mjs" "$STATE/torrents" "$POOL_SIZE"
  (cd "$STATE/cwd" && DATA_DIR="$STATE/data" DATABASE_URL="sqlite:$STATE/data/seedhost.db" LOG_LEVEL=warn \
    node "$APP/bin/seedhost.js" register $(for i in $(seq 0 $((POOL_SIZE - 1))); do echo "$STATE/torrents/bench-$i.torrent"; done)) >"$BENCH_POOL"
  cmp -s "$BENCH_POOL" "$STATE/torrents/expected-hashes.txt" || { echo "registered hashes differ from the generated ones" >&2; exit 1; }
  echo "registered $(wc -l <"$BENCH_POOL") torrents in $STATE/data/seedhost.db"
  remove_published() { # info_hashes printed by publish-loop.sh in $1: remove them (rows + stored copies)
    local h
    for h in $(sed -n 's/^PUBLISH .*"info_hash":"\([0-9a-f]\{40\}\)".*/\1/p' "$1" 2>/dev/null); do
      (cd "$STATE/cwd" && DATA_DIR="$STATE/data" DATABASE_URL="sqlite:$STATE/data/seedhost.db" LOG_LEVEL=warn \
        timeout 60 node "$APP/bin/seedhost.js" remove "$h" >/dev/null) || echo "   could not remove $h" >&2
    done
    rm -rf "$STATE/data/tmp"; sync
  }
  for r in $(seq 1 "$ANN_RUNS"); do
    for mode in idle publish; do
      for attempt in $(seq 0 "$RETRY_NOISY"); do
        "$HERE/servers.sh" stop seedhost
        "$HERE/servers.sh" start seedhost "$SEEDHOST_PORT" >/dev/null
        rm -f "$ONE" "$STATE/during.txt"
        echo "-- run $r/$ANN_RUNS"
        if [ "$mode" = publish ]; then
          label="seedhost, publish running"
          export DURING_CMD="exec env SEEDHOST_APP='$APP' PUBLIC_URL='http://localhost:$SEEDHOST_PORT' bash '$HERE/publish-loop.sh' '$FILE' '$STATE/data' 'bench-pub-$r-$attempt' '$PL'" DURING_OUT="$STATE/during.txt"
        else
          label="seedhost, no publish"; unset DURING_CMD DURING_OUT
        fi
        LABEL="$label" CONN=keepalive RESULTS="$ONE" "$HERE/run-one.sh" "http://127.0.0.1:$SEEDHOST_PORT/announce" "$ANN_DURATION" "$CONNECTIONS" ||
          echo "run failed: $label run=$r"
        unset DURING_CMD DURING_OUT
        "$HERE/servers.sh" stop seedhost
        if [ -s "$STATE/during.txt" ]; then
          { grep -v '^PUBLISH' "$STATE/during.txt" || true; } | head -3 | sed 's/^/   publish: /'
          node -e '
            const ps = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(l => l.startsWith("PUBLISH ")).map(l => JSON.parse(l.slice(8)));
            console.log(`   publishes during the run: ${ps.length} (${ps.map(p => `${p.wall_s.toFixed(2)} s, ${(p.rss_kb / 1024).toFixed(0)} MiB`).join("; ")})`);
          ' "$STATE/during.txt"
        fi
        [ -s "$ONE" ] || { remove_published "$STATE/during.txt"; break; }
        node -e '
          const fs = require("fs");
          const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8").trim().split("\n").pop());
          let ps = []; try { ps = fs.readFileSync(process.argv[2], "utf8").split("\n").filter(l => l.startsWith("PUBLISH ")).map(l => JSON.parse(l.slice(8))); } catch {}
          fs.writeFileSync(process.argv[1], JSON.stringify({ ...r, part: "announce", publish: process.argv[3] === "publish", run: +process.argv[4], size: +process.argv[5], publishes: ps }) + "\n");
        ' "$ONE" "$STATE/during.txt" "$mode" "$r" "$SIZE"
        remove_published "$STATE/during.txt"
        if [ "$(is_noisy "$ONE")" = 1 ] && [ "$attempt" -lt "$RETRY_NOISY" ]; then
          node -e 'const fs=require("fs");const r=JSON.parse(fs.readFileSync(process.argv[1],"utf8").trim());r.kept=false;fs.appendFileSync(process.argv[2],JSON.stringify(r)+"\n")' "$ONE" "$RESULTS"
          echo "   (other processes were busy: run discarded, retrying in 10 s)"; sleep 10
          continue
        fi
        cat "$ONE" >>"$RESULTS"; break
      done
    done
  done
  if [ -s "$STATE/seedhost.log" ]; then
    echo; echo "seedhost server log (warn and above): $(wc -l <"$STATE/seedhost.log") line(s), first ones:"; head -5 "$STATE/seedhost.log" | cut -c1-400
  fi
fi

echo
node "$HERE/publish-summary.cjs" "$RESULTS" "$TAG"

# ---- the GraphQL path: the same file uploaded through the multipart API of a running server ----
if [ "${GRAPHQL:-1}" = 1 ]; then
  echo; echo "== GraphQL upload of the same file (server started as npm start does; RSS sampled every 50 ms)"
  bash "$HERE/graphql-upload.sh" "$FILE" "${GRAPHQL_PORT:-17083}" || echo "graphql upload failed"
fi
