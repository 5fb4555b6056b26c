#!/usr/bin/env bash
# Specification of ad-hoc SQL with Trino (docs/sql.md), on the real services:
#  1. an emulator run through both paths (API -> Kafka -> lake -> batch -> Cassandra, and
#     Kafka -> stream -> PostgreSQL), then ci/trino/views.sh for the run's keyspace,
#     schema and lake prefix;
#  2. through Trino, every metric of every day in `batch` equals Cassandra read directly
#     and `pinpipe metrics` offline over the same events; the same for `stream` and
#     PostgreSQL; the raw lake counts each day's records as the lake writer stored them;
#  3. the merged view follows the serving rule: every day from the batch after a full
#     run (as parity's authority says), every day from the stream once the stream has read
#     past the batch's coverage — and its rows equal that store's, and `pinpipe serve`'s
#     sources and numbers;
#  4. every query of docs/sql.md runs and its answer equals the engine's own numbers (the
#     join's two over a second run with the geo and user events);
#  5. a query with a bad column fails with Trino's message; --format csv/json print the
#     same rows;
#  6. Trino stops by its pid file and leaves nothing listening (then comes back when this
#     run did not start it, so a developer's server is left as it was).
# Skipped LOUDLY (exit 0, a SKIP line) when Java 22+ is missing (ci/services/trino.sh java).
# needs: kafka s3 cassandra postgres trino
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$ROOT/ci/services/env.sh"
. "$ROOT/tests/integration/lib/common.sh"
it_init trino_it
trap '[[ $- == *e* ]] && echo "trino_it: FAIL: line $LINENO: $BASH_COMMAND" >&2' ERR
if ! bash "$ROOT/ci/services/trino.sh" java >/dev/null 2>"$TMP/java.txt"; then
  echo "trino_it: SKIP: ***** Trino needs Java 22+ *****" >&2
  cat "$TMP/java.txt" >&2
  exit 0
fi
bash "$ROOT/ci/services/trino.sh" status >/dev/null || it_fail "Trino is not running (bash ci/services.sh up trino)"
N=1500
API_PORT=$((20000 + $$ % 10000))
START_DAY=$(date -u -d '-2 days' +%F)
END_DAY=$(date -u +%F)
run="trino_$RUN"
it_isolated_run "$run"
dsn="$PINPIPE_PG_DSN"
SQL=("$BIN/pinpipe" sql)
sqlq() { "${SQL[@]}" "$@"; }

# ---- 1. the pipeline -------------------------------------------------------------------
"$BIN/pinpipe-emulate" --seed 31 --count "$N" --days 3 --start-date "$START_DAY" --invalid-rate 0.01 \
  --out "$TMP/events.jsonl" 2>/dev/null
"$BIN/pinpipe" produce --partitions 3 /dev/null 2>/dev/null || it_fail "topic"
"$BIN/pinpipe" api --port "$API_PORT" 2>"$TMP/api.log" &
api=$!
it_on_exit "kill $api 2>/dev/null"
it_wait_until 30 curl -sf -o /dev/null "http://127.0.0.1:$API_PORT/healthz" || it_fail "API not healthy"
"$BIN/pinpipe" stream --instance-id s1 2>>"$TMP/stream.log" &
stream=$!
"$BIN/pinpipe" lake --instance-id l1 --max-age-ms 500 2>>"$TMP/lake.log" &
lake=$!
it_on_exit "kill $stream $lake 2>/dev/null"
"$BIN/pinpipe-emulate" --seed 31 --count "$N" --days 3 --start-date "$START_DAY" --invalid-rate 0.01 \
  --target "http://127.0.0.1:$API_PORT/pin/" --concurrency 8 >"$TMP/emulator.txt" 2>/dev/null ||
  it_fail "the emulator reported failures: $(cat "$TMP/emulator.txt")"
