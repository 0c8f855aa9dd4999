#!/usr/bin/env bash
# Uploads FILE through the GraphQL multipart API of a fresh seedhost server (started as `npm start`
# does) and samples the server's RSS every 50 ms. Prints one RESULT line: MB/s, baseline and peak
# RSS. Used by publish.sh; alone: bench/graphql-upload.sh FILE [PORT]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
FILE="${1:?usage: graphql-upload.sh FILE [PORT]}"; PORT="${2:-17082}"
SIZE="$(stat -c %s "$FILE")"
STATE="$(mktemp -d /tmp/seedhost-gqlup.XXXXXX)"
SPID=""; SAMPLER=""
cleanup() {
  [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null || true
  [ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null || true
  rm -rf "$STATE"
}
trap cleanup EXIT
(cd "$STATE" && exec env PORT="$PORT" HOST=127.0.0.1 DATA_DIR="$STATE/data" ADMIN_USERNAME=bench ADMIN_PASSWORD=bench-password LOG_LEVEL=warn \
  timeout 600 node ${SEEDHOST_NODE_ARGS---max-semi-space-size=2} "$ROOT/dist/server/main.js" >"$STATE/server.log" 2>&1) &
SPID=$!
for _ in $(seq 100); do ss -Hltn "sport = :$PORT" | grep -q LISTEN && break; sleep 0.1; done
NPID="$(ss -Hltnp "sport = :$PORT" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)"
URL="http://127.0.0.1:$PORT/graphql"
TOKEN="$(curl -s -X POST -H 'content-type: application/json' -d '{"query":"mutation { login(username:\"bench\", password:\"bench-password\") { token } }"}' "$URL" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).data.login.token))')"
sleep 1
BASE="$(awk '/VmRSS/{print $2}' /proc/$NPID/status)"
(while kill -0 "$NPID" 2>/dev/null; do awk '/VmRSS/{print $2}' /proc/$NPID/status 2>/dev/null; sleep 0.05; done >"$STATE/rss.txt") &
SAMPLER=$!
T0="$(date +%s.%N)"
OUT="$(curl -s "$URL" -H "Authorization: Bearer $TOKEN" -H 'apollo-require-preflight: true' \
  -F operations="{\"query\":\"mutation(\$f:[Upload!]!){ uploadTorrent(files:\$f, totalSize: $SIZE) { infoHash size } }\",\"variables\":{\"f\":[null]}}" \
  -F map='{"0":["variables.f.0"]}' -F "0=@$FILE;filename=$(basename "$FILE")")"
T1="$(date +%s.%N)"
sleep 0.3
kill "$SAMPLER" 2>/dev/null || true; SAMPLER=""
echo "$OUT" | grep -q '"infoHash"' || { echo "upload failed: $OUT" >&2; exit 1; }
PEAK="$(sort -n "$STATE/rss.txt" | tail -1)"
node -e 'const [size,t0,t1,base,peak]=process.argv.slice(1).map(Number);const s=t1-t0;
console.log(`RESULT graphql-upload ${(size/1e6/s).toFixed(0)} MB/s (${s.toFixed(2)} s), server RSS baseline ${(base/1024).toFixed(0)} MB, peak ${(peak/1024).toFixed(0)} MB during the upload (target < 150 MB: ${peak/1024 < 150 ? "met" : "NOT met"})`)' \
  "$SIZE" "$T0" "$T1" "$BASE" "$PEAK"
