#!/usr/bin/env bash
# Stream benchmark (make bench-stream), against the local Kafka and PostgreSQL:
#  1. sustained rate: N events already in Kafka -> `pinpipe stream` until drained,
#     beside the baseline of a plain COPY of the same cleaned rows into PostgreSQL;
#  2. end-to-end latency at a fixed rate below saturation: the emulator posts R events/s
#     to `pinpipe api`, which stamps each with its ingest time on arrival; latency = the
#     row's insert time (clock_timestamp() in the committing transaction) minus that
#     ingest time; p50/p99 over the rows ingested after a warm-up (the first seconds
#     pay for first connections, statement plans and fetches; their worst latency is
#     printed apart).
# Env: BENCH_STREAM_EVENTS (100000), BENCH_STREAM_RATE (2000), BENCH_STREAM_SECONDS (15),
#      BENCH_STREAM_WARMUP (3, seconds posted at the rate before the measured ones).
set -euo pipefail
BUILD="${1:-build}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/ci/services/env.sh"
N="${BENCH_STREAM_EVENTS:-100000}"
RATE="${BENCH_STREAM_RATE:-2000}"
SECS="${BENCH_STREAM_SECONDS:-15}"
WARMUP="${BENCH_STREAM_WARMUP:-3}"
OUT="$ROOT/bench/out"
mkdir -p "$OUT"
bash "$ROOT/ci/services.sh" up kafka postgres >/dev/null
run="$(date +%s)"
schema="bench_stream_$run"
dsn="$PINPIPE_PG_DSN?options=-csearch_path%3D$schema"
psql "$PINPIPE_PG_DSN" -qc "CREATE SCHEMA $schema"
trap 'psql "$PINPIPE_PG_DSN" -qc "SET client_min_messages = warning" -c "DROP SCHEMA IF EXISTS $schema CASCADE"' EXIT
ms() { date +%s%3N; }

"$BUILD/pinpipe-emulate" --seed 9 --count "$N" --days 7 --out "$OUT/stream-events.jsonl" 2>/dev/null

# 1. sustained
topic="bench-stream-$run"
"$BUILD/pinpipe" produce --topic "$topic" --partitions 3 "$OUT/stream-events.jsonl" 2>/dev/null
t0=$(ms)
PINPIPE_PG_DSN="$dsn" "$BUILD/pinpipe" stream --topic "$topic" --group "g-$topic" --max-messages "$N" 2>"$OUT/stream.log"
t1=$(ms)
stream_rate=$(( N * 1000 / (t1 - t0) ))

"$BUILD/pinpipe" clean --no-summary --rejects /dev/null "$OUT/stream-events.jsonl" > "$OUT/stream-cleaned.jsonl"
psql "$dsn" -qc "CREATE TABLE copy_baseline (doc text)"
t0=$(ms)
psql "$dsn" -qc "\\copy copy_baseline FROM '$OUT/stream-cleaned.jsonl' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
t1=$(ms)
copy_rate=$(( N * 1000 / (t1 - t0 + 1) ))

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

echo "bench-stream: $N events, 3 partitions, one stream instance"
printf '  %-44s %10s events/s\n' "pinpipe stream (Kafka -> clean -> PostgreSQL)" "$stream_rate"
printf '  %-44s %10s rows/s\n' "baseline: plain COPY of the cleaned rows" "$copy_rate"
printf '  %-44s %10s\n' "stream / COPY" "$(echo "scale=2; $stream_rate / $copy_rate" | bc)"
echo "bench-stream: end-to-end latency at $RATE events/s through the API: ${WARMUP}s warm-up (worst: $warm_max ms), then ${SECS}s measured ($rows distinct pins)"
echo "  $(cat "$OUT/stream-lat-emulator.txt")"
printf '  %-44s %10s ms\n' "p50 (API request -> row inserted)" "$p50" "p99 (API request -> row inserted)" "$p99" \
  "p99 of every row, warm-up included" "$p99_all"
