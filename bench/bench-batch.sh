#!/usr/bin/env bash
# Batch benchmark (make bench-batch), against the local Kafka, S3 and Cassandra.
# Each measurement alternates with its baseline, RUNS times each (pinpipe, baseline,
# pinpipe, baseline, ...), and reports the min and the median of each and their ratio:
#  1. the lake writer: N events of one day already in Kafka -> `pinpipe lake` (a fresh
#     group and prefix each run) until all are stored, beside the baseline of plain
#     `pinpipe s3 put`s, one after the other, of the same objects: as `s3 put` sends
#     a file (UNSIGNED-PAYLOAD), and with PINPIPE_S3_SIGN_STREAMS=1 (the payload's
#     SHA-256 signed and checked by the server, as the lake's PUTs from memory are);
#  2. the batch: that day, lake -> clean -> Cassandra (`pinpipe batch --date`, a fresh
#     keyspace each run), with its phases (S3 read + parse, clean, Cassandra writes)
#     from its summary line, beside two baselines through the same CQL client and
#     writer at the same concurrency, each into a fresh keyspace too: the same number
#     of plain single-row INSERTs (each its own partition: Cassandra's write rate
#     here), and the batch's own pin writes alone (no lake, no cleaning); and the
#     node's CPU seconds (the Cassandra JVM's, /proc) of each of the three.
#  3. the sharded batch (docs/batch.md "Sharding"): the same day as 1 shard
#     (`--shard 0/1` + `--finalize 1`) and as 2 shards in parallel (`--shard 0/2` &
#     `--shard 1/2`, then `--finalize 2`), each into a fresh keyspace, wall time to the
#     end of the finalize; records/s = the day's records / that time.
#     Once each (not a target: the shards' gain on this machine).
# Env: BENCH_BATCH_EVENTS (500000), BENCH_BATCH_CATALOG (1000000: most events are
# distinct pins), BENCH_BATCH_CONCURRENCY (128), BENCH_BATCH_GROUP_ROWS (16),
# BENCH_BATCH_RUNS (3), BENCH_BATCH_PERF=1 (also profile the first batch run with
# perf: CPU by library), BENCH_BATCH_ONLY=lake (only 1., the lake pair: no Cassandra),
# BENCH_BATCH_LAKE_ARGS (extra flags for `pinpipe lake`, e.g. "--uploads 3").
set -euo pipefail
BUILD="${1:-build}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
. "$ROOT/ci/services/env.sh"
N="${BENCH_BATCH_EVENTS:-500000}"
CATALOG="${BENCH_BATCH_CATALOG:-1000000}"
CONC="${BENCH_BATCH_CONCURRENCY:-128}"
GROUP="${BENCH_BATCH_GROUP_ROWS:-16}"
RUNS="${BENCH_BATCH_RUNS:-3}"
DAY=2026-01-01
OUT="$ROOT/bench/out"
mkdir -p "$OUT"
rm -f "$OUT/batch.perf.data"
ONLY="${BENCH_BATCH_ONLY:-}"
case "$ONLY" in "" | lake) ;; *) echo "bench-batch: BENCH_BATCH_ONLY is lake or empty" >&2; exit 2 ;; esac
if [ "$ONLY" = lake ]; then
  bash "$ROOT/ci/services.sh" up kafka s3 >/dev/null
else
  bash "$ROOT/ci/services.sh" up kafka s3 cassandra >/dev/null
fi
read -r -a lake_args <<< "${BENCH_BATCH_LAKE_ARGS:-}"
run="$(date +%s)"
topic="bench-batch-$run"
prefix="bench-batch-$run/"
ks="bench_batch_$run"
drop_ks() { # no Cassandra when only the lake runs
  if [ "$ONLY" != lake ]; then "$BUILD/pinpipe" cql -e "DROP KEYSPACE IF EXISTS $1" >/dev/null 2>&1 || true; fi
}
cleanup() {
  for k in "$ks" "${ks}_s1" "${ks}_s2"; do drop_ks "$k"; done
  for ((r = 1; r <= RUNS; r++)); do for k in "${ks}_b$r" "${ks}_p$r" "${ks}_w$r"; do drop_ks "$k"; done; done
  "$BUILD/pinpipe" s3 ls "$prefix" 2>/dev/null | cut -f3- | while IFS= read -r k; do
    "$BUILD/pinpipe" s3 rm "$k" >/dev/null 2>&1 || true
  done
  rm -rf "$OUT/batch-objects" "$OUT/batch-events.jsonl" "$OUT/batch-cleaned.jsonl" # 300 MB each
}
trap cleanup EXIT
ms() { date +%s%3N; }
rate() { echo "$1 * 1000 / ($2 + 1)" | bc; } # rate COUNT MS
secs() { echo "scale=1; $1 / 1000" | bc; }   # secs MS
# min and median of numbers (one per line on stdin): "MIN MEDIAN"
min_med() { sort -n | awk '{v[NR] = $1} END {print v[1], v[int((NR + 1) / 2)]}'; }
ratio() { echo "scale=2; $1 / $2" | bc; }

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

