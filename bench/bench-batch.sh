#!/usr/bin/env bash
# Batch benchmark (make bench-batch), against the local Kafka, S3 and Cassandra:
#  1. the lake writer: N events of one day already in Kafka -> `pinpipe lake` until
#     all are stored, beside the baseline of plain `pinpipe s3 put`s of the same objects;
#  2. the batch: that day, lake -> clean -> Cassandra (`pinpipe batch --date`), with
#     its phases (S3 read + parse, clean, Cassandra writes) from its summary line,
#     beside two baselines through the same CQL client and writer at the same
#     concurrency: the same number of plain single-row INSERTs (each its own
#     partition: Cassandra's write rate here), and the batch's own pin writes alone
#     (no lake, no cleaning).
#  3. the sharded batch (docs/batch.md "Sharding"): the same day as 1 shard
#     (`--shard 0/1` + `--finalize 1`) and as 2 shards in parallel (`--shard 0/2` &
#     `--shard 1/2`, then `--finalize 2`), each into a fresh keyspace, wall time to the
#     end of the finalize; records/s = the day's records / that time.
# Env: BENCH_BATCH_EVENTS (500000), BENCH_BATCH_CATALOG (1000000: most events are
# distinct pins), BENCH_BATCH_CONCURRENCY (128), BENCH_BATCH_GROUP_ROWS (16),
# BENCH_BATCH_PERF=1 (also profile the batch with perf: CPU by library).
set -euo pipefail
BUILD="${1:-build}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
. "$ROOT/ci/services/env.sh"
N="${BENCH_BATCH_EVENTS:-500000}"
CATALOG="${BENCH_BATCH_CATALOG:-1000000}"
CONC="${BENCH_BATCH_CONCURRENCY:-128}"
GROUP="${BENCH_BATCH_GROUP_ROWS:-16}"
DAY=2026-01-01
OUT="$ROOT/bench/out"
mkdir -p "$OUT"
bash "$ROOT/ci/services.sh" up kafka s3 cassandra >/dev/null
run="$(date +%s)"
topic="bench-batch-$run"
prefix="bench-batch-$run/"
ks="bench_batch_$run"
cleanup() {
  for k in "$ks" "${ks}_s1" "${ks}_s2"; do "$BUILD/pinpipe" cql -e "DROP KEYSPACE IF EXISTS $k" >/dev/null 2>&1 || true; done
  "$BUILD/pinpipe" s3 ls "$prefix" 2>/dev/null | cut -f3- | while IFS= read -r k; do
    "$BUILD/pinpipe" s3 rm "$k" >/dev/null 2>&1 || true
  done
  rm -rf "$OUT/batch-objects" "$OUT/batch-events.jsonl" "$OUT/batch-cleaned.jsonl" # 300 MB each
}
trap cleanup EXIT
ms() { date +%s%3N; }
rate() { echo "$1 * 1000 / ($2 + 1)" | bc; } # rate COUNT MS

# the baseline tool: bench/batch_baseline.c against the build's library, with the
# Makefile's libraries
pkgs=$(sed -n 's/^PKGS *:= *//p' "$ROOT/Makefile")
# shellcheck disable=SC2046,SC2086 # pkg-config output is a list of flags
"${CC:-cc}" -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Werror -I"$ROOT/src" \
  $(pkg-config --cflags $pkgs) "$ROOT/bench/batch_baseline.c" "$BUILD/libpinpipe.a" \
  $(pkg-config --libs $pkgs) -lpthread -lm -o "$BUILD/batch_baseline"

"$BUILD/pinpipe-emulate" --seed 9 --count "$N" --days 1 --start-date "$DAY" --catalog-size "$CATALOG" \
  --out "$OUT/batch-events.jsonl" --manifest "$OUT/batch-manifest.json" 2>/dev/null
"$BUILD/pinpipe" produce --topic "$topic" --partitions 3 --ingest-time "$DAY 00:00:00" "$OUT/batch-events.jsonl" \
  2>"$OUT/batch-produce.log"

