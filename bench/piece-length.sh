#!/usr/bin/env bash
# Webseed download time by piece length: the figures behind the default piece length rule
# (server/torrent/piece-length.ts, README "Piece length").
#
# One SIZE_MB file of random bytes is published several times with the real command line, once per
# piece length in PIECE_LENGTHS (`node bin/seedhost.js add FILE --name ... --piece-length N`), on a
# seedhost started here (loopback, port PORT, DATA_DIR in a temp dir, under `timeout`). Then RUNS
# times, each piece length in turn: aria2c and transmission-cli download the torrent from the
# webseed alone (nobody else in the swarm, DHT/PEX/LPD off), each into an empty folder; the wall
# time from start to a complete, byte-identical file is printed (one line per download) and the
# median per client and piece length at the end. transmission-cli never exits by itself: a
# --finish script writes a marker, then SIGINT stops it; its time is taken at the marker.
#
# Env (defaults): SIZE_MB=20 PIECE_LENGTHS="16384 262144" RUNS=3 PORT=17090 CLIENTS="aria2c transmission-cli"
#   LIMIT=120 (s per download, then killed) MAXLIFE=1800 (s, the server's upper bound)
# The machine may be shared: the load average is printed with every line.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SIZE_MB="${SIZE_MB:-20}"; PIECE_LENGTHS="${PIECE_LENGTHS:-16384 262144}"; RUNS="${RUNS:-3}"; PORT="${PORT:-17090}"
CLIENTS="${CLIENTS:-aria2c transmission-cli}"; LIMIT="${LIMIT:-120}"; MAXLIFE="${MAXLIFE:-1800}"
for c in $CLIENTS curl cmp ss; do command -v "$c" >/dev/null || { echo "missing: $c" >&2; exit 1; }; done
[ -f "$ROOT/dist/server/main.js" ] || { echo "dist/server/main.js missing: run npm run build" >&2; exit 1; }

STATE="$(mktemp -d /tmp/seedhost-pieces-XXXXXX)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$STATE"
}
trap cleanup EXIT
export DATA_DIR="$STATE/data" DATABASE_URL="sqlite:$STATE/data/seedhost.db" PORT HOST=127.0.0.1 \
  PUBLIC_URL="http://127.0.0.1:$PORT" LOG_LEVEL=warn UDP_PORT=off
(cd "$STATE" && exec timeout "$MAXLIFE" node "$ROOT/dist/server/main.js" >>"$STATE/server.log" 2>&1) &
SERVER_PID=$!
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null || { cat "$STATE/server.log" >&2; exit 1; }

FILE="$STATE/source.bin"
head -c "$((SIZE_MB * 1024 * 1024))" /dev/urandom >"$FILE"
declare -A TORRENT
for pl in $PIECE_LENGTHS; do
  hash="$(cd "$STATE" && node "$ROOT/bin/seedhost.js" add "$FILE" --name "pieces-$pl.bin" --piece-length "$pl" | tail -1)"
  TORRENT[$pl]="$STATE/$pl.torrent"
  curl -fs "http://127.0.0.1:$PORT/torrents/$hash.torrent" -o "${TORRENT[$pl]}"
done

now() { date +%s.%N; }
aria2c_run() { # torrent dir -> seconds
  local t0; t0="$(now)"
  timeout "$LIMIT" aria2c --no-conf=true --enable-dht=false --enable-dht6=false --bt-enable-lpd=false \
    --enable-peer-exchange=false --seed-time=0 --file-allocation=none --disable-ipv6=true \
    --listen-port=6881-6999 --console-log-level=warn --summary-interval=0 --dir="$2" "$1" >"$2.log" 2>&1
  echo "$(now) - $t0" | bc
}
transmission_run() { # torrent dir -> seconds
  local cfg="$2.config" t0 pid
  mkdir -p "$cfg"
  printf '#!/bin/sh\ntouch "%s/finished"\n' "$cfg" >"$cfg/finish.sh"; chmod 755 "$cfg/finish.sh"
  printf '{"dht-enabled":false,"lpd-enabled":false,"pex-enabled":false,"utp-enabled":false,"port-forwarding-enabled":false,"bind-address-ipv4":"127.0.0.1","rename-partial-files":false,"incomplete-dir-enabled":false}' >"$cfg/settings.json"
  t0="$(now)"
  timeout "$LIMIT" transmission-cli -g "$cfg" -w "$2" -M -p "$((20000 + RANDOM % 20000))" -f "$cfg/finish.sh" "$1" >"$2.log" 2>&1 &
  pid=$!
  while [ ! -e "$cfg/finished" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  local t1; t1="$(now)"
  kill -INT "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  [ -e "$cfg/finished" ] || { echo "transmission-cli did not finish" >&2; tail -5 "$2.log" >&2; echo nan; return; }
  echo "$t1 - $t0" | bc
}

RESULTS="$STATE/results.txt"; : >"$RESULTS"
echo "# ${SIZE_MB} MiB from the webseed alone; seconds per download (load average of the machine)"
for run in $(seq 1 "$RUNS"); do
  for pl in $PIECE_LENGTHS; do
    for client in $CLIENTS; do
      dir="$STATE/dl-$client-$pl-$run"; mkdir -p "$dir"
      case "$client" in aria2c) s="$(aria2c_run "${TORRENT[$pl]}" "$dir")" ;; transmission-cli) s="$(transmission_run "${TORRENT[$pl]}" "$dir")" ;; esac
      cmp -s "$FILE" "$dir/pieces-$pl.bin" || s=nan
      printf '%-17s piece %8s  run %s  %7.2f s  (load %s)\n' "$client" "$pl" "$run" "$s" "$(cut -d' ' -f1 /proc/loadavg)"
      echo "$client $pl $s" >>"$RESULTS"
    done
  done
done
echo "# median seconds"
for client in $CLIENTS; do
  for pl in $PIECE_LENGTHS; do
    m="$(awk -v c="$client" -v p="$pl" '$1 == c && $2 == p { print $3 }' "$RESULTS" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')"
    printf '%-17s piece %8s  median %7.2f s of %s\n' "$client" "$pl" "$m" "$RUNS"
  done
done