# 1. the lake writer, alternating with the puts of the first run's objects
lake_ms=()
put_ms=()
sput_ms=()
lake_run() { # lake_run R: its objects under ${prefix}lakeR/
  local t0
  t0=$(ms)
  "$BUILD/pinpipe" lake --topic "$topic" --group "g-$topic-$1" --prefix "${prefix}lake$1/" --max-messages "$N" \
    "${lake_args[@]}" 2>"$OUT/batch-lake$1.log"
  lake_ms+=($(($(ms) - t0)))
}
put_run() { # put_run R: plain puts of the objects fetched below, unsigned then signed
  local t0 j
  t0=$(ms)
  for ((j = 0; j < nobj; j++)); do "$BUILD/pinpipe" s3 put "${prefix}put$1/$j" "$OUT/batch-objects/$j" >/dev/null; done
  put_ms+=($(($(ms) - t0)))
  t0=$(ms)
  for ((j = 0; j < nobj; j++)); do
    PINPIPE_S3_SIGN_STREAMS=1 "$BUILD/pinpipe" s3 put "${prefix}sput$1/$j" "$OUT/batch-objects/$j" >/dev/null
  done
  sput_ms+=($(($(ms) - t0)))
}
lake_run 1
mkdir -p "$OUT/batch-objects"
"$BUILD/pinpipe" s3 ls "${prefix}lake1/" | cut -f3- > "$OUT/batch-objects/keys"
nobj=$(wc -l < "$OUT/batch-objects/keys")
lake_bytes=0
i=0
while IFS= read -r k; do
  "$BUILD/pinpipe" s3 get "$k" "$OUT/batch-objects/$i"
  lake_bytes=$((lake_bytes + $(stat -c %s "$OUT/batch-objects/$i")))
  i=$((i + 1))
done < "$OUT/batch-objects/keys"
put_run 1
for ((r = 2; r <= RUNS; r++)); do
  lake_run "$r"
  put_run "$r"
done
read -r lake_min lake_med < <(printf '%s\n' "${lake_ms[@]}" | min_med)
read -r put_min put_med < <(printf '%s\n' "${put_ms[@]}" | min_med)
read -r sput_min sput_med < <(printf '%s\n' "${sput_ms[@]}" | min_med)
if [ "$ONLY" = lake ]; then
  echo "bench-batch (lake only): $N events of one day, 3 partitions, $nobj lake objects" \
    "($((lake_bytes / 1048576)) MiB); $RUNS runs of each, alternating; rates from the best (min) and the median time"
  printf '  %-50s %9s %9s\n' "" "best" "median"
  printf '  %-50s %9s %9s records/s\n' "pinpipe lake (Kafka -> S3)${lake_args[*]:+ ${lake_args[*]}}" \
    "$(rate "$N" "$lake_min")" "$(rate "$N" "$lake_med")"
  printf '  %-50s %9s %9s records/s\n' "baseline: plain s3 put of the same objects" "$(rate "$N" "$put_min")" \
    "$(rate "$N" "$put_med")"
  printf '  %-50s %9s %9s records/s\n' "baseline: the same puts, payload signed" "$(rate "$N" "$sput_min")" \
    "$(rate "$N" "$sput_med")"
  printf '  %-50s %9s %9s\n' "lake / plain puts" "$(ratio "$put_min" "$lake_min")" "$(ratio "$put_med" "$lake_med")"
  printf '  %-50s %9s %9s\n' "lake / signed puts" "$(ratio "$sput_min" "$lake_min")" \
    "$(ratio "$sput_med" "$lake_med")"
  echo "  (each run: lake ${lake_ms[*]} ms, puts ${put_ms[*]} ms, signed puts ${sput_ms[*]} ms)"
  exit 0
fi

