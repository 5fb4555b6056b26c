#!/usr/bin/env bash
# Specification of the join of a post's three events (docs/joins.md), end to end:
#  1. the join corpus (fixtures/join/corpus.jsonl) posted to /pin/, /geo/ and /user/ in
#     two halves — the second after the stream has committed the first, so partners
#     arrive late — goes through Kafka's three topics to both paths; the join metrics in
#     PostgreSQL and in Cassandra equal the ones written by hand (fixtures/join/
#     expected.jsonl; the two lines the API refuses with 422 never reach Kafka), and
#     parity passes over the three topics;
#  2. an emulator run with --kinds all (posts' events out of order and delayed, spread
#     over partitions): parity passes and both stores' join metrics equal the emulator's
#     manifest and `pinpipe metrics` offline on the same events;
#  3. the join rule broken in one stream (PINPIPE_DISABLE_JOIN_RULES=join_requires_geo)
#     makes parity fail on a join metric: the check can fail.
# needs: kafka s3 cassandra postgres
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../ci/services/env.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
it_init join_it
API_PORT=$((20000 + ($$ + 7) % 10000))
DAY=2026-03-01
JOIN_METRICS='^(posts_|followers_by_|max_followers_by_country_user|join_unmatched|records_by_kind|users_by_join_year)'

# join rows of a store's "metric|day|key|kind|value" lines, as "metric|day|key|value"
join_rows() { awk -F'|' -v re="$JOIN_METRICS" '$1 ~ re {print $1 "|" $2 "|" $3 "|" $5}' | LC_ALL=C sort; }

# post FILE: each mixed-input line to its kind's path; prints the status codes
post_mixed() {
  local line kind body
  while IFS= read -r line; do
    kind=$(jq -r .kind <<<"$line")
    body=$(jq -c .event <<<"$line")
    curl -s -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/json' --data-binary "$body" \
      "http://127.0.0.1:$API_PORT/$kind/"
  done < "$1"
}

start_pipeline() { # NAME: api, stream, lake writer of an isolated run with the three kinds
  it_isolated_kinds "$1"
  "$BIN/pinpipe" api --port "$API_PORT" 2>"$TMP/$1.api.log" & api=$!
  it_on_exit "kill $api 2>/dev/null"
  "$BIN/pinpipe" stream 2>"$TMP/$1.stream.log" & stream=$!
  it_on_exit "kill $stream 2>/dev/null"
  "$BIN/pinpipe" lake --max-age-ms 1000 2>"$TMP/$1.lake.log" & lake=$!
  it_on_exit "kill $lake 2>/dev/null"
  it_wait_until 30 curl -sf -o /dev/null "http://127.0.0.1:$API_PORT/healthz" || it_fail "$1: API not healthy"
}

stream_at() { [ "$(psql "$PINPIPE_PG_DSN" -qAt -c 'SELECT coalesce(sum(next_offset),0) FROM stream_offsets')" = "$1" ]; }

drain_and_stop() { # NAME: waits until both paths hold everything Kafka has, stops the daemons
  local hw
  hw=$(it_high_watermark "$PINPIPE_TOPIC" "$PINPIPE_GEO_TOPIC" "$PINPIPE_USERS_TOPIC")
  it_wait_until 120 stream_at "$hw" || it_fail "$1: the stream did not consume all $hw messages"
  it_wait_until 120 lake_committed_all "$hw" || it_fail "$1: the lake writer did not commit all $hw messages"
  kill -TERM "$stream" "$lake" "$api"
  wait "$stream" || it_fail "$1: stream exit status on SIGTERM"
  wait "$lake" || it_fail "$1: lake exit status on SIGTERM"
  wait "$api" || true
}

# the lake writer's committed offsets over the three topics
lake_committed_all() { [ "$(it_lake_committed "$PINPIPE_TOPIC" "$PINPIPE_GEO_TOPIC" "$PINPIPE_USERS_TOPIC")" = "$1" ]; }

# ---- 1. the hand-written corpus, in two halves ------------------------------------------
start_pipeline "join_c_$RUN"
head -n 14 "$PINPIPE_ROOT/fixtures/join/corpus.jsonl" > "$TMP/first.jsonl"
tail -n +15 "$PINPIPE_ROOT/fixtures/join/corpus.jsonl" > "$TMP/second.jsonl"
post_mixed "$TMP/first.jsonl" > "$TMP/codes1"
it_wait_until 60 stream_at "$(it_high_watermark "$PINPIPE_TOPIC" "$PINPIPE_GEO_TOPIC" "$PINPIPE_USERS_TOPIC")" ||
  it_fail "corpus: the stream did not store the first half"
post_mixed "$TMP/second.jsonl" > "$TMP/codes2"
[ "$(cat "$TMP/codes1" "$TMP/codes2" | sort | uniq -c | awk '{print $2 "x" $1}' | paste -sd' ')" = "200x25 422x2" ] ||
  it_fail "corpus: the API answered $(sort "$TMP/codes1" "$TMP/codes2" | uniq -c | paste -sd' ')"
drain_and_stop corpus
"$BIN/pinpipe" batch --date "$DAY" > "$TMP/corpus.batch.txt" 2>"$TMP/corpus.batch.log" ||
  { tail -20 "$TMP/corpus.batch.log"; it_fail "corpus: batch"; }
"$BIN/pinpipe" batch --date 2026-03-02 > /dev/null 2>>"$TMP/corpus.batch.log" || it_fail "corpus: batch of day 2"
"$BIN/pinpipe" parity --from "$DAY" --to 2026-03-02 > "$TMP/corpus.parity.txt" 2>&1 ||
  { cat "$TMP/corpus.parity.txt"; it_fail "corpus: parity failed"; }
