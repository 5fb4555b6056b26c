#!/usr/bin/env bash
# Specification: no record stops a path, and a path that cannot move says so
# (issue 10, defect 1; docs/operations.md).
#  1. the API answers 422 to a timestamp past the event-time range
#     (9999-12-31T23:59:59-05:00 is 10000-01-01 in UTC), naming the field;
#  2. the same event produced straight to Kafka (as another producer could): the
#     stream stores it as a reject (invalid_timestamp, on its ingest day) and goes
#     on; the lake writer files it under its ingest day and commits past it;
#  3. a record PostgreSQL refuses for good (here: a CHECK constraint on pins) becomes
#     a store_refused reject with the server's message; every other record of its
#     micro-batch is stored, and the stream goes on;
#  3b. a unique violation the stream's own key check cannot see (a unique index an
#     operator put beside the primary key) is transient once, then refused: the record
#     becomes a store_refused reject with SQLSTATE 23505 and the stream goes on,
#     instead of retrying the micro-batch forever;
#  4. the stream's /healthz turns 503 "stalled" (with the reason) when it can store
#     nothing while records wait (its offsets table locked), and 200 again after;
#  5. the lake writer's /healthz turns 503 "stalled" while S3 does not answer (a
#     transient error, retried); a permanent S3 error (a wrong secret: 403) is not
#     retried: the writer exits 1 at once and commits nothing.
# needs: kafka postgres s3
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../ci/services/env.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
it_init poison_it
INGEST="2026-03-04 05:06:07"
PORT_BASE=$((30000 + $$ % 20000))
POISON_TS="9999-12-31T23:59:59-05:00"

event() { # event UID TITLE [TIMESTAMP]
  jq -cn --arg u "$1" --arg t "$2" --arg ts "${3:-}" '{index: 1, unique_id: $u, title: $t, description: "d",
    follower_count: "6k", tag_list: "a,b", is_image_or_video: "image", image_src: "x", downloaded: 1,
    save_location: "Local save in /data/x", category: "art"} + (if $ts == "" then {} else {timestamp: $ts} end)'
}
http_code() { curl -s -o "$2" -w '%{http_code}' --max-time 5 "$1" || true; }

# ---- 1. the API refuses the time -------------------------------------------------------
export PINPIPE_TOPIC="pinpipe-it-poison-$RUN"
"$BIN/pinpipe" produce --partitions 1 /dev/null 2>/dev/null || it_fail "create topic"
api_port=$PORT_BASE
"$BIN/pinpipe" api --port "$api_port" 2>"$TMP/api.log" &
api=$!
it_on_exit "kill $api 2>/dev/null"
it_wait_until 30 curl -sf -o /dev/null "http://127.0.0.1:$api_port/healthz" || it_fail "API not healthy"
code=$(event u0 t "$POISON_TS" | curl -s -o "$TMP/422.json" -w '%{http_code}' --max-time 10 \
  -H 'Content-Type: application/json' --data-binary @- "http://127.0.0.1:$api_port/pin/")
[ "$code" = 422 ] || it_fail "a timestamp past 9999-12-31T23:59:59.999Z got HTTP $code, want 422"
jq -e '.detail[] | select(.loc == ["body", "timestamp"])' "$TMP/422.json" >/dev/null ||
  it_fail "the 422 does not name the timestamp: $(cat "$TMP/422.json")"
kill -TERM "$api"; wait "$api" || it_fail "API exit status on SIGTERM"
it_ok "the API answers 422 to $POISON_TS, naming body.timestamp"

# ---- 2. the same event straight to Kafka: a reject in the stream, a day in the lake -------
{ event u1 before "2026-03-01 10:00:00"; event u2 poison "$POISON_TS"; event u3 after "2026-03-01 11:00:00"; } \
  > "$TMP/poison.jsonl"