# 2. the batch and its two Cassandra baselines, alternating; each into a fresh keyspace
"$BUILD/pinpipe" clean --no-summary --rejects /dev/null "$OUT/batch-events.jsonl" > "$OUT/batch-cleaned.jsonl"
avg=$(($(stat -c %s "$OUT/batch-cleaned.jsonl") / $(wc -l < "$OUT/batch-cleaned.jsonl")))
perf_cmd=()
if [ "${BENCH_BATCH_PERF:-0}" = 1 ] && command -v perf >/dev/null; then
  perf_cmd=(perf record -q -o "$OUT/batch.perf.data" --)
fi
batch_ms=()
plain_ms=()
pinw_ms=()
# the node's CPU (the Cassandra JVM's utime + stime, ms, from /proc) around each run: on
# a machine shared with other jobs it moves much less than wall time
node_pid=$(cat "$PINPIPE_SERVICES_DIR/cassandra/cassandra.pid" 2>/dev/null || true)
node_cpu() {
  if [ -n "$node_pid" ] && [ -r "/proc/$node_pid/stat" ]; then
    awk -v t="$(getconf CLK_TCK)" '{printf "%d", ($14 + $15) * 1000 / t}' "/proc/$node_pid/stat"
  else echo 0; fi
}
batch_cpu=()
plain_cpu=()
pinw_cpu=()
batch_run() { # batch_run R: its summary in batch-summaryR.txt
  local t0 t1 c0
  t0=$(ms)
  c0=$(node_cpu)
  "${perf_cmd[@]}" "$BUILD/pinpipe" batch --date "$DAY" --prefix "${prefix}lake1/" --keyspace "${ks}_b$1" \
    --topic "$topic" --lake-group "g-$topic-1" --concurrency "$CONC" --group-rows "$GROUP" \
    >"$OUT/batch-summary$1.txt" 2>"$OUT/batch$1.log" || { cat "$OUT/batch-summary$1.txt"; tail -5 "$OUT/batch$1.log"; exit 1; }
  t1=$(ms)
  batch_cpu+=($(($(node_cpu) - c0)))
  drop_ks "${ks}_b$1"
  batch_ms+=($((t1 - t0)))
}
baseline_ms() { # baseline_ms ARRAY ARGS...: appends batch_baseline's seconds, in ms, to ARRAY
  local -n into="$1"
  local out
  shift
  out=$("$BUILD/batch_baseline" "$@")
  into+=("$(echo "$out" | tr '=' ' ' | awk '{printf "%d", $4 * 1000}')")
}
for ((r = 1; r <= RUNS; r++)); do
  batch_run "$r"
  perf_cmd=() # the first run only
  if [ "$r" = 1 ]; then pins=$(grep -o ' pins_written=[0-9]*' "$OUT/batch-summary1.txt" | cut -d= -f2); fi
  c0=$(node_cpu)
  baseline_ms plain_ms plain "${ks}_p$r" "$pins" "$CONC" "$avg"
  plain_cpu+=($(($(node_cpu) - c0)))
  drop_ks "${ks}_p$r"
  c0=$(node_cpu)
  baseline_ms pinw_ms pins "${ks}_w$r" "$OUT/batch-cleaned.jsonl" "$CONC" "$GROUP" "$DAY"
  pinw_cpu+=($(($(node_cpu) - c0)))
  drop_ks "${ks}_w$r"
done
read -r batch_min batch_med < <(printf '%s\n' "${batch_ms[@]}" | min_med)
read -r plain_min plain_med < <(printf '%s\n' "${plain_ms[@]}" | min_med)
read -r pinw_min pinw_med < <(printf '%s\n' "${pinw_ms[@]}" | min_med)
# the phases of the batch run of median time
for ((r = 1; r <= RUNS; r++)); do [ "${batch_ms[r - 1]}" = "$batch_med" ] && med_run=$r; done
summary=$(cat "$OUT/batch-summary$med_run.txt")
field() { echo "$summary" | grep -o " $1=[0-9.]*" | cut -d= -f2; }

