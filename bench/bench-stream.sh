#!/usr/bin/env bash
# Stream benchmark (make bench-stream), against the local Kafka and PostgreSQL:
#  1. sustained rate: N events already in Kafka -> `pinpipe stream` until drained,
#     beside two baselines, each made fair on batch size and settings (the same
#     PostgreSQL, one transaction per chunk as the stream commits one per micro-batch):
#     a. plain COPY (the target's figure): the cleaned rows as JSON text, BATCH rows a
#        transaction, into one text column without an index;
#     b. typed COPY: the very pins the stream stores (its columns, typed, one row per
#        (event_day, unique_id)), into a `pins` made by the stream's own migrations in a
#        scratch schema (same columns, constraints and indexes), in as many transactions
#        as the stream's full micro-batches (N / BATCH). What it leaves out is the
#        stream's own work: Kafka, cleaning, de-duplication, the join, metrics, rejects
#        and offsets. It is checked to store the same rows as the stream before any run
#        is timed.
#     RUNS alternating runs of each (stream, COPY, typed COPY, stream, ...; every stream
#     run a fresh consumer group over emptied tables); min and median of each, and the
#     ratios of the medians (the typed one as the stream's time over its own);
#  2. end-to-end latency at a fixed rate below saturation: the emulator posts R events/s
#     to `pinpipe api`, which stamps each with its ingest time on arrival; latency = the
#     row's insert time (clock_timestamp() in the committing transaction) minus that
#     ingest time; p50/p99 over the rows ingested after a warm-up (the first seconds
#     pay for first connections, statement plans and fetches; their worst latency is
#     printed apart).
# Env: BENCH_STREAM_EVENTS (100000), BENCH_STREAM_RUNS (3), BENCH_STREAM_RATE (2000),
#      BENCH_STREAM_SECONDS (15), BENCH_STREAM_WARMUP (3, seconds posted at the rate
#      before the measured ones), PINPIPE_STREAM_BATCH_MAX (5000: the stream's
#      micro-batch, and the baselines' chunk).
set -euo pipefail
BUILD="${1:-build}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/ci/services/env.sh"
N="${BENCH_STREAM_EVENTS:-100000}"
RUNS="${BENCH_STREAM_RUNS:-3}"
BATCH="${PINPIPE_STREAM_BATCH_MAX:-5000}"
RATE="${BENCH_STREAM_RATE:-2000}"
SECS="${BENCH_STREAM_SECONDS:-15}"
WARMUP="${BENCH_STREAM_WARMUP:-3}"
OUT="$ROOT/bench/out"
mkdir -p "$OUT"
ms() { date +%s%3N; }
# the schema, the events in their topic, the stream's tables (bench/stream_setup.sh)
# shellcheck source=bench/stream_setup.sh
. "$ROOT/bench/stream_setup.sh"
stream_bench_setup bench "$BUILD/pinpipe"

# 1. sustained
"$BUILD/pinpipe" clean --no-summary --rejects /dev/null "$OUT/stream-bench-events.jsonl" > "$OUT/stream-cleaned.jsonl"
rm -f "$OUT"/stream-chunk-*
split -l "$BATCH" -d -a 4 "$OUT/stream-cleaned.jsonl" "$OUT/stream-chunk-"
psql "$dsn" -qc "CREATE TABLE copy_baseline (doc text)"
# one psql session: per chunk BEGIN; \copy; COMMIT
for f in "$OUT"/stream-chunk-*; do
  printf 'BEGIN;\n\\copy copy_baseline FROM %s WITH (FORMAT csv, QUOTE E%s, DELIMITER E%s)\nCOMMIT;\n' \
    "'$f'" "'\\x01'" "'\\x02'"