kafka_end() { kcat -b "$PINPIPE_KAFKA_BROKERS" -Q -t "$run:0:-1" -t "$run:1:-1" -t "$run:2:-1" | awk '{s += $NF} END {print s + 0}'; }
stream_at() { psql "$dsn" -qAt -c "SELECT coalesce(sum(next_offset), 0) FROM stream_offsets"; }
lake_at() { "$BIN/pinpipe" lake --print-committed | awk '$2 != "-" {s += $2} END {print s + 0}'; }
both_at() { [ "$(stream_at)" = "$1" ] && [ "$(lake_at)" = "$1" ]; }
hw=$(kafka_end)
it_wait_until 300 both_at "$hw" || it_fail "the stream and the lake writer did not consume all $hw messages"
kill -TERM "$lake" 2>/dev/null || { tail -n 20 "$TMP/lake.log"; it_fail "the lake writer died before its SIGTERM"; }
wait "$lake" || it_fail "lake writer exit status on SIGTERM"
"$BIN/pinpipe" batch --from "$START_DAY" --to "$END_DAY" >"$TMP/batch.txt" 2>"$TMP/batch.log" ||
  { tail -20 "$TMP/batch.log"; it_fail "batch"; }
"$BIN/pinpipe" parity --from "$START_DAY" --to "$END_DAY" --json >"$TMP/parity.json" 2>"$TMP/parity.log" ||
  { cat "$TMP/parity.json" "$TMP/parity.log"; it_fail "parity did not pass"; }
stored=$(sed -n 's/.*stopped: [0-9]* records consumed, \([0-9]*\) stored in .*/\1/p' "$TMP/lake.log" | tail -n 1)
[ "$stored" = "$hw" ] || it_fail "the lake writer stored '$stored' records, Kafka holds $hw"
it_ok "pipeline: $hw events through both paths, parity passes on 3 days"

bash "$ROOT/ci/trino/views.sh" --build "$BIN" --keyspace "$run" --stream-schema "$run" \
  --lake-prefix "$PINPIPE_LAKE_PREFIX" >"$TMP/views.txt" 2>&1 || { cat "$TMP/views.txt"; it_fail "views.sh"; }
# the documented queries, for this run's keyspace, schema and views
doc_query() { # doc_query NAME [RUN]: RUN's keyspace, schema and views, this run's by default
  local r="${2:-$run}"
  awk -v n="-- name: $1" '$0 == n {on = 1; next} on && /^```/ {exit} on {print}' "$ROOT/docs/sql.md" |
    sed -e "s/batch\.pinpipe\./batch.$r./g" -e "s/stream\.public\./stream.$r./g" -e "s/lake\.pinpipe\./lake.$r./g"
}
rows_json() { jq -r "$1" | LC_ALL=C sort; }
METRIC_ROW='[.metric, .day, .key, .kind, (.value | tostring)] | join("|")'

# ---- 2. metrics through Trino equal the stores and the offline engine --------------------
"$BIN/pinpipe" metrics "$TMP/events.jsonl" | rows_json "$METRIC_ROW" | grep -v '^rejected_events|' >"$TMP/offline.txt"
it_metrics_cql "$run" >"$TMP/cql.txt"
it_metrics_pg "$dsn" >"$TMP/pg.txt"
sqlq --format json -e "SELECT metric, day, key, kind, value FROM batch.$run.metrics" | rows_json "$METRIC_ROW" >"$TMP/t_batch.txt"
sqlq --format json -e "SELECT metric, day, key, kind, value FROM stream.$run.metrics" | rows_json "$METRIC_ROW" >"$TMP/t_stream.txt"
[ "$(wc -l <"$TMP/offline.txt")" -gt 100 ] || it_fail "too few offline metrics to compare"
diff "$TMP/cql.txt" "$TMP/t_batch.txt" >/dev/null || it_fail "Trino's batch.metrics differ from Cassandra read directly"
diff "$TMP/pg.txt" "$TMP/t_stream.txt" >/dev/null || it_fail "Trino's stream.metrics differ from PostgreSQL read directly"
diff "$TMP/offline.txt" "$TMP/t_batch.txt" >/dev/null || it_fail "Trino's batch metrics differ from pinpipe metrics offline"
diff "$TMP/offline.txt" "$TMP/t_stream.txt" >/dev/null || it_fail "Trino's stream metrics differ from pinpipe metrics offline"
it_ok "every metric of every day through Trino ($(wc -l <"$TMP/t_batch.txt") rows) = Cassandra = PostgreSQL = pinpipe metrics offline"