# 3. the sharded batch: 1 shard, then 2 in parallel, each + its finalize
sharded() { # sharded N KEYSPACE: prints the wall ms of N shards in parallel + the finalize
  local n="$1" k="$2" i t0 pids=()
  t0=$(ms)
  for ((i = 0; i < n; i++)); do
    "$BUILD/pinpipe" batch --date "$DAY" --shard "$i/$n" --prefix "${prefix}lake1/" --keyspace "$k" --topic "$topic" \
      --lake-group "g-$topic-1" --concurrency "$CONC" --group-rows "$GROUP" >"$OUT/batch-shard$i-$n.txt" \
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

row() { # row LABEL COUNT MIN_MS MED_MS UNIT [NOTE]
  printf '  %-50s %9s %9s %-9s (%s / %s s)%s\n' "$1" "$(rate "$2" "$3")" "$(rate "$2" "$4")" "$5" "$(secs "$3")" \
    "$(secs "$4")" "${6:+; $6}"
}
echo "bench-batch: $N events of one day ($pins distinct pins), 3 partitions, $nobj lake objects" \
  "($((lake_bytes / 1048576)) MiB); Cassandra: $CONC requests in flight, $GROUP rows per batch;" \
  "$RUNS runs of each, alternating; rates from the best (min) and the median time"
printf '  %-50s %9s %9s\n' "" "best" "median"
row "pinpipe lake (Kafka -> S3)" "$N" "$lake_min" "$lake_med" "records/s"
row "baseline: plain s3 put of the same objects" "$N" "$put_min" "$put_med" "records/s" \
  "$(rate $((lake_bytes / 1048576)) "$put_med") MiB/s"
row "baseline: the same puts, payload signed" "$N" "$sput_min" "$sput_med" "records/s" "PINPIPE_S3_SIGN_STREAMS=1"
printf '  %-50s %9s %9s\n' "lake / plain puts" "$(ratio "$put_min" "$lake_min")" "$(ratio "$put_med" "$lake_med")"
printf '  %-50s %9s %9s\n' "lake / signed puts" "$(ratio "$sput_min" "$lake_min")" "$(ratio "$sput_med" "$lake_med")"
row "pinpipe batch (S3 -> clean -> Cassandra)" "$pins" "$batch_min" "$batch_med" "pins/s" \
  "$(rate "$N" "$batch_med") records/s"
row "baseline: $pins plain INSERTs, one partition each" "$pins" "$plain_min" "$plain_med" "rows/s" "$avg B rows"
row "baseline: the batch's pin writes alone" "$pins" "$pinw_min" "$pinw_med" "rows/s" "no S3, no clean"
printf '  %-50s %9s %9s\n' "batch pins/s / plain INSERTs/s" "$(ratio "$plain_min" "$batch_min")" \
  "$(ratio "$plain_med" "$batch_med")"
echo "  (each run: lake ${lake_ms[*]} ms, puts ${put_ms[*]} ms, signed puts ${sput_ms[*]} ms; batch ${batch_ms[*]} ms, plain ${plain_ms[*]} ms," \
  "pin writes ${pinw_ms[*]} ms)"
cpu_row() { # cpu_row LABEL MS...: the min and median of the node CPU ms, in seconds
  local label="$1"
  shift
  printf '%s\n' "$@" | min_med | awk -v l="$label" '{printf "  %-50s %9.1f %9.1f\n", l, $1 / 1000, $2 / 1000}'
}
if [ "${batch_cpu[0]}" != 0 ]; then
  cpu_row "node CPU (Cassandra JVM), s: batch" "${batch_cpu[@]}"
  cpu_row "node CPU, s: plain INSERTs" "${plain_cpu[@]}"
  cpu_row "node CPU, s: the batch's pin writes alone" "${pinw_cpu[@]}"
fi
printf '  %-52s %9s records/s  (%s s)\n' "sharded: 1 shard + finalize" "$(rate "$N" "$s1_ms")" \
  "$(echo "scale=1; $s1_ms / 1000" | bc)"
printf '  %-52s %9s records/s  (%s s; shards read %s records)\n' "sharded: 2 shards in parallel + finalize" \
  "$(rate "$N" "$s2_ms")" "$(echo "scale=1; $s2_ms / 1000" | bc)" "$s2_recs"
printf '  %-52s %9s\n' "2 shards / 1 shard" "$(echo "scale=2; $s1_ms / $s2_ms" | bc)"
echo "  (2 shards of 3 partitions split 2:1, and share this machine's 2 cores with Cassandra:"
echo "   the gain is bounded by the CPU Cassandra needs for the writes, not by the shards)"
echo "bench-batch: where the time of the median batch run goes (its summary line; the"
echo "  phases overlap only in that Cassandra answers while the next records are cleaned):"
printf '  %-24s %8s s\n' "total" "$(field seconds)" "S3 read + parse + spool" "$(field read_s)" \
  "clean + dedup + metrics" "$(field clean_s)" "Cassandra writes (wait)" "$(field write_s)"
if [ "${BENCH_BATCH_PERF:-0}" = 1 ] && [ -f "$OUT/batch.perf.data" ]; then
  echo "bench-batch: CPU of the first batch run's process by library (perf):"
  perf report -i "$OUT/batch.perf.data" --no-children --sort dso --stdio 2>/dev/null | grep '%' | awk 'NR <= 8' |
    sed 's/^/  /'
fi