"$BIN/pinpipe" produce --ingest-time "$INGEST" "$TMP/poison.jsonl" 2>"$TMP/produce.log" || it_fail "produce"
dsn=$(it_pg_schema "it_poison_$RUN")
PINPIPE_PG_DSN="$dsn" timeout 120 "$BIN/pinpipe" stream --group "g-$PINPIPE_TOPIC" --exit-when-idle 3000 \
  2>"$TMP/stream.log" || { tail -20 "$TMP/stream.log"; it_fail "stream did not finish (or exited non-zero)"; }
got=$(psql "$dsn" -qAt -c "SELECT string_agg(unique_id, ',' ORDER BY unique_id) FROM pins")
[ "$got" = "u1,u3" ] || it_fail "pins: got '$got', want u1,u3"
got=$(psql "$dsn" -qAt -F'|' -c "SELECT reason, day FROM rejects")
[ "$got" = "invalid_timestamp|2026-03-04" ] || it_fail "rejects: got '$got', want invalid_timestamp on the ingest day"
[ "$(psql "$dsn" -qAt -c "SELECT next_offset FROM stream_offsets")" = 3 ] || it_fail "the stream did not move past it"
it_ok "stream: the event is a reject (invalid_timestamp, 2026-03-04) and the partition moved on"

prefix="it-poison-$RUN/raw/"
it_s3_prefix "$prefix"
timeout 120 "$BIN/pinpipe" lake --group "lake-$PINPIPE_TOPIC" --prefix "$prefix" --max-age-ms 500 \
  --exit-when-idle 3000 2>"$TMP/lake.log" || { tail -20 "$TMP/lake.log"; it_fail "lake writer did not finish"; }
keys=$("$BIN/pinpipe" s3 ls "$prefix" | cut -f3- | sort | tr '\n' ' ')
# one object per (partition, event day): offsets 0 and 2 share one, the poison has its own
want="${prefix}dt=2026-03-01/$PINPIPE_TOPIC-0000-00000000000000000000.jsonl ${prefix}dt=2026-03-04/$PINPIPE_TOPIC-0000-00000000000000000001.jsonl"
for k in $want; do case " $keys " in *" $k "*) ;; *) it_fail "lake: no object $k (have: $keys)" ;; esac; done
committed=$("$BIN/pinpipe" lake --group "lake-$PINPIPE_TOPIC" --print-committed | awk '{s += $2} END {print s + 0}')
[ "$committed" = 3 ] || it_fail "lake: committed $committed, want 3"
it_ok "lake: the event is filed under its ingest day and committed past"

# ---- 3. a record PostgreSQL refuses for good ----------------------------------------------
export PINPIPE_TOPIC="pinpipe-it-refused-$RUN"
"$BIN/pinpipe" produce --partitions 1 /dev/null 2>/dev/null || it_fail "create topic"
dsn3=$(it_pg_schema "it_refused_$RUN")
# the stream creates its schema on start; then the constraint stands for "a value the store refuses"
PINPIPE_PG_DSN="$dsn3" timeout 60 "$BIN/pinpipe" stream --group "g-$PINPIPE_TOPIC" --exit-when-idle 500 2>/dev/null ||
  it_fail "stream (schema)"
psql "$dsn3" -qAt -v ON_ERROR_STOP=1 -c "ALTER TABLE pins ADD CONSTRAINT no_poison CHECK (title <> 'refuse me')" \
  >/dev/null || it_fail "add constraint"
for i in $(seq 1 40); do
  if [ "$i" = 17 ]; then event "r$i" "refuse me" "2026-03-01 12:00:00"; else event "r$i" "fine" "2026-03-01 12:00:00"; fi
done > "$TMP/refused.jsonl"
"$BIN/pinpipe" produce --ingest-time "$INGEST" "$TMP/refused.jsonl" 2>/dev/null || it_fail "produce"
PINPIPE_PG_DSN="$dsn3" timeout 120 "$BIN/pinpipe" stream --group "g-$PINPIPE_TOPIC" --exit-when-idle 3000 \
  2>"$TMP/stream3.log" || { tail -20 "$TMP/stream3.log"; it_fail "stream did not get past a refused record"; }
