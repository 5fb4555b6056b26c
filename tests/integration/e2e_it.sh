#!/usr/bin/env bash
# Specification of the whole pipeline, end to end, on the real services:
#  1. emulator -> HTTP API -> Kafka -> {lake writer -> S3 -> batch -> Cassandra,
#     stream -> PostgreSQL}: parity passes for every day, the pins in both stores
#     equal the emulator's manifest, and the metrics equal `pinpipe metrics` offline;
#  2. the same load while the lake writer and the stream job are killed with SIGKILL
#     at random moments and restarted: parity still passes, with the same metrics as
#     the clean run;
#  3. a cleaning rule broken in the stream only (the PINPIPE_DISABLE_RULES test switch)
#     makes parity fail, naming the metric and the key: the check can fail.
# needs: kafka s3 cassandra postgres
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../ci/services/env.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
it_init e2e_it
RANDOM=777
N=4000
API_PORT=$((20000 + $$ % 10000))
START_DAY=$(date -u -d '-2 days' +%F)
END_DAY=$(date -u +%F)
"$BIN/pinpipe-emulate" --seed 21 --count "$N" --days 3 --start-date "$START_DAY" --invalid-rate 0.01 \
  --out "$TMP/events.jsonl" --manifest "$TMP/manifest.json" 2>/dev/null

# scenario NAME FAULTS(0|1) [ENV...]: one isolated pipeline run; leaves $TMP/NAME.*
scenario() {
  local name=$1 faults=$2; shift 2
  local run="e2e_${name}_$RUN"
  export PINPIPE_TOPIC="$run" PINPIPE_LAKE_GROUP="$run-lake" PINPIPE_STREAM_GROUP="$run-stream"
  export PINPIPE_LAKE_PREFIX="it-$run/raw/" PINPIPE_CASSANDRA_KEYSPACE="$run"
  it_s3_prefix "$PINPIPE_LAKE_PREFIX"
  it_cql_keyspace "$run"
  local dsn
  dsn=$(it_pg_schema "$run")
  "$BIN/pinpipe" produce --partitions 3 /dev/null 2>/dev/null || it_fail "$name: topic"
  "$BIN/pinpipe" api --port "$API_PORT" 2>"$TMP/$name.api.log" &
  local api=$!
  it_on_exit "kill $api 2>/dev/null"
  it_wait_until 30 curl -sf -o /dev/null "http://127.0.0.1:$API_PORT/healthz" || it_fail "$name: API not healthy"
  local stream="" lake=""
  start_stream() { env PINPIPE_PG_DSN="$dsn" "$@" "$BIN/pinpipe" stream --instance-id s1 2>>"$TMP/$name.stream.log" & stream=$!; }
  # static membership (group.instance.id): a restarted member gets its partitions back at once
  start_lake() { "$BIN/pinpipe" lake --instance-id l1 --max-age-ms 1000 2>>"$TMP/$name.lake.log" & lake=$!; }
  start_stream "$@"
  start_lake
  "$BIN/pinpipe-emulate" --seed 21 --count "$N" --days 3 --start-date "$START_DAY" --invalid-rate 0.01 \
    --target "http://127.0.0.1:$API_PORT/pin/" --concurrency 8 --rate $((faults ? 800 : 0)) \
    > "$TMP/$name.emulator.txt" 2>/dev/null &
  local emu=$!
  if [ "$faults" = 1 ]; then
    for _ in 1 2 3; do
      sleep "0.$((RANDOM % 9 + 1))"
      kill -9 "$stream" "$lake" 2>/dev/null || true
      wait "$stream" "$lake" 2>/dev/null || true
      start_stream "$@"
      start_lake
    done
  fi
  wait "$emu" || it_fail "$name: the emulator reported failures: $(cat "$TMP/$name.emulator.txt")"
  grep -q " 0 failed" "$TMP/$name.emulator.txt" || it_fail "$name: $(cat "$TMP/$name.emulator.txt")"
  local hw
  hw=$(kcat -b "$PINPIPE_KAFKA_BROKERS" -Q -t "$run:0:-1" -t "$run:1:-1" -t "$run:2:-1" | awk '{s += $NF} END {print s}')
  it_wait_until 300 bash -c "[ \"\$(psql '$dsn' -qAt -c 'SELECT coalesce(sum(next_offset),0) FROM stream_offsets')\" = $hw ]" ||
    it_fail "$name: the stream did not consume all $hw messages"
  it_wait_until 300 bash -c "[ \"\$('$BIN/pinpipe' lake --print-committed | awk '{s += \$2} END {print s + 0}')\" = $hw ]" ||
    it_fail "$name: the lake writer did not commit all $hw messages"
  kill -TERM "$stream" "$lake"
  wait "$stream" || it_fail "$name: stream exit status on SIGTERM"
  wait "$lake" || it_fail "$name: lake writer exit status on SIGTERM"
  kill -TERM "$api"; wait "$api" || it_fail "$name: API exit status on SIGTERM"
  "$BIN/pinpipe" batch --from "$START_DAY" --to "$END_DAY" > "$TMP/$name.batch.txt" 2>"$TMP/$name.batch.log" ||
    { tail -20 "$TMP/$name.batch.log"; it_fail "$name: batch"; }
  set +e
  PINPIPE_PG_DSN="$dsn" "$BIN/pinpipe" parity --from "$START_DAY" --to "$END_DAY" > "$TMP/$name.parity.txt" 2>&1
  echo $? > "$TMP/$name.parity.rc"
  set -e
  it_metrics_pg "$dsn" > "$TMP/$name.metrics.txt"
  psql "$dsn" -qAt -c "SELECT count(*) FROM pins" > "$TMP/$name.pg_pins"
}

