#!/usr/bin/env bash
# Specification of `pinpipe batch` against real Kafka, S3 and Cassandra:
#  1. emulator events over 3 days (some invalid, plus poison messages) -> Kafka ->
#     `pinpipe lake` -> `pinpipe batch --from --to`: the pins of each day are the
#     manifest's distinct pins, Cassandra's metrics equal `pinpipe metrics` run
#     offline on the same events, every invalid event and poison message is in rejects;
#  2. a re-run gives identical pins, rejects and metrics;
#  3. more events for one day (stored gzipped by a second lake-writer run) and a
#     re-run of that day: its metrics equal offline metrics over all events;
#  4. `--metric M` replaces only M's rows;
#  5. the lake writer killed with SIGKILL mid-stream and restarted with other object
#     bounds, plus an object that overlaps another (a record stored twice) and a
#     corrupt line: the batch result equals the clean run's, the corrupt line is a
#     lake_corrupt_line reject;
#  6. an unreadable object: exit 1 (permanent); Cassandra unreachable: exit 4 (transient);
#     each with a message naming it;
#  7. a keyspace whose pins table is from before the buckets (CREATE TABLE IF NOT EXISTS
#     would keep it): exit 1 saying how to fix it; once dropped, the day runs.
# needs: kafka s3 cassandra
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../ci/services/env.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
it_init batch_it
INGEST="2026-01-01 00:00:00" # fixed ingest time: offline and batch agree on event times
DAYS=(2026-01-01 2026-01-02 2026-01-03)

# ---- 1. the clean run --------------------------------------------------------------
"$BIN/pinpipe-emulate" --seed 21 --count 6000 --days 3 --start-date "${DAYS[0]}" --invalid-rate 0.01 \
  --out "$TMP/events.jsonl" --manifest "$TMP/manifest.json" 2>/dev/null
it_poison "$TMP/poison.jsonl"
cat "$TMP/events.jsonl" "$TMP/poison.jsonl" > "$TMP/all.jsonl"

topic="pinpipe-it-batch-$RUN"
prefix="it-batch-$RUN/raw/"
ks="it_batch_$RUN"
it_s3_prefix "it-batch-$RUN/"
it_cql_keyspace "$ks"
"$BIN/pinpipe" produce --topic "$topic" --partitions 3 --ingest-time "$INGEST" "$TMP/all.jsonl" 2>"$TMP/produce.log" ||
  { cat "$TMP/produce.log"; it_fail "produce"; }
"$BIN/pinpipe" lake --topic "$topic" --group "g-$topic" --prefix "$prefix" --max-records 700 \
  --exit-when-idle 3000 2>"$TMP/lake.log" || { tail -20 "$TMP/lake.log"; it_fail "lake writer exited non-zero"; }

run_batch() { # run_batch OUT ARGS...: the batch on this test's lake and keyspace
  local out="$1"
  shift
  "$BIN/pinpipe" batch --prefix "$prefix" --keyspace "$ks" --topic "$topic" --lake-group "g-$topic" "$@" \
    >"$out" 2>"$out.log" || { cat "$out" "$out.log"; it_fail "batch $* exited non-zero"; }
}
run_batch "$TMP/batch1.txt" --from "${DAYS[0]}" --to "${DAYS[2]}"
[ "$(grep -c ' status=done ' "$TMP/batch1.txt")" = 3 ] || { cat "$TMP/batch1.txt"; it_fail "not 3 days done"; }
it_ok "batch ran 3 days: $(grep -o ' records=[0-9]*' "$TMP/batch1.txt" | cut -d= -f2 | paste -sd+ | bc) records"

for i in 0 1 2; do
  want=$(jq ".days[$i].distinct_pins" "$TMP/manifest.json")
  got=$("$BIN/pinpipe" cql --format csv -e "SELECT count(*) FROM $ks.pins WHERE $(pins_day_where "${DAYS[i]}")" | tail -1 | tr -d '\r')
  [ "$want" = "$got" ] || it_fail "${DAYS[i]}: manifest says $want distinct pins, Cassandra has $got"
done
it_ok "pins per day = the manifest's distinct (day, unique_id)"

it_metrics_offline "$TMP/all.jsonl" "$INGEST" > "$TMP/offline.txt"
it_metrics_cql "$ks" > "$TMP/metrics1.txt"
diff "$TMP/offline.txt" "$TMP/metrics1.txt" > "$TMP/diff.txt" ||
  { head -20 "$TMP/diff.txt"; it_fail "batch metrics differ from offline metrics"; }