# the lake: records per day as the lake writer stored them (its objects, line by line)
it_s3_fetch "$PINPIPE_LAKE_PREFIX" "$TMP/lake"
for d in "$TMP/lake/$PINPIPE_LAKE_PREFIX"dt=*; do
  printf '%s|%s\n' "${d##*dt=}" "$(cat "$d"/*.jsonl | wc -l)"
done | LC_ALL=C sort >"$TMP/lake_objects.txt"
doc_query lake_records_per_day | sqlq --format json -f - | rows_json '[.day, (.records | tostring)] | join("|")' >"$TMP/t_lake.txt"
diff "$TMP/lake_objects.txt" "$TMP/t_lake.txt" || it_fail "the lake's records per day through Trino differ from its objects"
[ "$(awk -F'|' '{s += $2} END {print s}' "$TMP/t_lake.txt")" = "$stored" ] || it_fail "the lake through Trino does not hold the $stored records the lake writer stored"
it_ok "lake_records_per_day: $(tr '\n' ' ' <"$TMP/t_lake.txt")= the objects, $stored records = the lake writer's count"

# ---- 3. the merged view follows the serving rule ----------------------------------------
merged_is() { # merged_is SOURCE STORE_FILE: every day from SOURCE, rows equal to that store's
  sqlq --format json -e "SELECT day, source FROM lake.$run.day_source" | rows_json '[.day, .source] | join("|")' >"$TMP/day_source.txt"
  [ "$(grep -c "|$1\$" "$TMP/day_source.txt")" = 3 ] || { cat "$TMP/day_source.txt"; it_fail "day_source: not every day from the $1"; }
  sqlq --format json -e "SELECT metric, day, key, kind, value, source FROM lake.$run.metrics_merged" >"$TMP/merged.json"
  jq -r .source "$TMP/merged.json" | sort -u | grep -qx "$1" || it_fail "metrics_merged: rows not from the $1"
  rows_json "$METRIC_ROW" <"$TMP/merged.json" >"$TMP/merged.txt"
  diff "$2" "$TMP/merged.txt" >/dev/null || it_fail "metrics_merged differs from the $1 store"
}
# the serving layer answers by the same rule: its sources and numbers equal the views'
"$BIN/pinpipe" serve --port 0 --refresh-ms 300 2>"$TMP/serve.log" &
serve=$!
it_on_exit "kill $serve 2>/dev/null"
SERVE_URL=$(it_serve_url "$TMP/serve.log")
serve_sources_are() { # the day_source view's days and sources, as serve says them
  curl -s "$SERVE_URL/api/v1/days?from=$START_DAY&to=$END_DAY" | jq -r '.days[] | [.day, .source] | join("|")' |
    LC_ALL=C sort | diff -q - "$TMP/day_source.txt" >/dev/null
}
serve_agrees() { # serve's sources and every metric's numbers equal day_source and metrics_merged
  it_wait_until 15 serve_sources_are || it_fail "serve's sources differ from day_source ($1)"
  local m
  for m in $(curl -s "$SERVE_URL/api/v1/metrics" | jq -r '.metrics[].metric'); do
    curl -s "$SERVE_URL/api/v1/query?metric=$m&from=$START_DAY&to=$END_DAY&group=day" |
      jq -r --arg m "$m" '.rows[] | [$m, .period, .key, (.value | tostring)] | join("|")'
  done | LC_ALL=C sort >"$TMP/served.txt"
  jq -r '[.metric, .day, .key, (.value | tostring)] | join("|")' "$TMP/merged.json" | LC_ALL=C sort >"$TMP/merged4.txt"
  diff "$TMP/merged4.txt" "$TMP/served.txt" >/dev/null || it_fail "serve's numbers differ from metrics_merged ($1)"
}
jq -r '.days[] | [.day, .authority] | join("|")' "$TMP/parity.json" | LC_ALL=C sort >"$TMP/authority.txt"
merged_is batch "$TMP/cql.txt"
serve_agrees "after a full batch run"
diff "$TMP/authority.txt" "$TMP/day_source.txt" || it_fail "day_source disagrees with parity's authority"
it_ok "after a full batch run: day_source = parity's authority (batch) = serve's sources on 3 days; metrics_merged = Cassandra's rows = serve's numbers"
sqlq --format json -e "SELECT in_store, count(*) AS n FROM lake.$run.pins_side_by_side GROUP BY in_store" >"$TMP/side.json"
[ "$(jq -r '[.in_store, (.n | tostring)] | join("|")' "$TMP/side.json")" = "both|$(psql "$dsn" -qAt -c 'SELECT count(*) FROM pins')" ] ||
  { cat "$TMP/side.json"; it_fail "pins_side_by_side: not every pin in both stores"; }