[ "$(psql "$dsn3" -qAt -c "SELECT count(*) FROM pins")" = 39 ] || it_fail "pins: want the 39 others"
got=$(psql "$dsn3" -qAt -F'|' -c "SELECT reason, kafka_offset, day, detail LIKE '%23514%' FROM rejects")
[ "$got" = "store_refused|16|2026-03-01|t" ] ||
  it_fail "rejects: got '$got', want store_refused at offset 16 with SQLSTATE 23514"
got=$(psql "$dsn3" -qAt -c "SELECT value FROM metrics WHERE metric = 'rejected_events' AND key = 'store_refused'")
[ "$got" = 1 ] || it_fail "rejected_events{store_refused}: got '$got', want 1"
[ "$(psql "$dsn3" -qAt -c "SELECT next_offset FROM stream_offsets")" = 40 ] || it_fail "offsets did not move on"
it_ok "a record PostgreSQL refuses is a store_refused reject; the other 39 are stored"

# ---- 3b. a unique violation beside the primary key -----------------------------------------
topic3b="pinpipe-it-twins-$RUN"
"$BIN/pinpipe" produce --topic "$topic3b" --partitions 1 /dev/null 2>/dev/null || it_fail "create topic"
dsn3b=$(it_pg_schema "it_twins_$RUN")
PINPIPE_PG_DSN="$dsn3b" timeout 60 "$BIN/pinpipe" stream --topic "$topic3b" --group "g-$topic3b" --exit-when-idle 500 \
  2>/dev/null || it_fail "stream (schema)"
psql "$dsn3b" -qAt -v ON_ERROR_STOP=1 -c "CREATE UNIQUE INDEX no_twin_titles ON pins (title)" >/dev/null ||
  it_fail "add unique index"
for i in $(seq 1 20); do  # offsets 8 and 13 share a title: the second can never be stored
  case "$i" in 9 | 14) title="twin" ;; *) title="title $i" ;; esac
  event "t$i" "$title" "2026-03-01 12:00:00"
done > "$TMP/twins.jsonl"
"$BIN/pinpipe" produce --topic "$topic3b" --ingest-time "$INGEST" "$TMP/twins.jsonl" 2>/dev/null || it_fail "produce"
PINPIPE_PG_DSN="$dsn3b" timeout 120 "$BIN/pinpipe" stream --topic "$topic3b" --group "g-$topic3b" --exit-when-idle 3000 \
  2>"$TMP/stream3b.log" || { tail -20 "$TMP/stream3b.log"; it_fail "stream did not get past a unique violation"; }
[ "$(psql "$dsn3b" -qAt -c "SELECT count(*) FROM pins")" = 19 ] || it_fail "twins: want the 19 others in pins"
got=$(psql "$dsn3b" -qAt -F'|' -c "SELECT reason, kafka_offset, detail LIKE '%23505%' FROM rejects")
[ "$got" = "store_refused|13|t" ] || it_fail "twins: rejects got '$got', want store_refused at offset 13 with SQLSTATE 23505"
[ "$(psql "$dsn3b" -qAt -c "SELECT next_offset FROM stream_offsets")" = 20 ] || it_fail "twins: offsets did not move on"
it_ok "a unique violation beside the primary key is a store_refused reject, not a retry forever; the other 19 are stored"

# ---- 4. the stream's /healthz reports a stall ---------------------------------------------
"$BIN/pinpipe" produce --ingest-time "$INGEST" "$TMP/poison.jsonl" 2>/dev/null || it_fail "produce"
stream_port=$((PORT_BASE + 1))
# the offsets row locked by another transaction: the stream's transaction waits on it
PGAPPNAME="poison_it_lock_$RUN" psql "$dsn3" -qAt -c \
  "BEGIN; SELECT * FROM stream_offsets FOR UPDATE; SELECT pg_sleep(300);" >/dev/null 2>&1 &
locker=$!
it_on_exit "kill $locker 2>/dev/null"
unlock() {
  psql "$PINPIPE_PG_DSN" -qAt -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
    WHERE application_name = 'poison_it_lock_$RUN'" >/dev/null
}
it_on_exit unlock
it_wait_until 30 bash -c "[ \"\$(psql '$PINPIPE_PG_DSN' -qAt -c \"SELECT count(*) FROM pg_stat_activity
  WHERE application_name = 'poison_it_lock_$RUN' AND wait_event = 'PgSleep'\")\" = 1 ]" ||
  it_fail "could not lock the offsets row"
