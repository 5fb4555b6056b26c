#!/usr/bin/env bash
# shellcheck disable=SC2154 # SECS_* are set by eval, one per command
# Cleaning throughput: records/s of `pinpipe clean` (parse + clean + serialise) on
# one core over N emulator records, beside baselines measured in the same run on
# the same file: `cat` (the I/O limit) and `jq -c .` (parse + serialise only).
# Usage: bench/bench-clean.sh [BUILD] (env BENCH_RECORDS, default 1000000)
set -euo pipefail
BUILD="${1:-build}"
N="${BENCH_RECORDS:-1000000}"
OUT="bench/out"
mkdir -p "$OUT"
DATA="$OUT/clean-input-$N.jsonl" # all valid JSON, so jq can read it as the baseline

if [ ! -s "$DATA" ]; then
  echo "bench-clean: generating $N emulator records into $DATA"
  "$BUILD/pinpipe-emulate" --seed 42 --count "$N" --days 7 --out "$DATA"
fi
BYTES=$(stat -c %s "$DATA")

# run NAME CMD...: wall seconds and peak RSS (KiB) of CMD, pinned to one core.
run() {
  local name="$1"; shift
  local tfile; tfile=$(mktemp)
  /usr/bin/time -f '%e %M' -o "$tfile" taskset -c 0 "$@" < "$DATA" > /dev/null 2>"$OUT/$name.stderr" || {
    echo "bench-clean: $name failed:"; tail -5 "$OUT/$name.stderr"; exit 1; }
  read -r secs rss < "$tfile"
  rm -f "$tfile"
  printf '%-16s %8.2f s %12.0f rec/s %8.1f MiB/s %8d KiB peak RSS\n' "$name" "$secs" \
    "$(echo "$N / ($secs + 0.0001)" | bc -l)" "$(echo "$BYTES / 1048576 / ($secs + 0.0001)" | bc -l)" "$rss"
  eval "SECS_${name//-/_}=$secs"
}

echo "bench-clean: $N records, $((BYTES / 1048576)) MiB, one core (taskset -c 0)"
run cat cat
run jq-c jq -c .
run pinpipe-clean "$BUILD/pinpipe" clean --no-summary --rejects /dev/null -
echo
printf 'pinpipe clean vs cat:   %.2fx the time of plain I/O\n' "$(echo "$SECS_pinpipe_clean / ($SECS_cat + 0.0001)" | bc -l)"
printf 'pinpipe clean vs jq -c: %.2fx faster than parse+serialise in jq\n' "$(echo "$SECS_jq_c / ($SECS_pinpipe_clean + 0.0001)" | bc -l)"
