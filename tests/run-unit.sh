#!/usr/bin/env bash
# Run every unit-test binary of a build: bash tests/run-unit.sh BUILD   (make unit)
# Each $BUILD/tests/unit/test_* runs on its own (cmocka; no services needed), UNIT_JOBS
# of them at a time (default: the number of cores). A passing
# binary prints one line; a failing one prints its whole output. The last line is
#   unit: N passed, N failed        (N = binaries)
# Exit 0 only when every binary passed; no binary at all is a failure too.
# PINPIPE_TEST_TIMEOUT (seconds, default 300) bounds each binary.
# PINPIPE_UNIT_SKIP: binaries not to run (space-separated names; each shows as SKIP and
# is counted apart), for a build that cannot run them (make tsan says why).
set -uo pipefail

BUILD="${1:-build}"
dir="$BUILD/tests/unit"
timeout_s="${PINPIPE_TEST_TIMEOUT:-300}"

bins=()
skipped=0
for f in "$dir"/test_*; do
  { [ -f "$f" ] && [ -x "$f" ]; } || continue
  case " ${PINPIPE_UNIT_SKIP:-} " in
    *" $(basename "$f") "*) echo "SKIP $(basename "$f")  (PINPIPE_UNIT_SKIP)"; skipped=$((skipped + 1)); continue ;;
  esac
  bins+=("$f")
done
if ((${#bins[@]} == 0)); then
  echo "run-unit: no test binaries in $dir (build them: make BUILD=$BUILD unit)" >&2
  echo "unit: 0 passed, 0 failed"
  exit 1
fi

# UNIT_JOBS binaries at a time (default: the number of cores); the results are printed
# in name order once all are done.
jobs="${UNIT_JOBS:-$(nproc)}"
[[ "$jobs" =~ ^[1-9][0-9]?$ ]] || { echo "run-unit: UNIT_JOBS must be 1..99, not '$jobs'" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run_one() { # run_one BINARY: its output in $out/NAME.log, its exit status in $out/NAME.rc
  local name
  name=$(basename "$1")
  timeout --foreground -k 10 "$timeout_s" "$1" >"$out/$name.log" 2>&1
  echo $? >"$out/$name.rc"
}
running=0
for b in "${bins[@]}"; do
  if ((running >= jobs)); then
    wait -n
    running=$((running - 1))
  fi
  run_one "$b" &
  running=$((running + 1))
done
wait

passed=0 failed=0
for b in "${bins[@]}"; do
  name=$(basename "$b")
  rc=$(cat "$out/$name.rc")
  if ((rc == 0)); then
    passed=$((passed + 1))
    printf 'PASS %s  %s\n' "$name" "$(grep -E '^\[  PASSED  \]' "$out/$name.log" | tail -n 1 | sed 's/^\[  PASSED  \] *//')"
  else
    failed=$((failed + 1))
    cat "$out/$name.log"
    if ((rc == 124)); then why="timed out after ${timeout_s}s"; else why="exit $rc"; fi
    printf 'FAIL %s  (%s)\n' "$name" "$why"
  fi
done

if ((skipped)); then
  echo "unit: $passed passed, $failed failed, $skipped skipped"
else
  echo "unit: $passed passed, $failed failed"
fi
((failed == 0))