it_ok "batch metrics equal offline metrics ($(wc -l < "$TMP/offline.txt") values)"

want_rej=$(($(jq '.totals.invalid_events' "$TMP/manifest.json") + 4))
got_rej=$("$BIN/pinpipe" cql --format json -e "SELECT reason FROM $ks.rejects" | wc -l)
[ "$want_rej" = "$got_rej" ] || it_fail "rejects: expected $want_rej, Cassandra has $got_rej"
reasons=$("$BIN/pinpipe" cql --format json -e "SELECT reason FROM $ks.rejects WHERE day = '${DAYS[0]}'" |
  jq -r .reason | sort -u | tr '\n' ,)
for r in invalid_json not_object missing_field invalid_utf8; do
  case ",$reasons" in *",$r,"*) ;; *) it_fail "poison message with reason $r not in rejects (got: $reasons)" ;; esac
done
it_ok "every invalid event and poison message is in rejects with its reason ($got_rej)"

dump_tables() { # dump_tables DIR: every row of pins, rejects and metrics, sorted
  mkdir -p "$1"
  it_cql_rows "SELECT * FROM $ks.pins" > "$1/pins"
  it_cql_rows "SELECT * FROM $ks.rejects" > "$1/rejects"
  it_metrics_cql "$ks" > "$1/metrics"
}
dump_tables "$TMP/run1"

# ---- 2. a re-run replaces the days with the same rows ------------------------------------
run_batch "$TMP/batch2.txt" --from "${DAYS[0]}" --to "${DAYS[2]}"
dump_tables "$TMP/run2"
for t in pins rejects metrics; do
  cmp -s "$TMP/run1/$t" "$TMP/run2/$t" || { diff "$TMP/run1/$t" "$TMP/run2/$t" | head; it_fail "$t differ after a re-run"; }
done
runs=$("$BIN/pinpipe" cql --format json -e "SELECT status FROM $ks.batch_runs WHERE day = '${DAYS[1]}'" |
  jq -r .status | tr '\n' ' ')
[ "$runs" = "done done " ] || it_fail "batch_runs of ${DAYS[1]}: '$runs', expected two done runs"
it_ok "a re-run gives identical pins ($(wc -l < "$TMP/run2/pins")), rejects and metrics; batch_runs has both runs"

# ---- 3. more events for one day, stored gzipped, and a re-run of that day --------------------
"$BIN/pinpipe-emulate" --seed 22 --count 500 --days 1 --start-date "${DAYS[1]}" --invalid-rate 0.02 \
  --out "$TMP/extra.jsonl" 2>/dev/null
"$BIN/pinpipe" produce --topic "$topic" --ingest-time "$INGEST" "$TMP/extra.jsonl" 2>>"$TMP/produce.log" ||
  it_fail "produce extra"
"$BIN/pinpipe" lake --topic "$topic" --group "g-$topic" --prefix "$prefix" --gzip \
  --exit-when-idle 3000 2>>"$TMP/lake.log" || { tail -20 "$TMP/lake.log"; it_fail "lake writer (gzip) failed"; }
"$BIN/pinpipe" s3 ls "${prefix}dt=${DAYS[1]}/" | grep -q '\.jsonl\.gz$' || it_fail "no gzipped object for ${DAYS[1]}"
run_batch "$TMP/batch3.txt" --date "${DAYS[1]}"
cat "$TMP/all.jsonl" "$TMP/extra.jsonl" > "$TMP/all+extra.jsonl"
it_metrics_offline "$TMP/all+extra.jsonl" "$INGEST" > "$TMP/offline3.txt"
it_metrics_cql "$ks" > "$TMP/metrics3.txt"
of_day() { grep "^[^|]*|$1|" "$2" || true; }
diff <(of_day "${DAYS[1]}" "$TMP/offline3.txt") <(of_day "${DAYS[1]}" "$TMP/metrics3.txt") > "$TMP/diff3.txt" ||
  { head -20 "$TMP/diff3.txt"; it_fail "after new events for ${DAYS[1]}: its metrics differ from offline"; }
