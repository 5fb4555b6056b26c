#!/usr/bin/env bash
# Specification of the stream's join (docs/joins.md, docs/stream.md) against real Kafka
# and PostgreSQL. A corpus of pins, geo and user events (stream_join_corpus.py: out of
# order, repeated, never matched, a partner on another day, rejects, and a seeded bulk
# of 300 posts) over three partitions per topic, in two phases: phase 2 holds partners
# of phase-1 events, produced after the stream has committed phase 1 (late arrivals).
#  1. one instance, phase by phase: join_unmatched equals the corpus' expected values
#     after each phase (so it falls when a late partner arrives, and a row that falls
#     to 0 is deleted); first occurrence wins per (kind, day, ind); rejects of geo and
#     user are stored with their kind; the metrics equal `pinpipe metrics --input mixed`
#     on the same events;
#  2. exactly once: the same events to new topics, the stream killed with SIGKILL at
#     random points and restarted (tiny micro-batches): the same metrics;
#  3. two instances in one group (each owning some partitions, tiny micro-batches,
#     both phases produced while they run): the same metrics as one instance.
# needs: kafka postgres
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../ci/services/env.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
it_init stream_join_it
command -v kcat >/dev/null || it_fail "kcat missing (bash ci/install-deps.sh)"
INGEST="2026-01-05 00:00:00"
INGEST_MS=$(( $(date -u -d "$INGEST" +%s) * 1000 ))
RANDOM=1717
total=$(python3 "$PINPIPE_ROOT/tests/integration/stream_join_corpus.py" "$TMP" "$INGEST_MS")

