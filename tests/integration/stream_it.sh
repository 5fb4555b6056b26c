#!/usr/bin/env bash
# Specification of `pinpipe stream` against real Kafka and PostgreSQL:
#  1. emulator events (with invalid ones) and poison messages produced straight to
#     Kafka -> stream: PostgreSQL's metrics equal `pinpipe metrics` run offline on the
#     same events, the distinct pins equal the emulator's manifest, and every poison
#     message is in rejects with its reason;
#  1b. several instances writing one schema (three consumer groups draining the same
#     topic of valid events at once, small micro-batches): every (day, unique_id) is
#     stored once and counted once in the pin metrics — a pair another instance committed after this
#     one's check fails its COPY, which is retried, not lost or counted twice;
#  2. exactly once under failure: while events are produced, the stream is killed
#     with SIGKILL at several random points and restarted, and PostgreSQL is
#     restarted once; the final metrics and rows equal the no-failure result;
#  3. SIGTERM: the stream stores what it consumed and exits 0.
# alone: stops PostgreSQL under the stream
# needs: kafka postgres
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../ci/services/env.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
it_init stream_it
# Pins only: no geo or users topic (another test's events in the default topics would
# change the metrics); stream_join_it.sh covers the three kinds.
export PINPIPE_GEO_TOPIC="" PINPIPE_USERS_TOPIC=""
INGEST="2026-01-01 00:00:00" # fixed ingest time: offline and stream agree on event times
RANDOM=4242                  # the kill points are random but repeatable

# ---- 1. the clean run -------------------------------------------------------------
"$BIN/pinpipe-emulate" --seed 11 --count 6000 --days 3 --invalid-rate 0.02 \
  --out "$TMP/events.jsonl" --manifest "$TMP/manifest.json" 2>/dev/null
it_poison "$TMP/poison.jsonl"
cat "$TMP/events.jsonl" "$TMP/poison.jsonl" > "$TMP/all.jsonl"

topic="pinpipe-it-stream-$RUN"
dsn=$(it_pg_schema "it_stream_$RUN")
"$BIN/pinpipe" produce --topic "$topic" --partitions 3 --ingest-time "$INGEST" "$TMP/all.jsonl" 2>"$TMP/produce.log" ||
  { cat "$TMP/produce.log"; it_fail "produce"; }
PINPIPE_PG_DSN="$dsn" "$BIN/pinpipe" stream --topic "$topic" --group "g-$topic" --exit-when-idle 3000 2>"$TMP/stream.log" ||
  { tail -20 "$TMP/stream.log"; it_fail "stream exited non-zero"; }

it_metrics_offline "$TMP/all.jsonl" "$INGEST" > "$TMP/offline.txt"
it_metrics_pg "$dsn" > "$TMP/clean-run.txt"
diff "$TMP/offline.txt" "$TMP/clean-run.txt" > "$TMP/diff.txt" ||
  { head -20 "$TMP/diff.txt"; it_fail "stream metrics differ from offline metrics"; }
it_ok "stream metrics equal offline metrics ($(wc -l < "$TMP/offline.txt") values)"

want=$(jq '.totals.distinct_pins' "$TMP/manifest.json")
got=$(psql "$dsn" -qAt -c "SELECT count(*) FROM pins")
[ "$want" = "$got" ] || it_fail "pins: manifest says $want distinct (day, unique_id), PostgreSQL has $got"
it_ok "$got pins = the manifest's distinct (day, unique_id)"

reasons=$(psql "$dsn" -qAt -c "SELECT string_agg(reason, ',' ORDER BY kafka_offset) FROM rejects
  WHERE raw IN ('not json at all', '[1,2,3]', '{}') OR raw_base64 IS NOT NULL AND raw_base64 LIKE 'eyJp%'")
for r in invalid_json not_object missing_field invalid_utf8; do
  case ",$reasons," in *",$r,"*) ;; *) it_fail "poison message with reason $r not in rejects (got: $reasons)" ;; esac
done
want_rej=$(( $(jq '.totals.invalid_events' "$TMP/manifest.json") + 4 ))
got_rej=$(psql "$dsn" -qAt -c "SELECT count(*) FROM rejects")
[ "$want_rej" = "$got_rej" ] || it_fail "rejects: expected $want_rej, PostgreSQL has $got_rej"
it_ok "every invalid event and poison message is in rejects with its reason ($got_rej)"

# ---- 1b. three writers, one schema ---------------------------------------------------
# Valid events only: rejects are keyed by (topic, partition, offset), so two groups
# storing the same invalid message into one schema is a conflict for good.
"$BIN/pinpipe-emulate" --seed 12 --count 3000 --days 2 --invalid-rate 0 \
  --out "$TMP/valid.jsonl" --manifest "$TMP/valid-manifest.json" 2>/dev/null
topic1b="pinpipe-it-stream-writers-$RUN"
dsn1b=$(it_pg_schema "it_stream_writers_$RUN")
"$BIN/pinpipe" produce --topic "$topic1b" --partitions 3 --ingest-time "$INGEST" "$TMP/valid.jsonl" 2>/dev/null ||
  it_fail "produce"