cmp -s <(of_day "${DAYS[1]}" "$TMP/offline.txt") <(of_day "${DAYS[1]}" "$TMP/offline3.txt") &&
  it_fail "the extra events changed no metric of ${DAYS[1]} (test is void)"
diff <(of_day "${DAYS[2]}" "$TMP/metrics1.txt") <(of_day "${DAYS[2]}" "$TMP/metrics3.txt") >/dev/null ||
  it_fail "re-running ${DAYS[1]} changed ${DAYS[2]}"
it_ok "new events for ${DAYS[1]} (plain + gzip objects), that day re-run: its metrics equal offline, other days untouched"
# Unparseable extras are filed under their ingest day (${DAYS[0]}): the whole range again.
run_batch "$TMP/batch3b.txt" --from "${DAYS[0]}" --to "${DAYS[2]}"
it_metrics_cql "$ks" > "$TMP/metrics3.txt"
diff "$TMP/offline3.txt" "$TMP/metrics3.txt" > "$TMP/diff3.txt" ||
  { head -20 "$TMP/diff3.txt"; it_fail "after new events: metrics differ from offline over all events"; }
it_ok "the range re-run: metrics equal offline over all events"

# ---- 4. --metric replaces only that metric ---------------------------------------------
day="${DAYS[0]}"
"$BIN/pinpipe" cql -e "UPDATE $ks.metrics SET value = 999999 WHERE day = '$day' AND metric = 'pins_by_category' AND key = 'zzz-stale'" \
  -e "UPDATE $ks.metrics SET value = 999999 WHERE day = '$day' AND metric = 'pins_by_tag' AND key = 'zzz-stale'" >/dev/null
run_batch "$TMP/batch4.txt" --date "$day" --metric pins_by_category
grep -q " metric=pins_by_category " "$TMP/batch4.txt" || it_fail "summary does not name the metric"
it_metrics_cql "$ks" > "$TMP/metrics4.txt"
grep -q '^pins_by_category|.*zzz-stale' "$TMP/metrics4.txt" && it_fail "--metric did not replace pins_by_category"
grep -q "^pins_by_tag|$day|zzz-stale|" "$TMP/metrics4.txt" || it_fail "--metric touched another metric"
grep -v zzz-stale "$TMP/metrics4.txt" | diff -q - "$TMP/metrics3.txt" >/dev/null || it_fail "--metric changed other values"
"$BIN/pinpipe" cql -e "DELETE FROM $ks.metrics WHERE day = '$day' AND metric = 'pins_by_tag' AND key = 'zzz-stale'"
it_ok "--metric pins_by_category replaced that metric's rows only"

# ---- 5. lake-writer crash: records stored twice, a corrupt line ------------------------------
topic2="pinpipe-it-batch-kill-$RUN"
prefix2="it-batch-$RUN/kill/"
ks2="${ks}_kill"
it_cql_keyspace "$ks2"
"$BIN/pinpipe" produce --topic "$topic2" --partitions 3 /dev/null 2>/dev/null
lake_pid=""
it_on_exit '[ -n "$lake_pid" ] && kill -9 "$lake_pid" 2>/dev/null'
# static membership: the restarted writer takes the killed one's partitions at once
"$BIN/pinpipe" lake --topic "$topic2" --group "g-$topic2" --instance-id kill-writer --prefix "$prefix2" \
  --max-records 150 --max-age-ms 200 2>"$TMP/lake2.log" &
lake_pid=$!
"$BIN/pinpipe" produce --topic "$topic2" --ingest-time "$INGEST" --rate 4000 "$TMP/all+extra.jsonl" \
  2>>"$TMP/produce.log" &
produce_pid=$!
objects() { [ "$("$BIN/pinpipe" s3 ls "$prefix2" | wc -l)" -ge "$1" ]; }
it_wait_until 60 objects 6 || it_fail "the lake writer stored nothing"
kill -9 "$lake_pid"
wait "$lake_pid" 2>/dev/null || true
lake_pid=""
wait "$produce_pid" || it_fail "produce to $topic2"
# restarted with other object bounds: what was stored but not committed is stored again
"$BIN/pinpipe" lake --topic "$topic2" --group "g-$topic2" --instance-id kill-writer --prefix "$prefix2" \
  --max-records 230 --exit-when-idle 3000 2>>"$TMP/lake2.log" || { tail -20 "$TMP/lake2.log"; it_fail "restarted lake writer failed"; }
