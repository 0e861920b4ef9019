#!/usr/bin/env bash
# Runs every test: unit and integration tests of the sanitizer build, then the fuzzers.
# Prints one closing line "N passed, N failed" over all of them.
set -uo pipefail
asan_dir=$1
fuzz_dir=$2
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

summary() {  # parses ctest's "N% tests passed, F tests failed out of T"
  local log=$1
  local line total failed
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
  failed=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$line")
  echo "${total:-0} ${failed:-0}"
}

status=0
(cd "$asan_dir" && ctest --output-on-failure -j2 --timeout 900) 2>&1 | tee /tmp/twofold-ctest.log
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
(cd "$fuzz_dir" && ctest --output-on-failure) 2>&1 | tee /tmp/twofold-fuzz.log
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

read -r t1 f1 < <(summary /tmp/twofold-ctest.log)
read -r t2 f2 < <(summary /tmp/twofold-fuzz.log)
total=$((t1 + t2)); failed=$((f1 + f2))
[ "$total" -gt 0 ] || status=1
echo "tests: $((total - failed)) passed, $failed failed"
exit $status
