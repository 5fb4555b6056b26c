#!/usr/bin/env bash
# Specification: a topic that grows does not fool parity, and its new partitions are
# consumed promptly (issue 10, defect 7).
#  1. a 1-partition topic, events of one day, the lake writer and the stream consume
#     them; then, with both stopped, the topic grows to 3 partitions and more events
#     arrive (most in the new partitions): after a batch run, parity must not PASS —
#     acknowledged events are in neither store — but say INCOMPLETE (exit 5), naming
#     a partition, and --json must say the day is incomplete;
#  2. the lake writer and the stream restarted consume everything; the topic grows to
#     6 partitions WHILE they run and more events arrive: both pick the new partitions
#     up within a bounded wait (their metadata refresh, 10 s; librdkafka's default
#     would take 5 minutes);
#  3. after a new batch run, parity PASSes (exit 0).
# needs: kafka s3 cassandra postgres
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../ci/services/env.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
it_init parity_partitions_it
DAY=2026-01-01
INGEST="$DAY 00:00:00"
ADD="$BIN/tests/tools/kafka-add-partitions"
[ -x "$ADD" ] || it_fail "no $ADD (make all builds it)"

run="parity_parts_$RUN"
it_isolated_run "$run"
dsn="$PINPIPE_PG_DSN"

for i in 1 2 3; do
  "$BIN/pinpipe-emulate" --seed "$((40 + i))" --count 300 --days 1 --start-date "$DAY" --out "$TMP/events$i.jsonl" 2>/dev/null
done
produce() { "$BIN/pinpipe" produce --ingest-time "$INGEST" "$@" 2>>"$TMP/produce.log" || { cat "$TMP/produce.log"; it_fail "produce $*"; }; }

lake="" stream=""
start_paths() {
  "$BIN/pinpipe" lake --max-age-ms 500 2>>"$TMP/lake.log" & lake=$!
  "$BIN/pinpipe" stream 2>>"$TMP/stream.log" & stream=$!
  it_on_exit "kill $lake $stream 2>/dev/null"
}
stop_paths() {
  kill -TERM "$lake" "$stream"
  wait "$lake" || it_fail "lake writer exit status on SIGTERM"
  wait "$stream" || it_fail "stream exit status on SIGTERM"
}
# the high watermarks of partitions 0..N-1, summed
kafka_end() {
  local p args=()
  for ((p = 0; p < $1; p++)); do args+=(-t "$run:$p:-1"); done
  kcat -b "$PINPIPE_KAFKA_BROKERS" -Q "${args[@]}" | awk '{s += $NF} END {print s + 0}'
}
stream_at() { psql "$dsn" -qAt -c "SELECT coalesce(sum(next_offset), 0) FROM stream_offsets"; }
stream_parts() { psql "$dsn" -qAt -c "SELECT count(*) FROM stream_offsets WHERE next_offset > 0"; }
lake_at() { "$BIN/pinpipe" lake --print-committed | awk '$2 != "-" {s += $2} END {print s + 0}'; }
both_at() { [ "$(stream_at)" = "$1" ] && [ "$(lake_at)" = "$1" ]; }
batch() {
  "$BIN/pinpipe" batch --date "$DAY" >"$TMP/batch.txt" 2>"$TMP/batch.log" || { cat "$TMP/batch.log"; it_fail "batch"; }
}
parity() { # parity NAME: output to $TMP/NAME.txt, exit status to $TMP/NAME.rc
  set +e
  "$BIN/pinpipe" parity --date "$DAY" "${@:2}" >"$TMP/$1.txt" 2>&1
  echo $? >"$TMP/$1.rc"
  set -e
}

# ---- 1. the topic grows while nothing consumes it: parity says INCOMPLETE ----------------
produce --partitions 1 "$TMP/events1.jsonl"
start_paths
end1=$(kafka_end 1)
it_wait_until 120 both_at "$end1" || it_fail "the lake writer and the stream did not consume the first $end1 events"
stop_paths
"$ADD" "$run" 3 || it_fail "could not grow the topic to 3 partitions"
produce "$TMP/events2.jsonl"
end2=$(kafka_end 3)
[ "$end2" -gt "$end1" ] || it_fail "the second events did not reach Kafka"
batch
parity grown
parity grown_json --json
[ "$(cat "$TMP/grown.rc")" = 5 ] || { cat "$TMP/grown.txt"; it_fail "a grown, unconsumed topic: parity exit $(cat "$TMP/grown.rc"), not 5 (INCOMPLETE)"; }
grep -q "^parity: INCOMPLETE — 1 day(s) compared" "$TMP/grown.txt" || { cat "$TMP/grown.txt"; it_fail "no INCOMPLETE verdict"; }
grep -q "^INCOMPLETE  $DAY  partition [0-9]*: Kafka holds offsets up to [0-9]*, the batch and the stream read up to [0-9]*" \
  "$TMP/grown.txt" || { cat "$TMP/grown.txt"; it_fail "the INCOMPLETE line does not name a partition and its offsets"; }
jq -e '.verdict == "incomplete" and .days[0].status == "incomplete" and .days[0].complete == false' \
  "$TMP/grown_json.txt" >/dev/null || { cat "$TMP/grown_json.txt"; it_fail "--json does not say the day is incomplete"; }
it_ok "topic grown to 3 partitions, $((end2 - end1)) events unread: $(grep -m1 '^INCOMPLETE' "$TMP/grown.txt")"

# ---- 2. new partitions of a live topic are picked up promptly -----------------------------
start_paths
it_wait_until 120 both_at "$end2" || it_fail "after a restart, the paths did not consume all $end2 events"
"$ADD" "$run" 6 || it_fail "could not grow the topic to 6 partitions"
produce "$TMP/events3.jsonl"
end3=$(kafka_end 6)
# the bound: six metadata refreshes (10 s each) plus a rebalance; librdkafka's default
# refresh (5 minutes) would not make it
if ! it_wait_until 60 both_at "$end3"; then
  it_fail "partitions added to a live topic: not consumed within 60 s (stream at $(stream_at), lake at $(lake_at), Kafka at $end3)"
fi
[ "$(stream_parts)" = 6 ] || it_fail "the stream stored offsets for $(stream_parts) partitions, not 6"
it_ok "partitions 3..5 added while the paths ran: both consumed all $end3 events within the bound"
stop_paths

# ---- 3. everything consumed, a new batch run: PASS --------------------------------------
batch
parity caught_up
[ "$(cat "$TMP/caught_up.rc")" = 0 ] || { cat "$TMP/caught_up.txt"; it_fail "everything consumed: parity exit $(cat "$TMP/caught_up.rc"), not 0"; }
grep -q "^parity: PASS — 1 day(s) compared, 0 skipped, 0 incomplete" "$TMP/caught_up.txt" ||
  { cat "$TMP/caught_up.txt"; it_fail "no PASS verdict"; }
it_ok "every partition consumed by both paths: parity PASS ($(grep -m1 '^OK' "$TMP/caught_up.txt"))"