it_ok "pins_side_by_side: every pin in both stores"

# more events the stream reads but no batch has: the stream answers every day
"$BIN/pinpipe-emulate" --seed 32 --count 60 --days 3 --start-date "$START_DAY" --out "$TMP/more.jsonl" 2>/dev/null
"$BIN/pinpipe" produce "$TMP/more.jsonl" 2>"$TMP/produce.log" || { cat "$TMP/produce.log"; it_fail "produce"; }
hw2=$(kafka_end)
it_wait_until 120 bash -c "[ \"\$(psql '$dsn' -qAt -c 'SELECT coalesce(sum(next_offset), 0) FROM stream_offsets')\" = $hw2 ]" ||
  it_fail "the stream did not read the $((hw2 - hw)) new events"
it_metrics_pg "$dsn" >"$TMP/pg2.txt"
merged_is stream "$TMP/pg2.txt"
serve_agrees "the stream ahead"
"$BIN/pinpipe" parity --from "$START_DAY" --to "$END_DAY" --json >"$TMP/parity2.json" 2>/dev/null || true
jq -r '.days[] | [.day, .authority] | join("|")' "$TMP/parity2.json" | LC_ALL=C sort >"$TMP/authority2.txt"
diff "$TMP/authority2.txt" "$TMP/day_source.txt" || it_fail "day_source disagrees with parity's authority (stream ahead)"
it_ok "the stream past the batch's coverage: day_source = parity's authority (stream) = serve's sources; metrics_merged = PostgreSQL's rows = serve's numbers"
kill -TERM "$stream"
wait "$stream" || it_fail "stream exit status on SIGTERM"
# back to a state where both stores hold the same events: the batch re-run covers them
"$BIN/pinpipe" lake --max-age-ms 500 2>>"$TMP/lake.log" &
lake=$!
it_wait_until 120 both_at "$hw2" || it_fail "the lake writer did not catch up"
kill -TERM "$lake"
wait "$lake" || it_fail "lake writer exit status on SIGTERM"
"$BIN/pinpipe" batch --from "$START_DAY" --to "$END_DAY" >"$TMP/batch2.txt" 2>"$TMP/batch2.log" || it_fail "batch re-run"
it_metrics_cql "$run" >"$TMP/cql2.txt"
merged_is batch "$TMP/cql2.txt"
it_ok "after the batch re-run: every day from the batch again"

# ---- 4. the documented queries equal the engine's numbers --------------------------------
cat "$TMP/events.jsonl" "$TMP/more.jsonl" >"$TMP/all.jsonl"
"$BIN/pinpipe" metrics "$TMP/all.jsonl" | rows_json "$METRIC_ROW" | grep -v '^rejected_events|' >"$TMP/offline2.txt"
diff "$TMP/offline2.txt" "$TMP/cql2.txt" >/dev/null || it_fail "the batch's metrics differ from offline after the second run"
# tab-separated for the checks below (keys such as poster names may hold '|')
"$BIN/pinpipe" metrics "$TMP/all.jsonl" | rows_json '[.metric, .day, .key, .kind, (.value | tostring)] | join("\t")' |
  grep -v '^rejected_events'$'\t' >"$TMP/offline2.tsv"
run_doc() { doc_query "$1" "${2:-}" | sqlq --format json -f - >"$TMP/q_$1.json" || it_fail "docs/sql.md query $1 failed"; }
# metric|day|key|value of the offline metrics
offline() { awk -F'\t' -v m="$1" '$1 == m {print $2 "\t" $3 "\t" $5}' "$TMP/offline2.tsv" | LC_ALL=C sort; }

run_doc popular_category_per_year
offline pins_by_category | awk -F'\t' '$2 != "(null)" {y = substr($1, 1, 4); s[y "\t" $2] += $3}
  END {for (k in s) print k "\t" s[k]}' | LC_ALL=C sort -t$'\t' -k1,1 -k3,3nr -k2,2 | awk -F'\t' '!seen[$1]++' >"$TMP/e_popular.txt"
