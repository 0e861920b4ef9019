#!/usr/bin/env bash
# bench/oidc.sh: the OpenID provider figures of issue 3, for twofold and the two peers in
# ../shared/anchors (Glewlwyd, oidc-provider), measured one after the other in the same run
# the same way: wrk -t2 -c16, loopback, plain HTTP, BENCH_DURATION seconds per figure;
# twofold and Glewlwyd in BENCH_ROUNDS (3) alternating rounds, the verdicts on the medians.
#   client_credentials grants/s with a JWT access token signed ES256 and RS256,
#   discovery GETs/s, JWKS GETs/s, VmRSS of each server after its load.
# Called by bench/run (BENCH_ONLY=oidc runs only this part, after the build); it can also be
# run alone against an existing build/release. Everything listens on 127.0.0.1 on free ports;
# every load run is bounded by wrk -d and every peer script by timeout(1).
#
# The peers' own scripts do their setup (Debian packages for Glewlwyd, npm for oidc-provider)
# and measurement; this script only calls them and reads their output. Without
# ../shared/anchors the peers are skipped (said so on a line) and the targets fall back to the
# fixed figures of the issue.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH="$ROOT/bench"
# shellcheck source=bench/lib.sh
source "$BENCH/lib.sh"
cd "$ROOT"

DURATION=${BENCH_DURATION:-10}     # seconds per wrk run (all three servers)
CONNS=16
THREADS=2
QUIET_WAIT=${BENCH_QUIET_WAIT:-30}  # max seconds to wait for a quiet machine before each server
TWOFOLD=${TWOFOLD:-$ROOT/build/release/apps/twofold/twofold}
TWOFOLDD=${TWOFOLDD:-$ROOT/build/release/apps/twofoldd/twofoldd}
# npm packages of the oidc-provider peer are kept between runs here (not in the repo).
OP_WORK=${BENCH_OP_WORK:-/tmp/twofold-bench-oidc-provider}
[[ -x "$TWOFOLD" && -x "$TWOFOLDD" ]] || die "no release build; run bench/run (BENCH_ONLY=oidc)"
command -v wrk >/dev/null || die "wrk not found (apt-get install wrk)"

ANCHORS=
[[ -d "$ROOT/../shared/anchors" ]] && ANCHORS=$(cd "$ROOT/../shared/anchors" && pwd)

HZ=$(getconf CLK_TCK)
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
child_ticks() { awk '{ print $16 + $17 }' "/proc/$$/stat"; }  # reaped children: wrk, curl
secs() { awk -v t="$1" -v hz="$HZ" 'BEGIN { printf "%.1f", t / hz }'; }
mib() { awk -v k="$1" 'BEGIN { if (k == "") print ""; else printf "%.1f", k / 1024 }'; }

# Waits (bounded) until the machine is under 10 % busy over 2 s; says how busy it was.
wait_quiet() {
  local waited=0 b0 b1 pct
  while :; do
    b0=$(busy_ticks); sleep 2; b1=$(busy_ticks)
    pct=$(((b1 - b0) * 100 / (2 * HZ * $(nproc))))
    ((pct < 10)) && break
    waited=$((waited + 2))
    if ((waited >= QUIET_WAIT)); then
      log "machine still ${pct}% busy after ${waited}s (other work); measuring anyway"
      break
    fi
  done
  QUIET_NOTE="${pct}% busy before start, waited ${waited}s"
}

