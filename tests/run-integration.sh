#!/usr/bin/env bash
# Integration tests against real services: bash tests/run-integration.sh BUILD
# (make integration).
#
#  1. Sources ci/services/env.sh (every PINPIPE_* setting; tests read them from there).
#  2. Brings up the services: all four and Trino (when Java 22+ is there; else it says so
#     loudly and Trino's tests are skipped) by default, or PINPIPE_IT_SERVICES="kafka postgres".
#     A service that is already running and answering is used and left running; the
#     ones this run starts are remembered.
#  3. Runs every $BUILD/tests/integration/*_it binary, every tests/integration/*_it.sh
#     script and, when tests/integration has test_*.py files, `python3 -m pytest -q
#     tests/integration` (counted as one entry). PINPIPE_BUILD (absolute) is exported
#     so scripts can find the build's binaries, and PINPIPE_IT_SERVICES (the services
#     brought up) so a test can skip what needs another one, and PINPIPE_IT_STARTED (the ones this run
#     started). A script with a line
#     `# needs: kafka s3` is skipped (SKIP, counted apart) unless all of those are up.
#     Scripts run PINPIPE_IT_JOBS at a time (default 2: they use their own topics,
#     groups, keyspaces, schemas and lake prefixes); one whose header has
#     `# alone: WHY` (it stops, freezes or restarts a shared service, or loads the
#     machine on purpose) runs afterwards with nothing beside it, and so do the C
#     client tests. Each result is printed when its test ends, with its seconds.
#  4. Stops the services it started (a trap: also on failure or Ctrl-C), unless
#     PINPIPE_KEEP_SERVICES=1. When another integration run is still using them (every
#     run holds a shared lock on .services/.integration.lock), the last run to finish
#     stops them instead.
# Last line: `integration: N passed, N failed`; exit 0 only if nothing failed.
# PINPIPE_IT_TIMEOUT (seconds, default 600) bounds each test.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${1:-build}"
case "$BUILD" in /*) ;; *) BUILD="$PWD/$BUILD" ;; esac
# shellcheck source=../ci/services/env.sh
. "$ROOT/ci/services/env.sh"
export PINPIPE_BUILD="$BUILD"
# Tests run one at a time, so the PostgreSQL client's real-restart test may restart the
# shared server (it comes back on the same port and data).
export PINPIPE_IT_PG_RESTART_CMD="${PINPIPE_IT_PG_RESTART_CMD:-bash '$ROOT/ci/services/postgres.sh' down >/dev/null && bash '$ROOT/ci/services/postgres.sh' up >/dev/null}"

# Trino (ad-hoc SQL) is in the default set when its Java (22+) is there; else its test
# is skipped, loudly.
default_services="postgres s3 kafka cassandra"
if [ -z "${PINPIPE_IT_SERVICES:-}" ]; then
  if bash "$ROOT/ci/services/trino.sh" java >/dev/null 2>&1; then
    default_services+=" trino"
  else
    echo "run-integration: ***** Trino NOT started: no Java 22+ at $PINPIPE_TRINO_JAVA_HOME; its tests are SKIPPED *****" >&2
    bash "$ROOT/ci/services/trino.sh" java >&2 || true
  fi
fi
# shellcheck disable=SC2206 # a space-separated list
services=(${PINPIPE_IT_SERVICES:-$default_services})
export PINPIPE_IT_SERVICES="${services[*]}"
timeout_s="${PINPIPE_IT_TIMEOUT:-600}"
jobs_max="${PINPIPE_IT_JOBS:-2}"
[[ "$jobs_max" =~ ^[1-9][0-9]?$ ]] || { echo "run-integration: PINPIPE_IT_JOBS must be 1..99, not '$jobs_max'" >&2; exit 2; }
started=()
passed=0 failed=0 skipped=0

mkdir -p "$PINPIPE_SERVICES_DIR"
lock="$PINPIPE_SERVICES_DIR/.integration.lock"
handoff="$PINPIPE_SERVICES_DIR/.integration.handoff"
exec 9>>"$lock"
flock -s 9  # shared: several runs may use the services at once

# Stop what this run started, unless another run still uses the services: then hand our
# services over (.integration.handoff) to the last run out, which stops them all.
cleanup() {
  local rc=$? i n stop=()
  trap - EXIT INT TERM
  exec 8>>"$PINPIPE_SERVICES_DIR/.integration.mutex"
  flock -x 8  # one run at a time decides
  flock -u 9
  if flock -x -n 9; then  # nobody else is using the services
    if [ -s "$handoff" ]; then mapfile -t stop <"$handoff"; fi
    rm -f "$handoff"
    stop+=("${started[@]}")
    if ((${#stop[@]})) && [ "${PINPIPE_KEEP_SERVICES:-0}" = 1 ]; then
      echo "run-integration: leaving ${stop[*]} running (PINPIPE_KEEP_SERVICES=1)"
    elif ((${#stop[@]})); then
      for ((i = ${#stop[@]} - 1; i >= 0; i--)); do
        n="${stop[i]}"
        case " ${stop[*]:i+1} " in *" $n "*) continue ;; esac  # listed twice
        bash "$ROOT/ci/services/$n.sh" down || echo "run-integration: could not stop $n" >&2
      done
    fi
  elif ((${#started[@]})); then
    printf '%s\n' "${started[@]}" >>"$handoff"
    echo "run-integration: another integration run is using the services; it will stop ${started[*]}"
  fi
  exec 9>&- 8>&-
  exit "$rc"
}
trap cleanup EXIT
on_signal() {
  local pid
  echo "run-integration: interrupted" >&2
  for pid in "${!running_name[@]}"; do
    kill -TERM "$pid" 2>/dev/null  # timeout(1) passes it on to the test
    wait "$pid" 2>/dev/null
    rm -f "${running_out[$pid]}"
  done
  exit 130
}
trap on_signal INT TERM

# 2. services
for n in "${services[@]}"; do
  script="$ROOT/ci/services/$n.sh"
  [ -f "$script" ] || { echo "run-integration: no service script $script" >&2; exit 1; }
  if bash "$script" status >/dev/null 2>&1; then
    echo "run-integration: $n already running; using it"
    continue
  fi
  started+=("$n")
  if ! bash "$script" up; then
    echo "run-integration: $n did not come up" >&2
    echo "integration: 0 passed, 1 failed"
    exit 1
  fi
done

# 3. tests
export PINPIPE_IT_STARTED="${started[*]}"  # a test that stops a service restores only the others

# report NAME RC SECONDS FILE: count and print one finished test (its output in full when
# it failed, else its last lines).
report() {
  local name="$1" rc="$2" secs="$3" file="$4" why
  echo "---- $name"
  if ((rc == 0)); then
    passed=$((passed + 1))
    tail -n 3 "$file"
    echo "PASS $name (${secs}s)"
  else
    failed=$((failed + 1))
    cat "$file"
    if ((rc == 124)); then why="timed out after ${timeout_s}s"; else why="exit $rc"; fi
    echo "FAIL $name ($why, ${secs}s)"
  fi
}

# Tests run in the background (a signal is seen at once), up to $jobs_max at a time for
# the ones that share the services peacefully; a test that stops, freezes or restarts a
# shared service, or measures the machine under load, says `# alone: WHY` in its header
# and runs with nothing beside it. The C client tests run alone too (pg_it restarts
# PostgreSQL).
declare -A running_name=() running_out=() running_start=()
start_test() {  # start_test NAME CMD...
  local name="$1" file
  shift
  file=$(mktemp)
  timeout -k 10 "$timeout_s" "$@" >"$file" 2>&1 &
  running_name[$!]="$name" running_out[$!]="$file" running_start[$!]=$SECONDS
}
finish_one() {  # wait for any running test, report it
  local pid rc
  wait -n -p pid "${!running_name[@]}"
  rc=$?
  report "${running_name[$pid]}" "$rc" "$((SECONDS - running_start[$pid]))" "${running_out[$pid]}"
  rm -f "${running_out[$pid]}"
  unset "running_name[$pid]" "running_out[$pid]" "running_start[$pid]"
}
finish_all() { while ((${#running_name[@]})); do finish_one; done; }
run_parallel() {  # run_parallel NAME CMD...
  while ((${#running_name[@]} >= jobs_max)); do finish_one; done
  start_test "$@"
}
run_alone() {  # run_alone NAME CMD...
  finish_all
  start_test "$@"
  finish_all
}

alone=()
for s in "$ROOT"/tests/integration/*_it.sh; do
  [ -f "$s" ] || continue
  missing="" needs=$(sed -n 's/^# needs://p' "$s" | sed -n 1p)
  for need in $needs; do
    case " ${services[*]} " in *" $need "*) ;; *) missing+=" $need" ;; esac
  done
  if [ -n "$missing" ]; then
    skipped=$((skipped + 1))
    echo "SKIP $(basename "$s") (needs$missing, not in PINPIPE_IT_SERVICES)"
    continue
  fi
  if grep -q '^# alone:' "$s"; then alone+=("$s"); else run_parallel "$(basename "$s")" bash "$s"; fi
done
for s in "${alone[@]}"; do run_alone "$(basename "$s")" bash "$s"; done
for b in "$BUILD"/tests/integration/*_it; do
  { [ -f "$b" ] && [ -x "$b" ]; } || continue
  run_alone "$(basename "$b")" "$b"
done
if compgen -G "$ROOT/tests/integration/test_*.py" >/dev/null; then
  run_alone "pytest tests/integration" python3 -m pytest -q "$ROOT/tests/integration"
fi

if ((skipped)); then
  echo "integration: $passed passed, $failed failed, $skipped skipped"
else
  echo "integration: $passed passed, $failed failed"
fi
((failed == 0 && passed > 0))