jq -r '[.year, .category, (.pins | tostring)] | join("\t")' "$TMP/q_popular_category_per_year.json" >"$TMP/t_popular.txt"
diff "$TMP/e_popular.txt" "$TMP/t_popular.txt" || it_fail "popular_category_per_year differs from the offline metrics"

run_doc pins_per_media_type_per_day
offline pins_by_media_type >"$TMP/e_media.txt"
rows_json '[.day, .media_type, (.pins | tostring)] | join("\t")' <"$TMP/q_pins_per_media_type_per_day.json" >"$TMP/t_media.txt"
diff "$TMP/e_media.txt" "$TMP/t_media.txt" || it_fail "pins_per_media_type_per_day differs from the offline metrics"

run_doc top_posters_by_followers
offline max_followers_by_poster | awk -F'\t' '{if (!($2 in m) || $3 > m[$2]) m[$2] = $3} END {for (p in m) print p "\t" m[p]}' |
  LC_ALL=C sort -t$'\t' -k2,2nr -k1,1 | awk 'NR <= 10' >"$TMP/e_posters.txt"
jq -r '[.poster_name, (.followers | tostring)] | join("\t")' "$TMP/q_top_posters_by_followers.json" >"$TMP/t_posters.txt"
[ "$(wc -l <"$TMP/t_posters.txt")" = 10 ] || it_fail "top_posters_by_followers: not 10 rows"
diff "$TMP/e_posters.txt" "$TMP/t_posters.txt" || it_fail "top_posters_by_followers differs from the offline metrics"

run_doc data_quality_per_day
awk -F'\t' '$1 == "nulled_values" {n[$2] += $5} $1 == "invalid_values" {v[$2] += $5}
  END {for (d in n) print d "\t" n[d] "\t" v[d] + 0 "\t0"}' "$TMP/offline2.tsv" | LC_ALL=C sort >"$TMP/e_quality.txt"
jq -r '[.day, (.nulled_values | tostring), (.invalid_values // 0 | tostring), (.rejected_events | tostring)] | join("\t")' \
  "$TMP/q_data_quality_per_day.json" >"$TMP/t_quality.txt"
diff "$TMP/e_quality.txt" "$TMP/t_quality.txt" || it_fail "data_quality_per_day differs from the offline metrics"

bash "$ROOT/ci/trino/views.sh" --build "$BIN" --keyspace "$run" --stream-schema "$run" \
  --lake-prefix "$PINPIPE_LAKE_PREFIX" >/dev/null 2>&1 || it_fail "views.sh (again, for the new objects)"
run_doc lake_pins_by_category
offline pins_by_category >"$TMP/e_lakecat.txt"
rows_json '[.day, .category, (.pins | tostring)] | join("\t")' <"$TMP/q_lake_pins_by_category.json" >"$TMP/t_lakecat.txt"
diff "$TMP/e_lakecat.txt" "$TMP/t_lakecat.txt" || it_fail "lake_pins_by_category (from raw JSON) differs from the offline metric"
run_doc lake_records_per_day
[ "$(jq -s 'map(.records) | add' "$TMP/q_lake_records_per_day.json")" = "$hw2" ] || it_fail "the lake does not hold all $hw2 records"
it_ok "the 6 queries of the original questions equal the engine's numbers (popular category $(tr '\n' ' ' <"$TMP/t_popular.txt"))"

# ---- 4b. the join's questions: a run with the three kinds through both paths -------------
kill -TERM "$api" 2>/dev/null || true
wait "$api" 2>/dev/null || true
jrun="trino_j_$RUN"
it_isolated_kinds "$jrun"
"$BIN/pinpipe-emulate" --seed 34 --count 1200 --days 1 --start-date "$START_DAY" --kinds all \
  --out "$TMP/join.jsonl" 2>/dev/null || it_fail "join run: emulator (file)"
