#!/usr/bin/env bash
# Two `pinpipe` binaries' stream rates, alternating on the same events (to measure a
# change to the stream: A = before, B = after): N emulator events in a 3-partition
# topic, each run a fresh consumer group over emptied tables in one scratch schema,
# A, B, A, B, ... RUNS times each; prints every run's events/s, min and median of each,
# and B / A of the medians; and each run's CPU of the client and of its PostgreSQL
# backend (bench/stream_cpu.sh), which a loaded machine disturbs less than the wall time.
# Usage: bench/stream_ab.sh A B [BUILD]. Env: BENCH_STREAM_EVENTS (100000),
# BENCH_STREAM_RUNS (5).
set -euo pipefail
A="$1"
B="$2"
BUILD="${3:-build}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/ci/services/env.sh"
N="${BENCH_STREAM_EVENTS:-100000}"
RUNS="${BENCH_STREAM_RUNS:-5}"
OUT="$ROOT/bench/out"
mkdir -p "$OUT"
# shellcheck source=bench/stream_setup.sh
. "$ROOT/bench/stream_setup.sh"
stream_bench_setup ab "$A"
# shellcheck source=bench/stream_cpu.sh
. "$ROOT/bench/stream_cpu.sh"
declare -A rates=([A]="" [B]="") cpu=([A]="" [B]="")
for ((r = 1; r <= RUNS; r++)); do
  for side in A B; do
    bin="$A"
    [[ "$side" == B ]] && bin="$B"
    psql "$dsn" -qc "TRUNCATE pins, geo, users, metrics, rejects, stream_offsets"
    stream_cpu_run "$OUT/stream-ab-$side.log" env PINPIPE_PG_DSN="$dsn" "$bin" stream --topic "$topic" \
      --group "g-$topic-$side-$r" --max-messages "$N"
    rates[$side]+=" $((N * 1000 / STREAM_WALL_MS))"
    cpu[$side]+=" $STREAM_CLIENT_MS/$STREAM_BACKEND_MS"
  done
done
min_median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print v[1], (NR % 2 ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2))}'; }
# shellcheck disable=SC2086 # the runs' figures, split on purpose
read -r a_min a_med < <(min_median ${rates[A]})
# shellcheck disable=SC2086
read -r b_min b_med < <(min_median ${rates[B]})
echo "stream_ab: $N events, $RUNS alternating runs each (events/s)"
printf '  A %-40s min %7s median %7s  [%s ]\n' "$A" "$a_min" "$a_med" "${rates[A]}"
printf '  B %-40s min %7s median %7s  [%s ]\n' "$B" "$b_min" "$b_med" "${rates[B]}"
printf '  CPU ms, client/backend: A [%s ]  B [%s ]\n' "${cpu[A]}" "${cpu[B]}"
printf '  B / A (medians) %s, (mins) %s\n' "$(echo "scale=2; $b_med / $a_med" | bc)" \
  "$(echo "scale=2; $b_min / $a_min" | bc)"