done > "$OUT/stream-copy.sql"
# 1b. typed COPY: a scratch schema migrated by the stream itself (an empty topic: it
# creates its tables and finds nothing to read), filled with the pins one untimed
# stream run stored, in their insertion order
typed="${schema}_typed"
psql "$PINPIPE_PG_DSN" -qc "CREATE SCHEMA $typed"
trap 'psql "$PINPIPE_PG_DSN" -qc "SET client_min_messages = warning" -c "DROP SCHEMA IF EXISTS $schema, $typed CASCADE"' EXIT
PINPIPE_PG_DSN="$PINPIPE_PG_DSN?options=-csearch_path%3D$typed" "$BUILD/pinpipe" stream --topic "$topic-ddl" \
  --group "g-$topic-ddl" --exit-when-idle 1 2>"$OUT/stream.log"
PINPIPE_PG_DSN="$dsn" "$BUILD/pinpipe" stream --topic "$topic" --group "g-$topic-0" --max-messages "$N" 2>"$OUT/stream.log"
# the columns the stream COPYs: all but the one its table fills itself
cols=$(psql "$dsn" -qAt -c "SELECT string_agg(attname, ', ' ORDER BY attnum) FROM pg_attribute
  WHERE attrelid = 'pins'::regclass AND attnum > 0 AND NOT attisdropped AND attname <> 'stored_at'")
psql "$dsn" -qc "\\copy (SELECT $cols FROM pins ORDER BY stored_at, kafka_partition, kafka_offset) TO '$OUT/stream-typed.tsv'"
typed_rows=$(wc -l < "$OUT/stream-typed.tsv")
chunks=$(( (N + BATCH - 1) / BATCH ))
rm -f "$OUT"/stream-typed-chunk-*
split -l $(( (typed_rows + chunks - 1) / chunks )) -d -a 4 "$OUT/stream-typed.tsv" "$OUT/stream-typed-chunk-"
for f in "$OUT"/stream-typed-chunk-*; do
  printf 'BEGIN;\n\\copy %s.pins (%s) FROM %s\nCOMMIT;\n' "$typed" "$cols" "'$f'"
done > "$OUT/stream-typed-copy.sql"
psql "$dsn" -q -v ON_ERROR_STOP=1 -f "$OUT/stream-typed-copy.sql"
# the same rows as the stream's, both ways (stored_at aside)
diff_rows=$(psql "$dsn" -qAt -c "SELECT (SELECT count(*) FROM (SELECT $cols FROM pins EXCEPT ALL
  SELECT $cols FROM $typed.pins) a) + (SELECT count(*) FROM (SELECT $cols FROM $typed.pins EXCEPT ALL
  SELECT $cols FROM pins) b)")
if [[ "$diff_rows" != 0 ]]; then
  echo "bench-stream: the typed COPY baseline stores $diff_rows row(s) the stream does not (or the reverse)" >&2
  exit 1
fi
stream_rates=()
copy_rates=()
typed_rates=()
for ((r = 1; r <= RUNS; r++)); do
  psql "$dsn" -qc "TRUNCATE pins, metrics, rejects, stream_offsets"
  t0=$(ms)
  PINPIPE_PG_DSN="$dsn" "$BUILD/pinpipe" stream --topic "$topic" --group "g-$topic-$r" --max-messages "$N" \
    2>"$OUT/stream.log"
  t1=$(ms)
  stream_rates+=($(( N * 1000 / (t1 - t0) )))
  psql "$dsn" -qc "TRUNCATE copy_baseline"
  t0=$(ms)
  psql "$dsn" -q -v ON_ERROR_STOP=1 -f "$OUT/stream-copy.sql"
  t1=$(ms)
  copy_rates+=($(( N * 1000 / (t1 - t0 + 1) )))
  psql "$dsn" -qc "TRUNCATE $typed.pins"
  t0=$(ms)
  psql "$dsn" -q -v ON_ERROR_STOP=1 -f "$OUT/stream-typed-copy.sql"
  t1=$(ms)
  typed_rates+=($(( N * 1000 / (t1 - t0 + 1) )))
done
# min_median RATE...: "min median" of the numbers
min_median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print v[1], (NR % 2 ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2))}'; }
read -r stream_min stream_med < <(min_median "${stream_rates[@]}")
read -r copy_min copy_med < <(min_median "${copy_rates[@]}")
read -r typed_min typed_med < <(min_median "${typed_rates[@]}")

