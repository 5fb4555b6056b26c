#!/usr/bin/env bash
# Specification of the daily orchestration on real services and a real Airflow (SQLite
# metadata, `airflow dags test`: the DAG's tasks run in this process, no scheduler):
#  1. one day of emulator events through Kafka (3 partitions) into the lake and the stream;
#     `pinpipe_daily` for that day with 3 shards: it succeeds, parity passes, and the
#     batch tables (pins, rejects, metrics) equal a single-process `pinpipe batch` of the
#     same day in another keyspace;
#  2. a late event of that day reaches the lake after the run: the next day's run re-runs
#     the day (late_days -> --if-lake-grew) and its tables equal the single-process run
#     again, now with the late pin;
#  3. `pinpipe_backfill` over 3 days writes the metric for every day (a done --metric run).
# needs: kafka s3 cassandra postgres
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../ci/services/env.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
it_init airflow_it
D=2026-05-10 NEXT=2026-05-11 PREV=2026-05-09
run="af_$RUN"
it_isolated_run "$run"
ref="${run}_ref" # the single-process run's keyspace
it_cql_keyspace "$ref"

venv="$(bash "$PINPIPE_ROOT/ci/install-airflow.sh" | tail -1)"
export AIRFLOW_HOME="$TMP/airflow" AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__DAGS_FOLDER="$PINPIPE_ROOT/orchestration/airflow/dags"
export AIRFLOW_VAR_PINPIPE_BIN="$BIN/pinpipe" AIRFLOW_VAR_PINPIPE_SHARDS=3 AIRFLOW_VAR_PINPIPE_ALLOWANCE_S=0
export AIRFLOW_VAR_PINPIPE_LATE_DAYS=1
"$venv/bin/airflow" db migrate >"$TMP/migrate.log" 2>&1 || { tail "$TMP/migrate.log"; it_fail "airflow db migrate"; }
dag_test() { # dag_test DAG DAY [conf]: one run; its log in $TMP/DAG-DAY.log
  local log="$TMP/$1-$2.log"
  "$venv/bin/airflow" dags test ${3:+-c "$3"} "$1" "$2" >"$log" 2>&1 || { grep -iE "error|exception|failed" "$log" | tail -20; it_fail "airflow dags test $1 $2"; }
  grep -q "state=success" "$log" || { grep -iE "error|failed" "$log" | tail -20; it_fail "$1 $2 did not succeed"; }
}
tables() { # tables KEYSPACE: the day's pins, rejects and metrics as sorted JSON lines
  local t
  for t in pins rejects metrics; do
    "$BIN/pinpipe" cql --format json -e "SELECT * FROM $1.$t WHERE $(if [ "$t" = pins ]; then pins_day_where "$D"; else echo "day = '$D'"; fi)" |
      jq -c --arg t "$t" '{t: $t} + .' | LC_ALL=C sort
  done
}
consume() {
  "$BIN/pinpipe" lake --exit-when-idle 3000 2>>"$TMP/lake.log" || { tail "$TMP/lake.log"; it_fail "lake writer"; }
  "$BIN/pinpipe" stream --exit-when-idle 3000 2>>"$TMP/stream.log" || { tail "$TMP/stream.log"; it_fail "stream"; }
}
reference() { # the single-process batch of day D into the reference keyspace
  PINPIPE_CASSANDRA_KEYSPACE="$ref" "$BIN/pinpipe" batch --date "$D" >"$TMP/ref.txt" 2>"$TMP/ref.log" ||
    { cat "$TMP/ref.log"; it_fail "the single-process batch"; }
}

# ---- 1. -----------------------------------------------------------------------------------
"$BIN/pinpipe-emulate" --seed 71 --count 900 --days 1 --start-date "$D" --invalid-rate 0.02 --out "$TMP/events.jsonl" 2>/dev/null
"$BIN/pinpipe" produce --partitions 3 "$TMP/events.jsonl" 2>"$TMP/produce.log" || { cat "$TMP/produce.log"; it_fail "produce"; }
consume
dag_test pinpipe_daily "$D"
for i in 0 1 2; do grep -q "batch --date $D --shard $i/3" "$TMP/pinpipe_daily-$D.log" || it_fail "no shard $i/3 task ran"; done
grep -q "batch --date $D --finalize 3" "$TMP/pinpipe_daily-$D.log" || it_fail "no finalize task ran"
"$BIN/pinpipe" parity --date "$D" >"$TMP/parity.txt" 2>&1 || { cat "$TMP/parity.txt"; it_fail "parity after the DAG"; }
reference
diff <(tables "$run") <(tables "$ref") >"$TMP/tables.diff" || { head "$TMP/tables.diff"; it_fail "the DAG's tables differ from a single-process batch"; }
it_ok "pinpipe_daily $D: 3 shards + finalize = a single-process batch ($(tables "$run" | grep -c '"t":"pins"') pins); parity $(tail -1 "$TMP/parity.txt" | cut -d' ' -f2)"

# ---- 2. -----------------------------------------------------------------------------------
"$BIN/pinpipe-emulate" --seed 72 --count 1 --days 1 --start-date "$D" --out "$TMP/late.jsonl" 2>/dev/null
"$BIN/pinpipe" produce "$TMP/late.jsonl" 2>>"$TMP/produce.log" || it_fail "produce the late event"
consume
dag_test pinpipe_daily "$NEXT"
grep -q "batch --date $D --if-lake-grew" "$TMP/pinpipe_daily-$NEXT.log" || it_fail "the next day's run did not re-check $D"
grep -q "batch day=$D status=done" "$TMP/pinpipe_daily-$NEXT.log" || it_fail "the next day's run did not re-run $D (its lake grew)"
grep -q "batch day=$D status=unchanged" "$TMP/pinpipe_daily-$NEXT.log" && it_fail "$D was called unchanged after a late event"
reference
diff <(tables "$run") <(tables "$ref") >"$TMP/tables.diff" || { head "$TMP/tables.diff"; it_fail "after the late event: tables differ"; }
it_ok "a late event of $D reached the lake: the $NEXT run re-ran $D; its tables equal a single-process batch again"

# ---- 3. -----------------------------------------------------------------------------------
dag_test pinpipe_backfill "$NEXT" "{\"metric\": \"pins_by_tag\", \"from\": \"$PREV\", \"to\": \"$NEXT\"}"
for day in "$PREV" "$D" "$NEXT"; do
  n=$("$BIN/pinpipe" cql --format json -e "SELECT status, metric FROM $run.batch_runs WHERE day = '$day'" |
    jq -s 'map(select(.status == "done" and .metric == "pins_by_tag")) | length')
  [ "$n" -ge 1 ] || it_fail "no done pins_by_tag back-fill run for $day"
done
it_ok "pinpipe_backfill pins_by_tag $PREV..$NEXT: a done back-fill run for every day"