"$BIN/pinpipe" api --port "$API_PORT" 2>"$TMP/japi.log" &
japi=$!
"$BIN/pinpipe" stream 2>"$TMP/jstream.log" &
jstream=$!
"$BIN/pinpipe" lake --max-age-ms 500 2>"$TMP/jlake.log" &
jlake=$!
it_on_exit "kill $japi $jstream $jlake 2>/dev/null"
it_wait_until 30 curl -sf -o /dev/null "http://127.0.0.1:$API_PORT/healthz" || it_fail "join run: API not healthy"
"$BIN/pinpipe-emulate" --seed 34 --count 1200 --days 1 --start-date "$START_DAY" --kinds all \
  --target "http://127.0.0.1:$API_PORT/" --concurrency 8 >"$TMP/jemu.txt" 2>/dev/null ||
  it_fail "join run: the emulator reported failures: $(cat "$TMP/jemu.txt")"
jhw=$(it_high_watermark "$PINPIPE_TOPIC" "$PINPIPE_GEO_TOPIC" "$PINPIPE_USERS_TOPIC")
join_drained() {
  [ "$(psql "$PINPIPE_PG_DSN" -qAt -c 'SELECT coalesce(sum(next_offset), 0) FROM stream_offsets')" = "$jhw" ] &&
    [ "$(it_lake_committed "$PINPIPE_TOPIC" "$PINPIPE_GEO_TOPIC" "$PINPIPE_USERS_TOPIC")" = "$jhw" ]
}
it_wait_until 120 join_drained || it_fail "join run: the stream and the lake writer did not consume all $jhw messages"
kill -TERM "$jlake" "$jstream" "$japi"
wait "$jlake" || it_fail "join run: lake writer exit status on SIGTERM"
"$BIN/pinpipe" batch --date "$START_DAY" >/dev/null 2>"$TMP/jbatch.log" || { tail -20 "$TMP/jbatch.log"; it_fail "join run: batch"; }
bash "$ROOT/ci/trino/views.sh" --build "$BIN" --keyspace "$jrun" --stream-schema "$jrun" \
  --lake-prefix "$PINPIPE_LAKE_PREFIX" >"$TMP/jviews.txt" 2>&1 || { cat "$TMP/jviews.txt"; it_fail "join run: views.sh"; }
# the offline engine's join metrics as [country, second key, value] rows (keys are JSON arrays)
"$BIN/pinpipe" metrics "$TMP/join.jsonl" >"$TMP/join.metrics.jsonl"
join_rows_of() { jq -c --arg m "$1" 'select(.metric == $m) | (.key | fromjson) + [.value]' "$TMP/join.metrics.jsonl" | jq -s -c .; }
[ "$(join_rows_of posts_by_country_category | jq length)" -gt 20 ] || it_fail "join run: too few posts_by_country_category rows"