TMP=$(mktemp -d /tmp/twofold-oidc-bench.XXXXXX)
PID=
stop_twofoldd() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  PID=
}
# A peer script killed by timeout(1) may leave its server behind: stop what listens on the
# peer's port if it is that peer (name checked), and nothing else.
stop_peer_on_port() {
  local port=$1 comm=$2 pid
  for pid in $(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
    if [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$comm" ]]; then
      log "stopping the $comm left on port $port (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
}
cleanup() {
  local rc=$?
  stop_twofoldd
  if [[ $rc -ne 0 && -f "$TMP/twofold/twofoldd.log" ]]; then
    echo "--- last twofoldd log lines:" >&2
    tail -n 20 "$TMP/twofold/twofoldd.log" "$TMP/twofold/twofoldd.out" >&2 2>/dev/null || true
  fi
  [[ -n "${GPORT:-}" ]] && stop_peer_on_port "$GPORT" glewlwyd
  [[ -n "${OPORT:-}" ]] && stop_peer_on_port "$OPORT" node
  rm -rf "$TMP"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------
# The RSA-2048 signing bound of this machine (the RS256 target; measured again in every round,
# below) and, for context, P-256 and all cores signing at once.
CORES=$(nproc)
ROUNDS=${BENCH_ROUNDS:-3}
rsa_speed() { openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ { print $6 }' | cut -d. -f1; }
log "openssl speed -seconds 3 ecdsap256, -multi $CORES rsa2048"
EC_SIGN=$(openssl speed -seconds 3 ecdsap256 2>/dev/null | awk '/ecdsa \(nistp256\)/ { print $(NF - 1) }')
# vCPUs that share a physical core, or a shared host, do not add up to cores × one core.
RSA_MULTI=$(openssl speed -seconds 3 -multi "$CORES" rsa2048 2>/dev/null |
  awk '/^rsa 2048 bits/ { v = $6 } END { print v }')
# The median of a list of numbers (integer), empty for an empty list.
median() {
  printf '%s\n' "$@" | awk 'NF' | sort -n |
    awk '{ a[NR] = $1 } END { if (NR % 2) printf "%d", a[(NR + 1) / 2]; else if (NR) printf "%d", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# ---------------------------------------------------------------------------------------
# twofold
log "twofold: throwaway server in $TMP/twofold"
read -r P1 P2 < <(free_ports 2)
DIR="$TMP/twofold"
"$TWOFOLD" setup --quick --dir "$DIR" --https-port "$P1" --http-port "$P2" >/dev/null
sed -i -e '/^\[log\]/,/^\[/ s/^file = .*/file = "twofoldd.log"/' "$DIR/twofold.toml"
CONF="$DIR/twofold.toml"

# add_client NAME ALG: prints "client_id client_secret"
add_client() {
  local out id secret
  out=$("$TWOFOLD" --config "$CONF" client add "$1" --grant client_credentials \
    --access-token-alg "$2" --audience urn:bench:api)
  id=$(sed -n 's/^client_id: //p' <<<"$out")
  secret=$(sed -n 's/^client_secret: //p' <<<"$out")
  [[ -n "$id" && -n "$secret" ]] || die "client add $1 printed no id/secret: $out"
  echo "$id $secret"
}
CL=$(add_client bench-es256 ES256)
read -r ES_ID ES_SECRET <<<"$CL"
CL=$(add_client bench-rs256 RS256)
read -r RS_ID RS_SECRET <<<"$CL"
ES_B64=$(printf '%s:%s' "$ES_ID" "$ES_SECRET" | base64 -w0)
RS_B64=$(printf '%s:%s' "$RS_ID" "$RS_SECRET" | base64 -w0)

wait_quiet
TF_QUIET=$QUIET_NOTE
log "twofold: starting twofoldd (https $P1, http $P2)"
"$TWOFOLDD" --config "$CONF" >"$DIR/twofoldd.out" 2>&1 &
PID=$!
for i in $(seq 100); do
  kill -0 "$PID" 2>/dev/null || die "twofoldd exited at start"
  curl -sf -o /dev/null "http://127.0.0.1:$P2/healthz" && break
  [[ $i -lt 100 ]] || die "twofoldd did not accept connections within 10 s"
  sleep 0.1
done
for p in "$P1" "$P2"; do
  ss -Hltnp "sport = :$p" | grep -q "pid=$PID," || die "port $p is not served by our twofoldd"
done
BASE="http://127.0.0.1:$P2"
kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$PID/status"; }
server_ticks() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }

# check_token B64 ALG: one grant; the access token must be a JWT with that alg and typ at+jwt.
check_token() {
  local answer
  answer=$(curl -s -H "Authorization: Basic $1" -d grant_type=client_credentials "$BASE/oidc/token")
  python3 - "$answer" "$2" <<'EOF' || die "bad token answer for $2: $answer"
import base64, json, sys
answer, alg = json.loads(sys.argv[1]), sys.argv[2]
part = answer["access_token"].split(".")
assert len(part) == 3, "not a JWS"
header = json.loads(base64.urlsafe_b64decode(part[0] + "=" * (-len(part[0]) % 4)))
claims = json.loads(base64.urlsafe_b64decode(part[1] + "=" * (-len(part[1]) % 4)))
assert header["alg"] == alg and header.get("typ", "").lower() in ("at+jwt", "application/at+jwt"), header
assert claims["aud"] == "urn:bench:api", claims
EOF
}
check_token "$ES_B64" ES256
check_token "$RS_B64" RS256
DISC_BYTES=$(curl -sf "$BASE/.well-known/openid-configuration" | wc -c)
JWKS_BYTES=$(curl -sf "$BASE/oidc/jwks" | wc -c)
JWKS_KEYS=$(curl -sf "$BASE/oidc/jwks" | jq '.keys | length')
sleep 1
TF_RSS_IDLE=$(kb VmRSS)

# tf_wrk KEY URL [BASIC_B64]: a 2 s warm-up and 2 s pause (as the Glewlwyd script does), then
# one measured run (token.lua when BASIC_B64 is given); dies on non-2xx answers or socket
# errors. Appends req/s to TF_<KEY>_L and µs of server CPU per request to TF_<KEY>_US_L;
# sets TF_<KEY>_NOTE (the last round's).
tf_wrk() {
  local key=$1 url=$2 s0 c0 b0 s1 c1 b1 out rps p50 p99 n
  local -a script=()
  [[ $# -ge 3 ]] && script=(-s "$BENCH/token.lua")
  wrk -t"$THREADS" -c"$CONNS" -d2s "${script[@]}" "$url" ${3:+-- "$3"} >/dev/null
  sleep 2
  s0=$(server_ticks); c0=$(child_ticks); b0=$(busy_ticks)
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 5s --latency "${script[@]}" "$url" \
    ${3:+-- "$3"})
  s1=$(server_ticks); c1=$(child_ticks); b1=$(busy_ticks)
  echo "$out" >"$TMP/wrk-$key.txt"
  grep -q 'Non-2xx' <<<"$out" && die "wrk saw non-2xx answers from twofold ($key): $out"
  grep -q 'Socket errors' <<<"$out" && die "wrk saw socket errors from twofold ($key): $out"
  rps=$(awk '/^Requests\/sec:/ { printf "%d", $2 }' <<<"$out")
  p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
  p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
  n=$(awk '/requests in/ { print $1 }' <<<"$out")
  local list="TF_${key}_L" us_list="TF_${key}_US_L"
  printf -v "$list" '%s %s' "${!list:-}" "$rps"
  printf -v "$us_list" '%s %s' "${!us_list:-}" \
    "$(awk -v t=$((s1 - s0)) -v hz="$HZ" -v n="$n" 'BEGIN { printf "%.0f", t / hz * 1e6 / n }')"
  printf -v "TF_${key}_NOTE" 'p50 %s p99 %s, server CPU %ss, wrk %ss, other %ss' "$p50" "$p99" \
    "$(secs $((s1 - s0)))" "$(secs $((c1 - c0)))" "$(secs $(((b1 - b0) - (s1 - s0) - (c1 - c0))))"
  sleep 2
}
# Glewlwyd: setup.sh once (apt packages on the first run, then a fresh SQLite instance in
# TMP); bench.sh once per round, restricted to the four figures (it waits for a quiet machine,
# starts a fresh server and warms up 2 s before each figure).
G_LIST=(ES RS DISC JWKS)
declare -A G_NAME=([ES]=cc_es256_plainsecret [RS]=cc_rs256_plainsecret [DISC]=discovery [JWKS]=jwks_rs256)
G_READY= G_RSS= G_NOTE="skipped" G_NON2XX=0 G_OTHER= G_VERSION=
if [[ -n "$ANCHORS" ]]; then
  read -r GPORT < <(free_ports 1)
  G_RUN="$TMP/glewlwyd"
  log "glewlwyd: setup.sh (port $GPORT)"
  if RUN="$G_RUN" PORT="$GPORT" timeout -k 10 900 "$ANCHORS/glewlwyd/setup.sh" \
      >"$TMP/glewlwyd-setup.log" 2>&1; then
    G_READY=1 G_NOTE=
  else
    log "glewlwyd: setup.sh failed: $(tail -n 3 "$TMP/glewlwyd-setup.log")"
    G_NOTE="setup failed"
  fi
fi
glewlwyd_round() {
  local r=$1 R="$G_RUN/results.txt" k
  log "glewlwyd: bench.sh round $r (4 figures, ${DURATION}s each)"
  RUN="$G_RUN" PORT="$GPORT" DUR="$DURATION" CONC="$CONNS" QUIET_WAIT="$QUIET_WAIT" \
    ONLY='^(cc_rs256_plainsecret|cc_es256_plainsecret|discovery|jwks_rs256)$' \
    timeout -k 10 $((QUIET_WAIT + 4 * (DURATION + 8) + 120)) "$ANCHORS/glewlwyd/bench.sh" \
    >"$TMP/glewlwyd-bench.log" 2>&1 || log "glewlwyd: bench.sh failed: $(tail -n 3 "$TMP/glewlwyd-bench.log")"
  stop_peer_on_port "$GPORT" glewlwyd
  [[ -f "$R" ]] || { G_NOTE+=" round $r: no results;"; return 0; }
  gv() { sed -n "s/^glewlwyd $1 .*\\b$2=\\([^ ]*\\).*/\\1/p" "$R" | head -n 1 | cut -d. -f1; }
  # server CPU µs per request, from the script's server_cpu_s and requests
  gus() { awk -v n="$1" '$1 == "glewlwyd" && $2 == n { for (i = 3; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
             if (f["requests"] > 0) printf "%.0f", f["server_cpu_s"] * 1e6 / f["requests"] }' "$R"; }
  local l u
  for k in "${G_LIST[@]}"; do
    l="G_${k}_L" u="G_${k}_US_L"
    printf -v "$l" '%s %s' "${!l:-}" "$(gv "${G_NAME[$k]}" req_s)"
    printf -v "$u" '%s %s' "${!u:-}" "$(gus "${G_NAME[$k]}")"
  done
  G_RSS=$(sed -n 's/^glewlwyd rss_after_load_kb=\([0-9]*\).*/\1/p' "$R")
  G_NON2XX=$((G_NON2XX + $(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^non2xx=/) { sub(/.*=/, "", $i); s += $i } } END { print s + 0 }' "$R")))
  G_OTHER+="$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^other_cpu_s=/) { sub(/.*=/, "", $i); printf "%s%s", sep, $i; sep = "/" } }' "$R") "
  G_VERSION=$(sed -n 's/^glewlwyd version=\([^ ]*\).*/\1/p' "$R")
}

# Rounds: this machine's speed drifts by ±15 % from minute to minute (a shared host), so one
# run per server decides nothing. twofold and Glewlwyd are measured in turn, ROUNDS times,
# each round after its own `openssl speed rsa2048`; the verdicts use the medians, and every
# round's figures are printed.
RSA_SIGN_L=
for r in $(seq "$ROUNDS"); do
  log "round $r of $ROUNDS: openssl speed -seconds 3 rsa2048 (one core)"
  RSA_SIGN_L+=" $(rsa_speed)"
  log "twofold: round $r: client_credentials ES256, RS256, discovery, JWKS (wrk -t$THREADS -c$CONNS -d${DURATION}s each)"
  tf_wrk ES "$BASE/oidc/token" "$ES_B64"
  tf_wrk RS "$BASE/oidc/token" "$RS_B64"
  tf_wrk DISC "$BASE/.well-known/openid-configuration"
  tf_wrk JWKS "$BASE/oidc/jwks"
  [[ -n "$G_READY" ]] && glewlwyd_round "$r"
  [[ $r -lt $ROUNDS ]] && wait_quiet
done
# shellcheck disable=SC2086  # the lists are words
RSA_SIGN=$(median $RSA_SIGN_L)
[[ -n "$RSA_SIGN" ]] || die "could not read openssl speed rsa2048"
RSA_BOUND=$(awk -v s="$RSA_SIGN" -v c="$CORES" 'BEGIN { printf "%d", s * c }')
RS256_TARGET=$(awk -v b="$RSA_BOUND" 'BEGIN { printf "%d", b * 0.8 }')
for k in ES RS DISC JWKS; do
  for side in TF G; do
    list="${side}_${k}_L" us_list="${side}_${k}_US_L"
    # shellcheck disable=SC2086
    printf -v "${side}_${k}" '%s' "$(median ${!list:-})"
    # shellcheck disable=SC2086
    printf -v "${side}_${k}_US" '%s' "$(median ${!us_list:-})"
  done
done
[[ -n "$G_READY" ]] && G_NOTE="glewlwyd $G_VERSION: non-2xx $G_NON2XX, other CPU ${G_OTHER% }s per run${G_NOTE:+;$G_NOTE}"

check_token "$ES_B64" ES256  # still answering correctly after the load
sleep 5  # as the Glewlwyd script does before its after-load figure
TF_RSS=$(kb VmRSS)
TF_HWM=$(kb VmHWM)
TF_THREADS=$(kb Threads)
stop_twofoldd

# ---------------------------------------------------------------------------------------
# oidc-provider: its own script, once per access-token alg, after the rounds.
O_ES= O_RS= O_DISC= O_JWKS= O_RSS= O_NOTE="skipped"
O_ES_US= O_RS_US= O_DISC_US= O_JWKS_US=
if [[ -z "$ANCHORS" ]]; then
  echo "peers: ../shared/anchors not found; Glewlwyd and oidc-provider skipped (targets from the issue)"
else
  # oidc-provider: bench.sh once per access-token alg (each run also measures discovery and
  # JWKS on a fresh provider; both are shown, the mean is compared).
  read -r OPORT < <(free_ports 1)
  O_NOTE="oidc-provider"
  OP_RSS_LIST=() OP_DISC_LIST=() OP_JWKS_LIST=() OP_DISC_US=() OP_JWKS_US=()
  for alg in ES256 RS256; do
    wait_quiet
    log "oidc-provider: bench.sh AT_ALG=$alg (port $OPORT; npm install into $OP_WORK on the first run)"
    out="$TMP/op-$alg"
    if WORK="$OP_WORK" PORT="$OPORT" AT_ALG="$alg" AT_FORMAT=jwt CONNS="$CONNS" THREADS="$THREADS" \
        DURATION="${DURATION}s" OUTDIR="$out" \
        timeout -k 10 $((3 * (DURATION + 4) + 300)) "$ANCHORS/oidc-provider/bench.sh" \
        >"$TMP/op-$alg.log" 2>&1; then
      L="$TMP/op-$alg.log"
      ov() { awk -v n="$1" -v c="$2" '$1 == n { print $c }' "$L" | cut -d. -f1; }
      tok=$(ov token_client_credentials 2)
      if [[ $alg == ES256 ]]; then
        O_ES=$tok O_ES_US=$(ov token_client_credentials 7)
      else
        O_RS=$tok O_RS_US=$(ov token_client_credentials 7)
      fi
      OP_DISC_LIST+=("$(ov discovery_GET 2)")
      OP_JWKS_LIST+=("$(ov jwks_GET 2)")
      OP_DISC_US+=("$(ov discovery_GET 7)")
      OP_JWKS_US+=("$(ov jwks_GET 7)")
      OP_RSS_LIST+=("$(sed -n 's/^RSS after load: \([0-9.]*\) MiB.*/\1/p' "$L")")
      non2xx=$(awk '$1 ~ /^(token_client_credentials|discovery_GET|jwks_GET)$/ { s += $6 } END { print s + 0 }' "$L")
      O_NOTE+=" $alg: non-2xx $non2xx, other CPU $(awk '$1 ~ /^(token_client_credentials|discovery_GET|jwks_GET)$/ { printf "%s%s", sep, $8; sep = "/" }' "$L");"
      [[ -z "${O_VERSION:-}" ]] && O_VERSION=$(head -n 1 "$L" | cut -d, -f1-2)
    else
      log "oidc-provider: bench.sh AT_ALG=$alg failed: $(tail -n 3 "$TMP/op-$alg.log")"
      O_NOTE+=" $alg: failed;"
    fi
    stop_peer_on_port "$OPORT" node
  done
  mean() { printf '%s\n' "$@" | awk 'NF { s += $1; n++ } END { if (n) printf "%d", s / n }'; }
  O_DISC=$(mean "${OP_DISC_LIST[@]}")
  O_JWKS=$(mean "${OP_JWKS_LIST[@]}")
  O_DISC_US=$(mean "${OP_DISC_US[@]}")
  O_JWKS_US=$(mean "${OP_JWKS_US[@]}")
  O_RSS=$(printf '%s\n' "${OP_RSS_LIST[@]}" | awk 'NF { if ($1 > m) m = $1 } END { if (m) print m * 1024 }')
  O_NOTE="${O_VERSION:-oidc-provider}:${O_NOTE#oidc-provider}"
  O_NOTE+=" discovery ${OP_DISC_LIST[*]:-}/s, JWKS ${OP_JWKS_LIST[*]:-}/s, RSS after load ${OP_RSS_LIST[*]:-} MiB (per run)"
fi

# ---------------------------------------------------------------------------------------
# Targets (issue 3): ES256 ≥ 3× the faster peer and ≥ 8,000/s; RS256 ≥ 80 % of the RSA
# signing bound; discovery and JWKS ≥ 2× Glewlwyd and ≥ 45,000/s; RSS ≤ Glewlwyd's.
max() { printf '%s\n' "$@" | awk 'NF { if ($1 > m) m = $1 } END { printf "%d", m }'; }
ES_TARGET=$(max 8000 "$((3 * $(max 0 "$G_ES" "$O_ES")))")
DISC_TARGET=$(max 45000 "$((2 * ${G_DISC:-0}))")
JWKS_TARGET=$(max 45000 "$((2 * ${G_JWKS:-0}))")
if [[ -n "$G_RSS" ]]; then
  RSS_TARGET=$(mib "$G_RSS") RSS_BASIS="Glewlwyd's, measured now"
else
  RSS_TARGET=23.2 RSS_BASIS="Glewlwyd's 23.2 MiB from the anchor README (peer not measured)"
fi
# Every round's req/s (the medians above decide).
rounds_line() {
  local tf="TF_${1}_L" g="G_${1}_L" line
  line="       rounds: twofold $(tr -s ' ' / <<<"${!tf# }")/s"
  [[ -n "${!g// /}" ]] && line+=", glewlwyd $(tr -s ' ' / <<<"${!g# }")/s"
  echo "$line"
}
# Server CPU per request: independent of how much of the machine other work took.
cpu_line() { echo "       server CPU per request: twofold ${1:-n/a} µs, glewlwyd ${2:-n/a} µs, oidc-provider ${3:-n/a} µs"; }
peers() { echo "glewlwyd ${1:-n/a}${3:-}  oidc-provider ${2:-n/a}${3:-}"; }

echo
echo "OpenID provider, side by side — wrk -t$THREADS -c$CONNS -d${DURATION}s each, plain HTTP on 127.0.0.1, servers one after the other; twofold and Glewlwyd in $ROUNDS alternating rounds (medians), oidc-provider once per alg"
echo "twofold $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') (release build $(date -u -r "$TWOFOLDD" +%FT%TZ)), $CORES cores, $(date -u +%FT%TZ); load average now $(cut -d' ' -f1-3 /proc/loadavg)"
echo "openssl speed: RSA-2048 sign ${RSA_SIGN}/s per core (median of $(tr -s ' ' / <<<"${RSA_SIGN_L# }")) × $CORES cores = bound ${RSA_BOUND}/s (80 %: $RS256_TARGET/s); ECDSA P-256 sign ${EC_SIGN}/s per core"
result "(o1) client_credentials grants/s, ES256 JWT access token" "$TF_ES" "/s" ">=" "$ES_TARGET" "$(peers "$G_ES" "$O_ES")"
rounds_line ES
cpu_line "$TF_ES_US" "$G_ES_US" "$O_ES_US"
echo "       (twofold: $TF_ES_NOTE)"
result "(o2) client_credentials grants/s, RS256 JWT access token" "$TF_RS" "/s" ">=" "$RS256_TARGET" "$(peers "$G_RS" "$O_RS")"
[[ -n "$RSA_MULTI" && -n "$TF_RS" ]] &&
  echo "       (openssl speed -multi $CORES rsa2048: ${RSA_MULTI} signs/s with all cores at once; twofold RS256 = $(awk -v t="$TF_RS" -v m="$RSA_MULTI" 'BEGIN { printf "%d", 100 * t / m }') % of it)"
rounds_line RS
cpu_line "$TF_RS_US" "$G_RS_US" "$O_RS_US"
echo "       (twofold: $TF_RS_NOTE)"
result "(o3) discovery GETs/s" "$TF_DISC" "/s" ">=" "$DISC_TARGET" "$(peers "$G_DISC" "$O_DISC")"
rounds_line DISC
cpu_line "$TF_DISC_US" "$G_DISC_US" "$O_DISC_US"
echo "       (twofold: $TF_DISC_NOTE; document $DISC_BYTES bytes)"
result "(o4) JWKS GETs/s" "$TF_JWKS" "/s" ">=" "$JWKS_TARGET" "$(peers "$G_JWKS" "$O_JWKS")"
rounds_line JWKS
cpu_line "$TF_JWKS_US" "$G_JWKS_US" "$O_JWKS_US"
echo "       (twofold: $TF_JWKS_NOTE; $JWKS_KEYS keys, $JWKS_BYTES bytes; Glewlwyd's is its RS256 instance, 1 key; oidc-provider's has 2)"
result "(o5) server RSS after the load (VmRSS, 5 s idle)" "$(mib "$TF_RSS")" "MiB" "<=" "$RSS_TARGET" \
  "$(peers "$(mib "$G_RSS")" "$(mib "$O_RSS")" " MiB")"
echo "       (twofold: idle $(mib "$TF_RSS_IDLE") MiB, peak VmHWM $(mib "$TF_HWM") MiB, $TF_THREADS threads; target: $RSS_BASIS; oidc-provider: larger of its two runs, right after load)"
echo "       (twofold: $TF_QUIET; peers: $G_NOTE | $O_NOTE)"
echo "oidc part: $FAILED figure(s) below target"
[[ "${BENCH_STRICT:-0}" == 1 && $FAILED -gt 0 ]] && exit 1
exit 0