PINPIPE_PG_DSN="$dsn3" "$BIN/pinpipe" stream --group "g-$PINPIPE_TOPIC" --metrics-port "$stream_port" --stall-ms 2000 \
  2>"$TMP/stream4.log" &
stream=$!
it_on_exit "kill -9 $stream 2>/dev/null"
it_wait_until 60 bash -c "[ \"\$(curl -s -o '$TMP/h.json' -w '%{http_code}' http://127.0.0.1:$stream_port/healthz)\" = 503 ]" ||
  it_fail "stream /healthz never turned 503 while it could not store (last: $(cat "$TMP/h.json" 2>/dev/null))"
jq -e '.status == "stalled" and .waiting >= 3 and (.reason | test("no progress"))' "$TMP/h.json" >/dev/null ||
  it_fail "stalled answer lacks status/waiting/reason: $(cat "$TMP/h.json")"
it_ok "stream /healthz: 503 $(jq -c '{status, waiting, reason}' "$TMP/h.json")"
unlock
it_wait_until 60 bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$stream_port/healthz)\" = 200 ]" ||
  it_fail "stream /healthz did not return to 200 after the lock went"
[ "$(psql "$dsn3" -qAt -c "SELECT next_offset FROM stream_offsets")" = 43 ] || it_fail "stream did not catch up"
kill -TERM "$stream"; wait "$stream" || it_fail "stream exit status on SIGTERM"
it_ok "stream /healthz back to 200 once it could store again"

# ---- 5. the lake writer: transient S3 failure = stall; permanent = exit 1 -----------------
lake_port=$((PORT_BASE + 2))
closed_port=$((PORT_BASE + 3)) # nothing listens there: connection refused, a transient error
PINPIPE_S3_ENDPOINT="http://127.0.0.1:$closed_port" "$BIN/pinpipe" lake --group "lake2-$PINPIPE_TOPIC" \
  --prefix "$prefix" --max-age-ms 200 --metrics-port "$lake_port" --stall-ms 2000 2>"$TMP/lake5.log" &
lake=$!
it_on_exit "kill -9 $lake 2>/dev/null"
it_wait_until 60 bash -c "[ \"\$(curl -s -o '$TMP/lh.json' -w '%{http_code}' http://127.0.0.1:$lake_port/healthz)\" = 503 ]" ||
  it_fail "lake /healthz never turned 503 while S3 was unreachable (last: $(cat "$TMP/lh.json" 2>/dev/null))"
jq -e '.status == "stalled" and .waiting > 0 and (.last_error | test("S3"))' "$TMP/lh.json" >/dev/null ||
  it_fail "stalled answer lacks status/waiting/last_error: $(cat "$TMP/lh.json")"
kill -9 "$lake"; wait "$lake" 2>/dev/null || true
it_ok "lake /healthz: 503 $(jq -c '{status, waiting, reason}' "$TMP/lh.json")"

set +e
PINPIPE_S3_SECRET_KEY="not-the-secret" timeout 60 "$BIN/pinpipe" lake --group "lake2-$PINPIPE_TOPIC" \
  --prefix "$prefix" --max-age-ms 200 2>"$TMP/lake6.log"
rc=$?
set -e
[ "$rc" = 1 ] || { tail -5 "$TMP/lake6.log"; it_fail "a lake writer with a wrong secret: exit $rc, want 1 (not retried)"; }
grep -q "for good" "$TMP/lake6.log" || it_fail "the log does not say the error is permanent"
committed=$("$BIN/pinpipe" lake --group "lake2-$PINPIPE_TOPIC" --print-committed | awk '{s += $2} END {print s + 0}')
[ "$committed" = 0 ] || it_fail "lake committed $committed after failing to store"
it_ok "a permanent S3 error (403) stops the lake writer with exit 1, nothing committed"