# 2. latency at a fixed rate
topic2="bench-stream-lat-$run"
psql "$dsn" -qc "TRUNCATE pins, metrics, rejects, stream_offsets"
"$BUILD/pinpipe" produce --topic "$topic2" --partitions 3 /dev/null 2>/dev/null
count=$(( RATE * (WARMUP + SECS) ))
# Through the API: it stamps the ingest time when the request arrives and answers after
# Kafka's acknowledgement, so the latency below covers API -> Kafka -> stream -> row.
api_port=$((20000 + $$ % 10000))
"$BUILD/pinpipe" api --port "$api_port" --topic "$topic2" 2>"$OUT/stream-lat-api.log" &
apid=$!
until curl -sf -o /dev/null "http://127.0.0.1:$api_port/healthz"; do sleep 0.2; done
PINPIPE_PG_DSN="$dsn" "$BUILD/pinpipe" stream --topic "$topic2" --group "g-$topic2" --exit-when-idle 5000 2>"$OUT/stream-lat.log" &
spid=$!
# the consumer has joined the group when it logs its assignment
until grep -q 'assigned' "$OUT/stream-lat.log"; do sleep 0.1; done
"$BUILD/pinpipe-emulate" --seed 10 --count "$count" --days 1 --start-date "$(date -u +%F)" \
  --target "http://127.0.0.1:$api_port/pin/" --rate "$RATE" --concurrency 16 > "$OUT/stream-lat-emulator.txt" 2>/dev/null
kill -TERM "$apid"; wait "$apid" || true
wait "$spid"
# percentiles over the rows ingested after the warm-up; the warm-up's worst and the p99
# of every row (warm-up included) apart, so nothing is hidden
read -r p50 p99 rows warm_max p99_all < <(psql "$dsn" -qAt -F' ' -c "WITH t AS (
    SELECT extract(epoch FROM stored_at - ingested_at) * 1000 AS ms,
           ingested_at >= (SELECT min(ingested_at) FROM pins) + interval '$WARMUP seconds' AS measured
    FROM pins)
  SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE measured)),
         round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) FILTER (WHERE measured)),
         count(*) FILTER (WHERE measured), coalesce(round(max(ms) FILTER (WHERE NOT measured)), 0),
         round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms))
  FROM t")

echo "bench-stream: $N events, 3 partitions, one stream instance, micro-batches of $BATCH;" \
  "$RUNS alternating runs each (min / median; every run's figure in brackets)"
printf '  %-52s %8s / %8s events/s  [%s]\n' "pinpipe stream (Kafka -> clean -> PostgreSQL)" "$stream_min" \
  "$stream_med" "${stream_rates[*]}"
printf '  %-52s %8s / %8s rows/s    [%s]\n' "baseline: COPY of the cleaned rows, $BATCH per txn" "$copy_min" \
  "$copy_med" "${copy_rates[*]}"
printf '  %-52s %8s / %8s events/s  [%s]\n' "baseline: typed COPY of the stream's $typed_rows pins" "$typed_min" \
  "$typed_med" "${typed_rates[*]}"
echo "    (into an indexed pins, $chunks txns; events/s: the $N events' pins stored per second)"
printf '  %-52s %8s\n' "stream / COPY (medians; the target's figure)" "$(echo "scale=2; $stream_med / $copy_med" | bc)" \
  "stream / typed COPY (medians)" "$(echo "scale=2; $stream_med / $typed_med" | bc)"
echo "bench-stream: end-to-end latency at $RATE events/s through the API: ${WARMUP}s warm-up (worst: $warm_max ms), then ${SECS}s measured ($rows distinct pins)"
echo "  $(cat "$OUT/stream-lat-emulator.txt")"
printf '  %-44s %10s ms\n' "p50 (API request -> row inserted)" "$p50" "p99 (API request -> row inserted)" "$p99" \
  "p99 of every row, warm-up included" "$p99_all"