writers=()
for w in 1 2 3; do
  PINPIPE_PG_DSN="$dsn1b" timeout 120 "$BIN/pinpipe" stream --topic "$topic1b" --group "g-$w-$topic1b" --batch-max 200 \
    --exit-when-idle 3000 2>"$TMP/writer$w.log" &
  writers+=($!)
done
for w in 1 2 3; do
  wait "${writers[w - 1]}" || { tail -20 "$TMP/writer$w.log"; it_fail "writer $w exited non-zero"; }
done
want=$(jq '.totals.distinct_pins' "$TMP/valid-manifest.json")
[ "$(psql "$dsn1b" -qAt -c "SELECT count(*) FROM pins")" = "$want" ] || it_fail "three writers: pins differ from $want"
it_metrics_offline "$TMP/valid.jsonl" "$INGEST" | grep "^pins_" > "$TMP/offline-pins.txt"
it_metrics_pg "$dsn1b" | grep "^pins_" > "$TMP/writers-pins.txt"
diff "$TMP/offline-pins.txt" "$TMP/writers-pins.txt" > "$TMP/diff1b.txt" ||
  { head -20 "$TMP/diff1b.txt"; it_fail "three writers: pin metrics differ from offline (a pin counted twice or lost)"; }
retried=$(cat "$TMP"/writer?.log | grep -c "pins_pkey" || true)
it_ok "three writers into one schema: $want pins, each counted once (COPYs that met another's commit and were retried: $retried)"

# ---- 2. the same events with failures ----------------------------------------------
topic2="pinpipe-it-stream-faults-$RUN"
dsn2=$(it_pg_schema "it_stream_faults_$RUN")
split -n l/6 -d "$TMP/all.jsonl" "$TMP/chunk."
stream_pid=""
start_stream() {
  # static membership: the restarted instance takes the killed one's place at once
  PINPIPE_PG_DSN="$dsn2" "$BIN/pinpipe" stream --topic "$topic2" --group "g-$topic2" --batch-max 500 --instance-id it-stream \
    2>>"$TMP/stream2.log" &
  stream_pid=$!
}
it_on_exit '[ -n "$stream_pid" ] && kill -9 "$stream_pid" 2>/dev/null'
start_stream
kills=0
pg_restarted=0
for chunk in "$TMP"/chunk.*; do
  "$BIN/pinpipe" produce --topic "$topic2" --partitions 3 --ingest-time "$INGEST" "$chunk" 2>>"$TMP/produce2.log" ||
    it_fail "produce $chunk"
  sleep "0.$((RANDOM % 9 + 1))"
  kill -9 "$stream_pid"; wait "$stream_pid" 2>/dev/null || true
  kills=$((kills + 1))
  if [ "$pg_restarted" = 0 ] && [ "$kills" = 3 ]; then
    # PostgreSQL goes away under a running stream, then comes back.
    start_stream
    sleep 0.5
    bash "$PINPIPE_ROOT/ci/services/postgres.sh" down >/dev/null
    sleep 1
    bash "$PINPIPE_ROOT/ci/services/postgres.sh" up >/dev/null || it_fail "PostgreSQL did not come back"
    pg_restarted=1
    kill -9 "$stream_pid"; wait "$stream_pid" 2>/dev/null || true
  fi
  start_stream
done
# Let the last instance drain the topic, then stop it with SIGTERM: it must exit 0.
for _ in $(seq 1 360); do
  n=$(psql "$dsn2" -qAt -c "SELECT coalesce(sum(next_offset), 0) FROM stream_offsets" 2>/dev/null || echo 0)
  [ "$n" = "$(wc -l < "$TMP/all.jsonl")" ] && break
  sleep 0.5
done
kill -TERM "$stream_pid"
wait "$stream_pid" || it_fail "stream did not exit 0 on SIGTERM"
stream_pid=""
it_ok "stream exited 0 on SIGTERM after $kills SIGKILLs and one PostgreSQL restart"

it_metrics_pg "$dsn2" > "$TMP/fault-run.txt"
diff "$TMP/clean-run.txt" "$TMP/fault-run.txt" > "$TMP/diff2.txt" ||
  { head -20 "$TMP/diff2.txt"; tail -30 "$TMP/stream2.log"
    psql "$dsn2" -c "SELECT * FROM stream_offsets"; it_fail "metrics after failures differ from the clean run"; }
for t in pins rejects; do
  a=$(psql "$dsn" -qAt -c "SELECT count(*) FROM $t"); b=$(psql "$dsn2" -qAt -c "SELECT count(*) FROM $t")
  [ "$a" = "$b" ] || it_fail "$t: clean run $a rows, fault run $b rows"
done
a=$(psql "$dsn" -qAt -c "SELECT md5(string_agg(event_day || unique_id || coalesce(title,''), ',' ORDER BY event_day, unique_id)) FROM pins")
b=$(psql "$dsn2" -qAt -c "SELECT md5(string_agg(event_day || unique_id || coalesce(title,''), ',' ORDER BY event_day, unique_id)) FROM pins")
[ "$a" = "$b" ] || it_fail "pins rows differ between the clean and the fault run"
it_ok "exactly once: metrics, pins and rejects equal the clean run"