# 1. the lake writer
t0=$(ms)
"$BUILD/pinpipe" lake --topic "$topic" --group "g-$topic" --prefix "$prefix" --max-messages "$N" 2>"$OUT/batch-lake.log"
t1=$(ms)
lake_ms=$((t1 - t0))
mkdir -p "$OUT/batch-objects"
"$BUILD/pinpipe" s3 ls "$prefix" | cut -f3- > "$OUT/batch-objects/keys"
nobj=$(wc -l < "$OUT/batch-objects/keys")
lake_bytes=0
i=0
while IFS= read -r k; do
  "$BUILD/pinpipe" s3 get "$k" "$OUT/batch-objects/$i"
  lake_bytes=$((lake_bytes + $(stat -c %s "$OUT/batch-objects/$i")))
  i=$((i + 1))
done < "$OUT/batch-objects/keys"
t0=$(ms)
for ((j = 0; j < nobj; j++)); do "$BUILD/pinpipe" s3 put "${prefix}put-baseline/$j" "$OUT/batch-objects/$j" >/dev/null; done
t1=$(ms)
put_ms=$((t1 - t0))

# 2. the batch
perf_cmd=()
if [ "${BENCH_BATCH_PERF:-0}" = 1 ] && command -v perf >/dev/null; then
  perf_cmd=(perf record -q -o "$OUT/batch.perf.data" --)
fi
t0=$(ms)
"${perf_cmd[@]}" "$BUILD/pinpipe" batch --date "$DAY" --prefix "$prefix" --keyspace "$ks" --topic "$topic" \
  --lake-group "g-$topic" --concurrency "$CONC" --group-rows "$GROUP" >"$OUT/batch-summary.txt" 2>"$OUT/batch.log" ||
  { cat "$OUT/batch-summary.txt"; tail -5 "$OUT/batch.log"; exit 1; }
t1=$(ms)
batch_ms=$((t1 - t0))
summary=$(cat "$OUT/batch-summary.txt")
field() { echo "$summary" | grep -o " $1=[0-9.]*" | cut -d= -f2; }
pins=$(field pins_written)

# 3. the sharded batch: 1 shard, then 2 in parallel, each + its finalize
sharded() { # sharded N KEYSPACE: prints the wall ms of N shards in parallel + the finalize
  local n="$1" k="$2" i t0 pids=()
  t0=$(ms)
  for ((i = 0; i < n; i++)); do
    "$BUILD/pinpipe" batch --date "$DAY" --shard "$i/$n" --prefix "$prefix" --keyspace "$k" --topic "$topic" \
      --lake-group "g-$topic" --concurrency "$CONC" --group-rows "$GROUP" >"$OUT/batch-shard$i-$n.txt" \
      2>"$OUT/batch-shard$i-$n.log" & pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || { tail -3 "$OUT"/batch-shard*-"$n".log >&2; exit 1; }; done
  "$BUILD/pinpipe" batch --date "$DAY" --finalize "$n" --keyspace "$k" >"$OUT/batch-final$n.txt" \
    2>"$OUT/batch-final$n.log" || { tail -3 "$OUT/batch-final$n.log" >&2; exit 1; }
  echo $(($(ms) - t0))
}
# the keyspaces first, so both runs pay the same (no schema creation inside the timing)
for k in "${ks}_s1" "${ks}_s2"; do
  "$BUILD/pinpipe" batch --print-schema --keyspace "$k" | "$BUILD/pinpipe" cql -f - >/dev/null
done
s1_ms=$(sharded 1 "${ks}_s1")
s2_ms=$(sharded 2 "${ks}_s2")
s2_recs=$(grep -ho ' records=[0-9]*' "$OUT"/batch-shard*-2.txt | cut -d= -f2 | paste -sd' ')