grep -q "^parity: PASS — 2 day(s) compared, 0 skipped" "$TMP/corpus.parity.txt" ||
  { cat "$TMP/corpus.parity.txt"; it_fail "corpus: not both days compared"; }
jq -r 'select(.metric != "rejected_events") | [.metric, .day, .key, (.value | tostring)] | join("|")' \
  "$PINPIPE_ROOT/fixtures/join/expected.jsonl" | LC_ALL=C sort > "$TMP/want"
it_metrics_pg "$PINPIPE_PG_DSN" | join_rows > "$TMP/pg"
it_metrics_cql "$PINPIPE_CASSANDRA_KEYSPACE" | join_rows > "$TMP/cql"
diff "$TMP/want" "$TMP/pg" || it_fail "corpus: PostgreSQL's join metrics differ from fixtures/join/expected.jsonl"
diff "$TMP/want" "$TMP/cql" || it_fail "corpus: Cassandra's join metrics differ from fixtures/join/expected.jsonl"
it_ok "hand-written corpus, partners late: both stores hold the hand-computed join metrics ($(wc -l < "$TMP/want") rows); parity passes on 3 topics"

# ---- 2. an emulator run with the three kinds ---------------------------------------------
START_DAY=$(date -u -d '-1 days' +%F) END_DAY=$(date -u +%F)
"$BIN/pinpipe-emulate" --seed 5 --count 3000 --days 2 --start-date "$START_DAY" --kinds all \
  --out "$TMP/emu.jsonl" --manifest "$TMP/emu.manifest.json" 2>/dev/null || it_fail "emulator (file)"
start_pipeline "join_e_$RUN"
"$BIN/pinpipe-emulate" --seed 5 --count 3000 --days 2 --start-date "$START_DAY" --kinds all \
  --target "http://127.0.0.1:$API_PORT/" --concurrency 8 > "$TMP/emu.txt" 2>/dev/null ||
  it_fail "emulator (target): $(cat "$TMP/emu.txt")"
drain_and_stop emulator
"$BIN/pinpipe" batch --from "$START_DAY" --to "$END_DAY" > /dev/null 2>"$TMP/emu.batch.log" ||
  { tail -20 "$TMP/emu.batch.log"; it_fail "emulator: batch"; }
"$BIN/pinpipe" parity --from "$START_DAY" --to "$END_DAY" > "$TMP/emu.parity.txt" 2>&1 ||
  { cat "$TMP/emu.parity.txt"; it_fail "emulator: parity failed"; }
"$BIN/pinpipe" metrics "$TMP/emu.jsonl" | jq -r '[.metric, .day, .key, .kind, (.value | tostring)] | join("|")' |
  join_rows > "$TMP/emu.offline"
it_metrics_pg "$PINPIPE_PG_DSN" | join_rows > "$TMP/emu.pg"
it_metrics_cql "$PINPIPE_CASSANDRA_KEYSPACE" | join_rows > "$TMP/emu.cql"
diff "$TMP/emu.offline" "$TMP/emu.pg" > /dev/null || it_fail "emulator: PostgreSQL's join metrics differ from offline"
diff "$TMP/emu.offline" "$TMP/emu.cql" > /dev/null || it_fail "emulator: Cassandra's join metrics differ from offline"
for d in $(jq -r '.days[].day' "$TMP/emu.manifest.json"); do
  want=$(jq -r --arg d "$d" '.days[] | select(.day == $d) | .join.posts_joined' "$TMP/emu.manifest.json")
  got=$(awk -F'|' -v d="$d" '$1 == "posts_joined" && $2 == d {print $4}' "$TMP/emu.pg")
  [ "${got:-0}" = "$want" ] || it_fail "emulator: $d posts_joined $got in the stores, $want in the manifest"
done
it_ok "emulator, out of order over partitions: parity passes; join metrics in both stores = offline = the manifest's posts_joined ($(wc -l < "$TMP/emu.pg") rows)"

# ---- 3. the join rule broken in a second stream -------------------------------------------
broken_dsn=$(it_pg_schema "join_b_$RUN")
it_on_exit "psql '$PINPIPE_PG_DSN' -qAt -c 'DROP SCHEMA IF EXISTS join_b_$RUN CASCADE' >/dev/null"
PINPIPE_PG_DSN="$broken_dsn" PINPIPE_STREAM_GROUP="join_b_$RUN" PINPIPE_DISABLE_JOIN_RULES=join_requires_geo \
  "$BIN/pinpipe" stream --exit-when-idle 5000 2>"$TMP/broken.stream.log" || it_fail "broken: stream"
set +e
PINPIPE_PG_DSN="$broken_dsn" PINPIPE_STREAM_GROUP="join_b_$RUN" \
  "$BIN/pinpipe" parity --from "$START_DAY" --to "$END_DAY" > "$TMP/broken.parity.txt" 2>&1
rc=$?
set -e
[ "$rc" = 1 ] || { cat "$TMP/broken.parity.txt"; it_fail "broken join rule: parity did not fail (exit $rc)"; }
grep -Eq "^DIFF .*(posts_|join_unmatched|followers_by_)" "$TMP/broken.parity.txt" ||
  { cat "$TMP/broken.parity.txt"; it_fail "broken join rule: the difference names no join metric"; }
it_ok "the join rule broken in one stream: parity fails and names $(grep -m1 '^DIFF' "$TMP/broken.parity.txt" | awk '{print $3, $4}')"