run_doc top_category_per_country "$jrun"
# per country (not null): the category with most posts over the days, ties to the lower name (null last)
join_rows_of posts_by_country_category |
  jq -r 'map(select(.[0] != null)) | group_by([.[0], .[1]]) | map([.[0][0], .[0][1], (map(.[2]) | add)])
         | group_by(.[0]) | map(sort_by([-.[2], (.[1] == null), .[1]]) | .[0]) | sort_by([-.[2], .[0]])
         | .[] | [.[0], (.[1] // "null"), (.[2] | tostring)] | join("\t")' >"$TMP/e_topcat.txt"
jq -r '[.country, (.category // "null"), (.posts | tostring)] | join("\t")' "$TMP/q_top_category_per_country.json" >"$TMP/t_topcat.txt"
diff "$TMP/e_topcat.txt" "$TMP/t_topcat.txt" || it_fail "top_category_per_country differs from the offline metrics"

run_doc top_user_per_country "$jrun"
# per country: the highest follower count; the user Trino names is one of those holding it
join_rows_of max_followers_by_country_user |
  jq -r 'group_by(.[0]) | map((map(.[2]) | max) as $m | map(select(.[2] == $m)) | .[])
         | .[] | [(.[0] // "null"), (.[1] // "null"), (.[2] | tostring)] | join("\t")' | LC_ALL=C sort -u >"$TMP/e_topuser.txt"
jq -r '[(.country // "null"), (.user_name // "null"), (.followers | tostring)] | join("\t")' \
  "$TMP/q_top_user_per_country.json" | LC_ALL=C sort >"$TMP/t_topuser.txt"
[ "$(cut -f1,3 "$TMP/e_topuser.txt" | LC_ALL=C sort -u)" = "$(cut -f1,3 "$TMP/t_topuser.txt")" ] ||
  { diff "$TMP/e_topuser.txt" "$TMP/t_topuser.txt"; it_fail "top_user_per_country: countries or follower counts differ from the offline metrics"; }
[ -z "$(LC_ALL=C comm -13 "$TMP/e_topuser.txt" "$TMP/t_topuser.txt")" ] ||
  it_fail "top_user_per_country names a user who does not hold the country's maximum: $(LC_ALL=C comm -13 "$TMP/e_topuser.txt" "$TMP/t_topuser.txt")"
n_doc=$(grep -c '^-- name: ' "$ROOT/docs/sql.md")
[ "$n_doc" = 8 ] || it_fail "docs/sql.md has $n_doc named queries; this test checks 8: check the new ones too"
it_ok "the join's 2 queries of docs/sql.md equal the offline metrics ($(wc -l <"$TMP/t_topcat.txt") countries; $jhw events of three kinds; top: $(sed -n 1p "$TMP/t_topcat.txt" | tr '\t' ' '))"

# ---- 5. errors and formats ---------------------------------------------------------------
set +e
sqlq -e "SELECT no_such_column FROM batch.$run.metrics" >"$TMP/bad.out" 2>"$TMP/bad.err"
rc=$?
set -e
[ "$rc" = 1 ] || it_fail "a bad column: exit $rc, not 1"
grep -q "^pinpipe sql: Trino: line 1:8: Column 'no_such_column' cannot be resolved (COLUMN_NOT_FOUND)$" "$TMP/bad.err" ||
  { cat "$TMP/bad.err"; it_fail "a bad column: Trino's message not surfaced"; }
[ ! -s "$TMP/bad.out" ] || it_fail "a failed query printed rows"
q="SELECT key, value FROM stream.$run.metrics WHERE metric = 'pins_total' ORDER BY key"
sqlq --format csv -e "$q" | tr -d '\r' | tail -n +2 | tr ',' '|' >"$TMP/f_csv.txt"
sqlq --format json -e "$q" | jq -r '[.key, (.value | tostring)] | join("|")' >"$TMP/f_json.txt"
sqlq -e "$q" | awk -F' [|] ' 'NR > 2 && NF == 2 {gsub(/^ | *$/, "", $1); gsub(/ *$/, "", $2); print $1 "|" $2}' >"$TMP/f_table.txt"
[ -s "$TMP/f_csv.txt" ] || it_fail "no pins_total rows"
diff "$TMP/f_csv.txt" "$TMP/f_json.txt" >/dev/null || it_fail "CSV and JSON output differ"
diff "$TMP/f_csv.txt" "$TMP/f_table.txt" >/dev/null || it_fail "table and CSV output differ"
it_ok "a bad column fails with Trino's message (exit 1); table, CSV and JSON print the same rows"

# ---- 6. stopped by its pid, nothing left listening ---------------------------------------
pid=$(head -n 1 "$PINPIPE_SERVICES_DIR/trino/trino.pid")
bash "$ROOT/ci/services/trino.sh" down >"$TMP/down.txt" || it_fail "trino down"
grep -q "stopped (pid $pid)" "$TMP/down.txt" || { cat "$TMP/down.txt"; it_fail "trino was not stopped by its pid $pid"; }
state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || state=gone
[ "$state" = gone ] || [ "$state" = Z ] || it_fail "pid $pid is still alive (state $state)"
! (exec 3<>"/dev/tcp/127.0.0.1/$PINPIPE_TRINO_PORT") 2>/dev/null || it_fail "port $PINPIPE_TRINO_PORT still listening"
! ss -Hltnp 2>/dev/null | grep -q "pid=$pid," || it_fail "pid $pid still holds a listening socket"
it_ok "Trino stopped by its pid ($pid); nothing listens on $PINPIPE_TRINO_PORT"
# this run's harness started it: it stays stopped (its cleanup finds it so); else restore it
case " ${PINPIPE_IT_STARTED:-} " in
  *" trino "*) restore=${PINPIPE_KEEP_SERVICES:-0} ;;
  *) restore=1 ;;
esac
if [ "$restore" = 1 ]; then
  bash "$ROOT/ci/services/trino.sh" up >/dev/null || it_fail "could not bring Trino back up"
fi