"$BUILD/pinpipe" clean --no-summary --rejects /dev/null "$OUT/batch-events.jsonl" > "$OUT/batch-cleaned.jsonl"
avg=$(($(stat -c %s "$OUT/batch-cleaned.jsonl") / $(wc -l < "$OUT/batch-cleaned.jsonl")))
read -r _ plain_secs plain_rate < <("$BUILD/batch_baseline" plain "$ks" "$pins" "$CONC" "$avg" | tr '=' ' ' |
  awk '{print $2, $4, $6}')
read -r _ pinw_secs pinw_rate < <("$BUILD/batch_baseline" pins "${ks}_pins" "$OUT/batch-cleaned.jsonl" "$CONC" \
  "$GROUP" "$DAY" | tr '=' ' ' | awk '{print $2, $4, $6}')
"$BUILD/pinpipe" cql -e "DROP KEYSPACE IF EXISTS ${ks}_pins" >/dev/null

echo "bench-batch: $N events of one day ($pins distinct pins), 3 partitions, $nobj lake objects" \
  "($((lake_bytes / 1048576)) MiB); Cassandra: $CONC requests in flight, $GROUP rows per batch"
printf '  %-52s %9s records/s  (%s s)\n' "pinpipe lake (Kafka -> S3)" "$(rate "$N" "$lake_ms")" \
  "$(echo "scale=1; $lake_ms / 1000" | bc)"
printf '  %-52s %9s records/s  (%s s, %s MiB/s)\n' "baseline: plain s3 put of the same objects" \
  "$(rate "$N" "$put_ms")" "$(echo "scale=1; $put_ms / 1000" | bc)" "$(rate $((lake_bytes / 1048576)) "$put_ms")"
printf '  %-52s %9s records/s  (%s s; %s pins/s)\n' "pinpipe batch (S3 -> clean -> Cassandra)" \
  "$(rate "$N" "$batch_ms")" "$(echo "scale=1; $batch_ms / 1000" | bc)" "$(rate "$pins" "$batch_ms")"
printf '  %-52s %9s rows/s     (%s s, %s B rows)\n' "baseline: $pins plain INSERTs, one partition each" \
  "$plain_rate" "$plain_secs" "$avg"
printf '  %-52s %9s rows/s     (%s s)\n' "baseline: the batch's pin writes alone (no S3, no clean)" \
  "$pinw_rate" "$pinw_secs"
printf '  %-52s %9s\n' "batch pins/s / plain INSERTs/s" "$(echo "scale=2; $(rate "$pins" "$batch_ms") / $plain_rate" | bc)"
printf '  %-52s %9s records/s  (%s s)\n' "sharded: 1 shard + finalize" "$(rate "$N" "$s1_ms")" \
  "$(echo "scale=1; $s1_ms / 1000" | bc)"
printf '  %-52s %9s records/s  (%s s; shards read %s records)\n' "sharded: 2 shards in parallel + finalize" \
  "$(rate "$N" "$s2_ms")" "$(echo "scale=1; $s2_ms / 1000" | bc)" "$s2_recs"
printf '  %-52s %9s\n' "2 shards / 1 shard" "$(echo "scale=2; $s1_ms / $s2_ms" | bc)"
echo "  (2 shards of 3 partitions split 2:1, and share this machine's 2 cores with Cassandra:"
echo "   the gain is bounded by the CPU Cassandra needs for the writes, not by the shards)"
echo "bench-batch: where the batch's time goes (its summary line; the phases overlap"
echo "  only in that Cassandra answers while the next records are cleaned):"
printf '  %-24s %8s s\n' "total" "$(field seconds)" "S3 read + parse + spool" "$(field read_s)" \
  "clean + dedup + metrics" "$(field clean_s)" "Cassandra writes (wait)" "$(field write_s)"
if ((${#perf_cmd[@]})); then
  echo "bench-batch: CPU of the batch process by library (perf):"
  perf report -i "$OUT/batch.perf.data" --no-children --sort dso --stdio 2>/dev/null | grep '%' | head -8 | sed 's/^/  /'
fi
