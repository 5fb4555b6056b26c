#!/usr/bin/env bash
# Run libFuzzer targets, FUZZ_JOBS at a time (default: the number of cores):
#   bash tests/fuzz/run.sh BUILD SECONDS TARGET...      (make fuzz, make fuzz-smoke)
# Each BUILD/fuzz_TARGET runs SECONDS (nice -n 10), starting from the seeds in
# tests/fuzz/corpus/TARGET/ and the corpus earlier runs grew in BUILD/corpus/TARGET/
# (new inputs go there), with tests/fuzz/dict/TARGET.dict when there is one. Its log
# is BUILD/logs/TARGET.log; a crash, leak, timeout or failed property leaves the input
# in BUILD/artifacts/TARGET/ and this script prints it and how to replay it.
# One line per target, in the order given: execs, execs/s, cov, ft; exit 1 when any
# target failed. Each target still gets SECONDS; running them side by side only
# shortens the wall time.
set -euo pipefail

if (($# < 3)); then
  echo "usage: $0 BUILD SECONDS TARGET..." >&2
  exit 2
fi
build=$1 seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$build/logs"

jobs="${FUZZ_JOBS:-$(nproc)}"
[[ "$jobs" =~ ^[1-9][0-9]?$ ]] || { echo "run.sh: FUZZ_JOBS must be 1..99, not '$jobs'" >&2; exit 2; }
report=$(mktemp -d)
trap 'rm -rf "$report"' EXIT

# run_one TARGET: fuzz it; its summary goes to $report/TARGET.out, exit 1 if it failed
run_one() {
  local t=$1
  local bin="$build/fuzz_$t" corpus="$build/corpus/$t" artifacts="$build/artifacts/$t/" log="$build/logs/$t.log"
  mkdir -p "$corpus" "$artifacts"
  local args=(-max_total_time="$seconds" -timeout=25 -rss_limit_mb=2560 -print_final_stats=1
    -artifact_prefix="$artifacts")
  [ -f "$here/dict/$t.dict" ] && args+=(-dict="$here/dict/$t.dict")
  [ "$t" = api ] && args+=(-max_len=20000)
  local seeds=()
  [ -d "$here/corpus/$t" ] && seeds+=("$here/corpus/$t")
  local rc=0
  nice -n 10 "$bin" "${args[@]}" "$corpus" "${seeds[@]}" >"$log" 2>&1 || rc=$?
  local done_line execs rate cov repro
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' <<<"$done_line" || true)
  if ((rc == 0)); then
    printf 'fuzz %-10s ok    %s execs in %ss, %s/s, %s, corpus %s files\n' "$t" "${execs:-?}" "$seconds" \
      "${rate:-?}" "${cov:-cov: ?}" "$(find "$corpus" -type f | wc -l)" >"$report/$t.out"
    return 0
  fi
  repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
  {
    printf 'fuzz %-10s FAILED (exit %d) after %s execs; log %s\n' "$t" "$rc" "${execs:-?}" "$log"
    grep -E 'ERROR: |SUMMARY: |fuzz: property failed|^  ' "$log" | head -n 12 | sed 's/^/  | /'
    if [ -n "$repro" ]; then
      echo "  reproducer: $repro"
      echo "  replay:     $bin $repro"
    fi
  } >"$report/$t.out"
  return 1
}

failed=0
running=0
for t in "$@"; do
  if ((running >= jobs)); then
    wait -n || failed=1
    running=$((running - 1))
  fi
  run_one "$t" &
  running=$((running + 1))
done
while ((running > 0)); do
  wait -n || failed=1
  running=$((running - 1))
done
for t in "$@"; do cat "$report/$t.out"; done
exit "$failed"