scenario clean 0
[ "$(cat "$TMP/clean.parity.rc")" = 0 ] || { cat "$TMP/clean.parity.txt"; it_fail "clean run: parity failed"; }
grep -q "^parity: PASS — 3 day(s) compared, 0 skipped" "$TMP/clean.parity.txt" ||
  { cat "$TMP/clean.parity.txt"; it_fail "clean run: not every day was compared"; }
[ "$(cat "$TMP/clean.pg_pins")" = "$(jq '.totals.distinct_pins' "$TMP/manifest.json")" ] ||
  it_fail "clean run: PostgreSQL has $(cat "$TMP/clean.pg_pins") pins, the manifest $(jq '.totals.distinct_pins' "$TMP/manifest.json")"
it_ok "clean run: parity passes on 3 days; pins equal the manifest ($(cat "$TMP/clean.pg_pins"))"
# The API rejects invalid events with 4xx, so Kafka holds only valid ones: offline
# metrics of the valid events equal the stream's, except for the ingest-time days.
grep -v rejected_events "$TMP/clean.metrics.txt" > "$TMP/clean.metrics.valid"
"$BIN/pinpipe" metrics "$TMP/events.jsonl" | jq -r '[.metric, .day, .key, .kind, (.value | tostring)] | join("|")' |
  grep -v rejected_events | LC_ALL=C sort > "$TMP/offline.metrics.valid"
diff "$TMP/offline.metrics.valid" "$TMP/clean.metrics.valid" > /dev/null ||
  it_fail "clean run: stream metrics differ from offline metrics of the same events"
it_ok "clean run: metrics equal pinpipe metrics run offline on the same events"

scenario faults 1
[ "$(cat "$TMP/faults.parity.rc")" = 0 ] || { cat "$TMP/faults.parity.txt"; it_fail "fault run: parity failed"; }
diff "$TMP/clean.metrics.txt" "$TMP/faults.metrics.txt" > /dev/null ||
  it_fail "fault run: metrics differ from the clean run"
it_ok "SIGKILLed lake writer and stream: parity passes with the clean run's metrics"

scenario broken 0 PINPIPE_DISABLE_RULES=title_placeholder
[ "$(cat "$TMP/broken.parity.rc")" = 1 ] || { cat "$TMP/broken.parity.txt"; it_fail "a broken rule: parity did not fail"; }
grep -q "^DIFF .* nulled_values .*key=title" "$TMP/broken.parity.txt" ||
  { cat "$TMP/broken.parity.txt"; it_fail "a broken rule: the difference does not name nulled_values/title"; }
it_ok "a rule broken in the stream only: parity fails and names $(grep -m1 '^DIFF' "$TMP/broken.parity.txt" | awk '{print $3, $4}')"
