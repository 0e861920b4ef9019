# bench/lib.sh: helpers shared by bench/run and bench/oidc.sh (sourced, not run).

log() { printf '== [%3ds] %s\n' "$SECONDS" "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# One line per figure: name, value, unit, ">=" or "<=", target, and optionally the peers'
# figures for the same measurement (printed after the verdict). Counts misses in FAILED.
FAILED=${FAILED:-0}
result() {
  local name=$1 value=$2 unit=$3 op=$4 target=$5 peers=${6:-} verdict
  if awk -v v="$value" -v t="$target" -v op="$op" \
      'BEGIN { exit !(v != "" && ((op == ">=" && v >= t) || (op == "<=" && v <= t))) }'; then
    verdict=OK
  else
    verdict=BELOW-TARGET
    FAILED=$((FAILED + 1))
  fi
  printf 'RESULT %-58s %10s %-6s (target %s %s %s)  %s%s\n' "$name" "${value:-n/a}" "$unit" "$op" \
    "$target" "$unit" "$verdict" "${peers:+  | $peers}"
}

# N free loopback ports: bind to port 0 and let the kernel choose. (Fixed ports can land on
# another server already running on the machine, and the bench would measure that one.)
free_ports() {
  python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))' "$1"
}
