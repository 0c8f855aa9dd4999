# Shell helpers shared by the bench scripts (sourced, not run).
# busy_sample SECS        % of one core busy on the whole machine over SECS (from /proc/stat)
# wait_quiet              samples the background load (1 s) and waits up to $QUIET_MAX_WAIT s for
#                         it to drop below $QUIET_PCT % of a core; sets BG (the last sample)
# descendants PID...      the PIDs and all their descendants; ancestors PID: PID and its parents
# ticks PID...            utime+stime (clock ticks) of those processes, summed
# machine_line            one line: cores, CPU model, sha_ni, memory, loadavg, node version
# snapshot_build          copies dist/, bin/, package.json of the checkout to $STATE/app (node_modules
#                         linked) and exports SEEDHOST_APP/APP to it; prints the commit it was built from
# is_noisy JSON_FILE [F]  1 if the last JSON line's bg_busy_pct_of_1core or F (other_procs_pct) > QUIET_PCT
# cpu_line; busy_between A B   machine-wide busy % of one core between two `cpu_line`s
# register_pool N         N bench .torrent files (make-torrents.mjs) registered in $STATE/data's
#                         SQLite database; their hashes in $BENCH_POOL (checked against the generated ones)
busy_sample() {
  local a b; a="$(head -1 /proc/stat)"; sleep "$1"; b="$(head -1 /proc/stat)"
  awk -v a="$a" -v b="$b" -v nc="$(grep -c '^cpu[0-9]' /proc/stat)" 'BEGIN{n=split(a,x," ");split(b,y," ");t=0;for(k=2;k<=n;k++)t+=y[k]-x[k];i=(y[5]-x[5])+(y[6]-x[6]);printf "%.0f", 100*nc*(t-i)/t}'
}
wait_quiet() {
  local waited=0
  BG="$(busy_sample 1)"
  while [ "$BG" -gt "${QUIET_PCT:-25}" ] && [ "$waited" -lt "${QUIET_MAX_WAIT:-60}" ]; do sleep 2; waited=$((waited + 3)); BG="$(busy_sample 1)"; done
  [ "$waited" -gt 0 ] && echo "   (waited ${waited}s for a quiet machine: background ${BG}% of one core)"
  return 0
}
descendants() { local p; for p in "$@"; do echo "$p"; descendants $(ps -o pid= --ppid "$p" 2>/dev/null); done; }
ancestors() { local p="$1"; while [ -n "$p" ] && [ "$p" != 0 ]; do echo -n "$p "; p="$(ps -o ppid= -p "$p" 2>/dev/null | tr -d ' ')"; done; }
ticks() { local t=0 p; for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$((t + $(sed 's/.*) //' "/proc/$p/stat" | awk '{print $12+$13}'))); done; echo $t; }
machine_line() {
  echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), sha_ni $(grep -qw sha_ni /proc/cpuinfo && echo yes || echo no), $(awk '/MemTotal/{printf "%.0f GiB RAM", $2/1048576}' /proc/meminfo), loadavg $(cut -d' ' -f1-3 /proc/loadavg), node $(node -v)"
}
is_noisy() { # JSON_FILE [FIELD=other_procs_pct]
  node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8").trim().split("\n").pop()); const q=+process.argv[2]; console.log((r.bg_busy_pct_of_1core>q || (r[process.argv[3]]??0)>q) ? 1 : 0)' "$1" "${QUIET_PCT:-25}" "${2:-other_procs_pct}"
}
cpu_line() { head -1 /proc/stat; }
register_pool() {
  node "$HERE/make-torrents.mjs" "$STATE/torrents" "$1"
  (cd "$STATE" && DATA_DIR="$STATE/data" DATABASE_URL="sqlite:$STATE/data/seedhost.db" LOG_LEVEL=warn \
    node "$ROOT/bin/seedhost.js" register $(for i in $(seq 0 $(($1 - 1))); do echo "$STATE/torrents/bench-$i.torrent"; done)) >"$BENCH_POOL"
  if ! cmp -s "$BENCH_POOL" "$STATE/torrents/expected-hashes.txt"; then
    echo "registered hashes differ from the generated ones ($(wc -l <"$BENCH_POOL") lines registered)" >&2; return 1
  fi
}
busy_between() { # "cpu line A" "cpu line B" -> % of one core busy on the whole machine between them
  awk -v a="$1" -v b="$2" -v nc="$(grep -c '^cpu[0-9]' /proc/stat)" 'BEGIN{n=split(a,x," ");split(b,y," ");t=0;for(k=2;k<=n;k++)t+=y[k]-x[k];i=(y[5]-x[5])+(y[6]-x[6]);printf "%.1f", (t>0)?100*nc*(t-i)/t:0}'
}
snapshot_build() {
  APP="$STATE/app"; mkdir -p "$APP"
  cp -r "$ROOT/dist" "$ROOT/bin" "$ROOT/package.json" "$APP/"
  ln -s "$ROOT/node_modules" "$APP/node_modules"
  export SEEDHOST_APP="$APP" APP
  local dirty; dirty="$(git -C "$ROOT" status --porcelain -- server bin package.json 2>/dev/null | wc -l)"
  echo "seedhost build: copy of dist/ at $APP, commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$([ "$dirty" -gt 0 ] && echo " + $dirty uncommitted change(s) under server/ bin/ package.json")"
}
# bg_start NAME PORT CMD...   starts CMD in $STATE (under `timeout $MAXLIFE`, output to $STATE/NAME.log),
#                             records the wrapper's PID in $STATE/NAME.pid, waits until PORT listens
# bg_stop NAME                stops it by that PID (TERM, then KILL after 12 s) - as servers.sh does
# listen_pids PORT            the PIDs listening on PORT, with their descendants
bg_start() {
  local name="$1" port="$2"; shift 2
  if ss -Hltn "sport = :$port" | grep -q LISTEN; then echo "port $port already in use" >&2; return 1; fi
  (cd "$STATE" && exec timeout "${MAXLIFE:-900}" "$@" >>"$STATE/$name.log" 2>&1) &
  echo $! >"$STATE/$name.pid"
  local pid; pid="$(cat "$STATE/$name.pid")"
  for _ in $(seq 1 150); do
    ss -Hltn "sport = :$port" | grep -q LISTEN && return 0
    kill -0 "$pid" 2>/dev/null || { echo "$name exited before listening on $port:" >&2; tail -5 "$STATE/$name.log" >&2; return 1; }
    sleep 0.1
  done
  echo "$name: port $port not listening after 15 s" >&2; return 1
}
bg_stop() {
  local pidf="$STATE/$1.pid" pid
  [ -f "$pidf" ] || return 0
  pid="$(cat "$pidf")"
  if kill -0 "$pid" 2>/dev/null && grep -q timeout "/proc/$pid/cmdline" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "$1 (pid $pid) still running after 12 s; sending KILL" >&2
      kill -KILL $(descendants "$pid" | sort -rn) 2>/dev/null || true
    fi
  fi
  rm -f "$pidf"
}
listen_pids() { descendants $(ss -Hltnp "sport = :$1" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u) | sort -u | tr '\n' ' '; }