# and, deterministically: an object overlapping another (its second half stored again
# under another first offset), and one with a corrupt line
d1="${prefix2}dt=${DAYS[0]}/"
first=$("$BIN/pinpipe" s3 ls "$d1" | cut -f3 | grep "$topic2-0001-" | head -1)
"$BIN/pinpipe" s3 get "$first" "$TMP/first.jsonl" 2>/dev/null
n=$(wc -l < "$TMP/first.jsonl")
k=$((n / 2))
while :; do # a name no object has yet (overwriting one would lose records)
  tail -n "$k" "$TMP/first.jsonl" > "$TMP/overlap.jsonl"
  overlap_key=$(printf '%s%s-0001-%020d.jsonl' "$d1" "$topic2" "$(head -1 "$TMP/overlap.jsonl" | jq .offset)")
  "$BIN/pinpipe" s3 head "$overlap_key" >/dev/null 2>&1 || break
  k=$((k - 1))
done
"$BIN/pinpipe" s3 put "$overlap_key" "$TMP/overlap.jsonl" >/dev/null
{ head -1 "$TMP/first.jsonl"; echo 'this line is not JSON'; } > "$TMP/corrupt.jsonl"
corrupt_key=$(printf '%s%s-0001-%020d.jsonl' "$d1" "$topic2" "$(head -1 "$TMP/first.jsonl" | jq .offset)")
corrupt_key="${corrupt_key%.jsonl}.jsonl.gz" # the same first offset, stored gzipped beside it
gzip -c "$TMP/corrupt.jsonl" > "$TMP/corrupt.jsonl.gz"
"$BIN/pinpipe" s3 put "$corrupt_key" "$TMP/corrupt.jsonl.gz" >/dev/null
"$BIN/pinpipe" batch --prefix "$prefix2" --keyspace "$ks2" --topic "$topic2" --lake-group "g-$topic2" \
  --from "${DAYS[0]}" --to "${DAYS[2]}" > "$TMP/batch5.txt" 2>"$TMP/batch5.log" ||
  { cat "$TMP/batch5.txt" "$TMP/batch5.log"; it_fail "batch after the crash"; }
dups=$(grep "day=${DAYS[0]} " "$TMP/batch5.txt" | sed 's/.* duplicate_coordinates=\([0-9]*\) .*/\1/')
[ "$dups" -ge $((k + 1)) ] || it_fail "${DAYS[0]}: $dups duplicate coordinates, expected at least $((k + 1))"
grep -q "day=${DAYS[0]} .* corrupt_lines=1 " "$TMP/batch5.txt" || it_fail "the corrupt line was not counted"
it_metrics_cql "$ks2" > "$TMP/metrics5.txt"
diff "$TMP/metrics3.txt" "$TMP/metrics5.txt" > "$TMP/diff5.txt" ||
  { head -20 "$TMP/diff5.txt"; it_fail "metrics after the lake-writer crash differ from the clean run"; }
# (not the Kafka coordinates: events without a unique_id have no key, so their
# partition, and the offsets after them, differ between two produce runs)
cols="event_day, unique_id, ind, title, description, poster_name, category, follower_count, tag_list,
  is_image_or_video, image_src, downloaded, save_location, event_time, ingested_at"
it_cql_rows "SELECT $cols FROM $ks.pins" > "$TMP/pins3.txt"
it_cql_rows "SELECT $cols FROM $ks2.pins" > "$TMP/pins5.txt"
diff "$TMP/pins3.txt" "$TMP/pins5.txt" > "$TMP/diff5.txt" ||
  { head -6 "$TMP/diff5.txt"; it_fail "pins after the lake-writer crash differ from the clean run"; }
