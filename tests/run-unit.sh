#!/usr/bin/env bash
# Run every unit-test binary of a build: bash tests/run-unit.sh BUILD   (make unit)
# Each $BUILD/tests/unit/test_* runs on its own (cmocka; no services needed). A passing
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

out=$(mktemp)
trap 'rm -f "$out"' EXIT
passed=0 failed=0
for b in "${bins[@]}"; do
  name=$(basename "$b")
  timeout --foreground -k 10 "$timeout_s" "$b" >"$out" 2>&1
  rc=$?
  if ((rc == 0)); then
    passed=$((passed + 1))
    printf 'PASS %s  %s\n' "$name" "$(grep -E '^\[  PASSED  \]' "$out" | tail -n 1 | sed 's/^\[  PASSED  \] *//')"
  else
    failed=$((failed + 1))
    cat "$out"
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
