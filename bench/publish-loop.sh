#!/usr/bin/env bash
# Publishing load for the "announces while a publish runs" part of bench/publish.sh (run by
# run-one.sh as DURING_CMD): publishes FILE again and again with the real command line, each time
# under a new name (so a new info_hash and a new stored copy), until the file $DURING_STOP exists;
# the publish running when it appears is finished. One line per publish:
#   PUBLISH {"i":1,"wall_s":..,"rss_kb":..,"user_s":..,"sys_s":..,"info_hash":"..","rc":0}
#   publish-loop.sh FILE DATA_DIR NAME_PREFIX [PIECE_LENGTH=1048576]
# Env: DURING_STOP (required), PUBLISH_TIMEOUT=300 (s per publish), SEEDHOST_APP (default: the checkout),
#   PUBLIC_URL (the running server's: `seedhost add` refuses to write another)
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
APP="${SEEDHOST_APP:-$ROOT}"   # the build to run (bench/common.sh snapshot_build)
FILE="${1:?file}"; DATA="${2:?data dir}"; PREFIX="${3:?name prefix}"; PL="${4:-1048576}"
STOP="${DURING_STOP:?set DURING_STOP}"
W="$(mktemp -d /tmp/seedhost-publoop.XXXXXX)"; trap 'rm -rf "$W"' EXIT
i=0
while [ ! -e "$STOP" ]; do
  i=$((i + 1))
  t0="$(date +%s.%N)"
  (cd "$W" && env DATA_DIR="$DATA" DATABASE_URL="sqlite:$DATA/seedhost.db" LOG_LEVEL=warn \
    timeout "${PUBLISH_TIMEOUT:-300}" /usr/bin/time -f 'TIME %e %M %U %S' -o "$W/time.txt" \
    node "$APP/bin/seedhost.js" add "$FILE" --name "$PREFIX-$i" --piece-length "$PL" >"$W/out.txt" 2>&1)
  rc=$?
  t1="$(date +%s.%N)"
  read -r _ _ rss user sys < <(grep '^TIME' "$W/time.txt" 2>/dev/null || echo "TIME 0 0 0 0")
  hash="$(tail -1 "$W/out.txt" | tr -d '\r')"
  [[ "$hash" =~ ^[0-9a-f]{40}$ ]] || { echo "publish $i failed (rc $rc): $(tail -3 "$W/out.txt" | tr '\n' ' ')"; hash=""; }
  printf 'PUBLISH {"i":%d,"wall_s":%s,"rss_kb":%s,"user_s":%s,"sys_s":%s,"info_hash":"%s","rc":%d}\n' \
    "$i" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')" "${rss:-0}" "${user:-0}" "${sys:-0}" "$hash" "$rc"
  [ "$rc" = 0 ] || exit "$rc"
done