corrupt=$("$BIN/pinpipe" cql --format json -e "SELECT kafka_topic, kafka_offset, lake_object, lake_line, raw
  FROM $ks2.rejects WHERE day = '${DAYS[0]}' AND kafka_topic = '$corrupt_key'")
[ "$(echo "$corrupt" | jq -r '[.lake_object, .lake_line, .raw] | join("|")')" = "$corrupt_key|2|this line is not JSON" ] ||
  it_fail "the corrupt line is not in rejects as expected: $corrupt"
reason=$("$BIN/pinpipe" cql --format json -e "SELECT reason FROM $ks2.rejects WHERE day = '${DAYS[0]}' AND kafka_topic = '$corrupt_key'" | jq -r .reason)
[ "$reason" = lake_corrupt_line ] || it_fail "corrupt line reason: '$reason'"
it_ok "SIGKILLed lake writer + an overlapping object: $dups duplicate coordinates ($((k + 1)) injected), a corrupt line: same pins and metrics"

# ---- 6. failures are loud ------------------------------------------------------------------
bad_day=2026-02-01
bad_key="${prefix}dt=$bad_day/$topic-0000-$(printf '%020d' 0).jsonl.gz"
head -c 40 "$TMP/corrupt.jsonl.gz" > "$TMP/truncated.gz"
"$BIN/pinpipe" s3 put "$bad_key" "$TMP/truncated.gz" >/dev/null
rc=0
"$BIN/pinpipe" batch --prefix "$prefix" --keyspace "$ks" --no-coverage --date "$bad_day" >"$TMP/b6.txt" 2>"$TMP/b6.log" ||
  rc=$?
[ "$rc" = 1 ] || { cat "$TMP/b6.log"; it_fail "a truncated object: exit $rc, want 1 (permanent: retrying will not help)"; }
grep -q "$bad_key" "$TMP/b6.log" || { cat "$TMP/b6.log"; it_fail "the error does not name the object"; }
it_ok "an unreadable object: exit 1, $(grep -o 'lake object.*' "$TMP/b6.log" | head -1 | cut -c1-100)..."
rc=0
PINPIPE_CASSANDRA_PORT=1 "$BIN/pinpipe" batch --prefix "$prefix" --keyspace "$ks" --no-coverage \
  --date "${DAYS[0]}" >/dev/null 2>"$TMP/b7.log" || rc=$?
[ "$rc" = 4 ] || { cat "$TMP/b7.log"; it_fail "an unreachable Cassandra: exit $rc, want 4 (transient: retry)"; }
grep -q "Cassandra at 127.0.0.1:1" "$TMP/b7.log" || { cat "$TMP/b7.log"; it_fail "the error does not name Cassandra"; }
it_ok "Cassandra unreachable: exit 4 (transient), $(grep -o 'Cassandra at.*' "$TMP/b7.log" | head -1)"

# ---- 7. a pins table from before the buckets ------------------------------------------------
# CREATE TABLE IF NOT EXISTS keeps it as it is: the batch must refuse it, saying how to fix it
ks_old="${ks}_old"
it_cql_keyspace "$ks_old"
"$BIN/pinpipe" cql -e "CREATE KEYSPACE $ks_old WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}"
"$BIN/pinpipe" cql -e "CREATE TABLE $ks_old.pins (event_day text, unique_id text, ind bigint, tag_list list<text>,
  PRIMARY KEY ((event_day), unique_id))"
rc=0
"$BIN/pinpipe" batch --prefix "$prefix" --keyspace "$ks_old" --no-coverage --date "${DAYS[0]}" >"$TMP/b8.txt" \
  2>"$TMP/b8.log" || rc=$?
[ "$rc" = 1 ] || { cat "$TMP/b8.log"; it_fail "a pins table keyed ((event_day), unique_id): exit $rc, want 1"; }
if ! grep -q "$ks_old.pins is keyed ((event_day), unique_id)" "$TMP/b8.log" || ! grep -q "DROP TABLE" "$TMP/b8.log"; then
  cat "$TMP/b8.log"
  it_fail "the error does not say what is wrong and how to fix it"
fi
"$BIN/pinpipe" cql -e "DROP TABLE $ks_old.pins"
"$BIN/pinpipe" batch --prefix "$prefix" --keyspace "$ks_old" --no-coverage --date "${DAYS[0]}" >"$TMP/b9.txt" \
  2>"$TMP/b9.log" || { cat "$TMP/b9.log"; it_fail "the batch after dropping the old pins table"; }
got=$("$BIN/pinpipe" cql --format csv -e "SELECT count(*) FROM $ks_old.pins WHERE $(pins_day_where "${DAYS[0]}")" |
  tail -1 | tr -d '\r')
[ "$got" = "$(jq '.days[0].distinct_pins' "$TMP/manifest.json")" ] || it_fail "after re-creating pins: $got pins"
it_ok "an old pins table: exit 1, $(grep -o 'is keyed.*bucketed' "$TMP/b8.log" | head -1); dropped and re-run: the day's pins"
