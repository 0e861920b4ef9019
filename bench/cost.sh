#!/usr/bin/env bash
# bench/cost.sh: CPU cost per request of the issue 3 OIDC figures as instruction counts
# (valgrind --tool=callgrind on the release twofoldd, every thread), which repeat from run to
# run on a busy machine where wall-clock req/s do not. Counts include the 10 s chores that
# happen to run meanwhile (a few instructions per request).
#   bench/cost.sh [N]   N requests per figure (default 2000), on 4 keep-alive connections
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
N=${1:-2000}
TWOFOLD=${TWOFOLD:-$ROOT/build/release/apps/twofold/twofold}
TWOFOLDD=${TWOFOLDD:-$ROOT/build/release/apps/twofoldd/twofoldd}
PY=/usr/bin/python3
command -v valgrind >/dev/null || die "valgrind not found (apt-get install valgrind)"
TMP=$(mktemp -d /tmp/twofold-cost.XXXXXX)
PID=
cleanup() {
  [[ -n "$PID" ]] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
read -r P1 P2 < <(free_ports 2)
"$TWOFOLD" setup --quick --dir "$TMP" --https-port "$P1" --http-port "$P2" >/dev/null
sed -i -e 's/^file = .*/file = "twofoldd.log"/' "$TMP/twofold.toml"
client() {
  local out
  out=$("$TWOFOLD" --config "$TMP/twofold.toml" client add "$1" --grant client_credentials \
    --access-token-alg "$2" --audience urn:bench:api)
  printf '%s:%s' "$(sed -n 's/^client_id: //p' <<<"$out")" \
    "$(sed -n 's/^client_secret: //p' <<<"$out")" | base64 -w0
}
ES=$(client bench-es256 ES256)
RS=$(client bench-rs256 RS256)
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$TMP/cg.%p" \
  "$TWOFOLDD" --config "$TMP/twofold.toml" >"$TMP/twofoldd.out" 2>&1 &
PID=$!
for i in $(seq 300); do
  curl -sf -o /dev/null "http://127.0.0.1:$P2/healthz" && break
  [[ $i -lt 300 ]] || die "twofoldd did not start: $(tail -5 "$TMP/twofoldd.out")"
  sleep 0.2
done
callgrind_control -i on "$PID" >/dev/null 2>&1
run() {  # NAME METHOD PATH [BASIC BODY]
  local name=$1 ir
  shift
  "$PY" "$ROOT/bench/cost.py" 127.0.0.1 "$P2" 50 4 "$@"  # warm-up
  callgrind_control -z "$PID" >/dev/null 2>&1
  "$PY" "$ROOT/bench/cost.py" 127.0.0.1 "$P2" "$N" 4 "$@"
  callgrind_control -d "$name" "$PID" >/dev/null 2>&1
  ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$(ls -t "$TMP"/cg.* | head -n 1)")
  printf 'COST %-10s %12d instructions/request (%d requests)\n' "$name" $((ir / N)) "$N"
  [[ -n "${KEEP:-}" ]] && cp "$(ls -t "$TMP"/cg.* | head -n 1)" "$KEEP.$name"
  return 0
}
run discovery GET /.well-known/openid-configuration
run jwks GET /oidc/jwks
run es256 POST /oidc/token "$ES" grant_type=client_credentials
run rs256 POST /oidc/token "$RS" grant_type=client_credentials