# topics NAME: creates NAME-pins, NAME-geo, NAME-users with 3 partitions each
topics() {
  local t
  for t in pins geo users; do
    "$BIN/pinpipe" produce --topic "$1-$t" --partitions 3 /dev/null 2>/dev/null || it_fail "create topic $1-$t"
  done
}
# produce NAME PHASE: the phase's events with the API's headers, each to its partition
# (kcat sends a file argument as one message: the lines go through stdin)
produce() {
  local kind p f topic
  for kind in pin geo user; do
    case $kind in pin) topic="$1-pins" ;; geo) topic="$1-geo" ;; *) topic="$1-users" ;; esac
    for p in 0 1 2; do
      f="$TMP/$kind.$2.$p"
      [ -s "$f" ] || continue
      kcat -P -b "$PINPIPE_KAFKA_BROKERS" -t "$topic" -p "$p" -K $'\t' -H "pinpipe-kind=$kind" \
        -H "pinpipe-ingest-time=$INGEST_MS" -H "pinpipe-schema=1" < "$f" || it_fail "kcat to ${topic}[$p]"
    done
  done
}
# topic_args NAME: the stream's options for NAME's three topics and group, in ARGS
# (not a function running the stream: `fn &` would give the pid of a subshell, and a
# SIGKILL would miss the stream)
topic_args() { ARGS=(--topic "$1-pins" --geo-topic "$1-geo" --users-topic "$1-users" --group "g-$1"); }
stored() { psql "$1" -qAt -c "SELECT coalesce(sum(next_offset), 0) FROM stream_offsets" 2>/dev/null || echo 0; }
drained() { [ "$(stored "$1")" = "$total" ]; }
unmatched() { it_metrics_pg "$1" | grep '^join_unmatched|' || true; }
# phase_total N: the events of phases 1..N
phase_total() { cat "$TMP"/*."$1".? | wc -l; }

# ---- 1. one instance, phase by phase ------------------------------------------------
name="pinpipe-it-join-$RUN"
dsn=$(it_pg_schema "it_join_$RUN")
topics "$name"
produce "$name" 1
topic_args "$name"
# stream_phase N PRODUCED: the stream drains what is in Kafka; its offsets sum to PRODUCED
# and join_unmatched equals the corpus' expected values after phase N
stream_phase() {
  PINPIPE_PG_DSN="$dsn" "$BIN/pinpipe" stream "${ARGS[@]}" --exit-when-idle 3000 2>"$TMP/stream$1.log" ||
    { tail -20 "$TMP/stream$1.log"; it_fail "stream (phase $1)"; }
  [ "$(stored "$dsn")" = "$2" ] || it_fail "phase $1: stored offsets $(stored "$dsn"), produced $2"
  unmatched "$dsn" > "$TMP/unmatched.$1"
  diff "$TMP/expected-unmatched.$1" "$TMP/unmatched.$1" > "$TMP/diff.$1" ||
    { cat "$TMP/diff.$1"; it_fail "phase $1: join_unmatched differs from the corpus' expected values"; }
}
stream_phase 1 "$(phase_total 1)"
it_ok "phase 1: join_unmatched as expected ($(wc -l < "$TMP/unmatched.1") rows)"
produce "$name" 2
stream_phase 2 "$total"
grep -q '^join_unmatched|2026-01-07|' "$TMP/unmatched.1" || it_fail "phase 1: no join_unmatched row for 2026-01-07"
! grep -q '|2026-01-07|' "$TMP/unmatched.2" || it_fail "phase 2: a join_unmatched row of 2026-01-07 kept at 0"
[ "$(psql "$dsn" -qAt -c "SELECT count(*) FROM metrics WHERE metric = 'join_unmatched' AND value = 0")" = 0 ] ||
  it_fail "a join_unmatched row at 0 is kept"
it_ok "phase 2 (late partners): join_unmatched fell to the expected values; rows at 0 deleted"

got=$(psql "$dsn" -qAt -c "SELECT (SELECT country FROM geo WHERE event_day = '2026-01-05' AND ind = 1),
  (SELECT user_name FROM users WHERE event_day = '2026-01-05' AND ind = 2),
  (SELECT category FROM pins WHERE event_day = '2026-01-05' AND unique_id = 'a')")
[ "$got" = "France|Grace Lovelace|travel" ] || it_fail "first occurrence per (kind, day, ind): got $got"
got=$(psql "$dsn" -qAt -c "SELECT string_agg(kind, ',' ORDER BY kind) FROM rejects")
[ "$got" = "geo,user" ] || it_fail "rejects by kind: got '$got', want geo,user"
it_ok "first occurrence wins per (kind, day, ind); geo and user rejects stored with their kind"

it_metrics_pg "$dsn" > "$TMP/clean-run.txt"
"$BIN/pinpipe" metrics --input mixed "$TMP/mixed.jsonl" |
  jq -r '[.metric, .day, .key, .kind, (.value | tostring)] | join("|")' | LC_ALL=C sort > "$TMP/offline.txt"
diff "$TMP/offline.txt" "$TMP/clean-run.txt" > "$TMP/diff-offline.txt" ||
  { head -30 "$TMP/diff-offline.txt"; it_fail "stream metrics differ from pinpipe metrics --input mixed"; }
grep -q '^posts_joined|' "$TMP/clean-run.txt" || it_fail "no posts_joined in the stream's metrics"
it_ok "stream metrics equal pinpipe metrics --input mixed ($(wc -l < "$TMP/offline.txt") values)"

# ---- 2. exactly once through SIGKILLs ---------------------------------------------------
name2="pinpipe-it-join-faults-$RUN"
dsn2=$(it_pg_schema "it_join_faults_$RUN")
topics "$name2"
stream_pid=""
it_on_exit '[ -n "$stream_pid" ] && kill -9 "$stream_pid" 2>/dev/null'
topic_args "$name2"
start2() {
  PINPIPE_PG_DSN="$dsn2" "$BIN/pinpipe" stream "${ARGS[@]}" --batch-max 7 --batch-ms 5 --instance-id it-join \
    2>>"$TMP/faults.log" &
  stream_pid=$!
}
start2
kills=0
for phase in 1 2; do
  produce "$name2" "$phase"
  for _ in 1 2 3; do
    sleep "0.$((RANDOM % 6 + 2))"
    kill -9 "$stream_pid"
    wait "$stream_pid" 2>/dev/null || true
    kills=$((kills + 1))
    start2
  done
done
it_wait_until 120 drained "$dsn2" || it_fail "faults: stored $(stored "$dsn2") of $total"
kill -TERM "$stream_pid"
wait "$stream_pid" || it_fail "stream did not exit 0 on SIGTERM"
stream_pid=""
it_metrics_pg "$dsn2" > "$TMP/fault-run.txt"
diff "$TMP/clean-run.txt" "$TMP/fault-run.txt" > "$TMP/diff-faults.txt" ||
  { head -30 "$TMP/diff-faults.txt"; it_fail "metrics after SIGKILLs differ from the clean run"; }
it_ok "exactly once: $kills SIGKILLs, the same metrics as the clean run"

# ---- 3. two instances, one group ---------------------------------------------------------
name3="pinpipe-it-join-pair-$RUN"
dsn3=$(it_pg_schema "it_join_pair_$RUN")
topics "$name3"
pair=()
topic_args "$name3"
for i in 1 2; do
  PINPIPE_PG_DSN="$dsn3" "$BIN/pinpipe" stream "${ARGS[@]}" --batch-max 5 --batch-ms 5 --instance-id "it-join-$i" \
    2>"$TMP/pair$i.log" &
  pair+=($!)
done
it_on_exit "kill -9 ${pair[*]} 2>/dev/null"
sleep 3 # both in the group before the events come
produce "$name3" 1
produce "$name3" 2
it_wait_until 120 drained "$dsn3" || it_fail "pair: stored $(stored "$dsn3") of $total"
for i in 1 2; do
  kill -TERM "${pair[i - 1]}"
  wait "${pair[i - 1]}" || { tail -20 "$TMP/pair$i.log"; it_fail "instance $i did not exit 0"; }
done
for i in 1 2; do
  grep -q "assigned .*\[" "$TMP/pair$i.log" || it_fail "instance $i was never assigned a partition"
done
it_metrics_pg "$dsn3" > "$TMP/pair-run.txt"
diff "$TMP/clean-run.txt" "$TMP/pair-run.txt" > "$TMP/diff-pair.txt" ||
  { head -30 "$TMP/diff-pair.txt"; it_fail "two instances: metrics differ from one instance"; }
it_ok "two instances in one group: the same metrics as one instance"
