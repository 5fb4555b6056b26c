#!/usr/bin/env bash
# Specification of the join's analyses in the serving layer (GET /api/v1/join,
# docs/serve.md), against real stores, with serve reading three topics (pins, geo,
# users: --geo-topic/--users-topic):
#  1. a pin-only day through the pipeline (the stores' schemas, the stream's offsets, a
#     batch run whose coverage names the pins topic alone: the batch answers it); the join metrics of
#     fixtures/join/corpus.jsonl written into the stream's table (as the stream stores
#     them) with no batch run for their days: every analysis answers from the stream with
#     the figures of fixtures/join/README.md (computed by hand);
#  2. the same rows written into Cassandra with a done batch run covering every topic:
#     the days flip to the batch, parity equal, and every analysis answers the same;
#  3. each day's source is the authority `pinpipe parity` gives over the same topics: a
#     geo record the stream has read and no run covers makes every day the stream's (by
#     the pins topic alone they would stay the batch's); newer runs covering it, the
#     batch's again — the analyses unchanged throughout;
#  4. CSV, and 400 for an unknown or missing analysis;
#  5. the corpus through the pipeline's batch (three topics -> the lake -> pinpipe batch):
#     the analyses from that batch give the same hand-computed figures.
# needs: kafka s3 cassandra postgres
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../ci/services/env.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
it_init serve_join_it
D0=2026-02-28 D1=2026-03-01 D2=2026-03-02
run="servejoin_$RUN"
it_isolated_run "$run"
GEO="$run-geo" USERS="$run-users"

# ---- 1. -----------------------------------------------------------------------------------
"$BIN/pinpipe-emulate" --seed 71 --count 40 --days 1 --start-date "$D0" --out "$TMP/pins.jsonl" 2>/dev/null
"$BIN/pinpipe" produce --partitions 1 --ingest-time "$D0 00:00:00" "$TMP/pins.jsonl" 2>"$TMP/produce.log" ||
  { cat "$TMP/produce.log"; it_fail "produce"; }
: >"$TMP/empty.jsonl"
for t in "$GEO" "$USERS"; do # the geo and users topics exist, empty
  "$BIN/pinpipe" produce --topic "$t" --partitions 1 "$TMP/empty.jsonl" 2>>"$TMP/produce.log" ||
    { cat "$TMP/produce.log"; it_fail "create topic $t"; }
done
"$BIN/pinpipe" lake --exit-when-idle 3000 2>"$TMP/lake.log" || { tail "$TMP/lake.log"; it_fail "lake writer"; }
"$BIN/pinpipe" stream --exit-when-idle 3000 2>"$TMP/stream.log" || { tail "$TMP/stream.log"; it_fail "stream"; }
"$BIN/pinpipe" batch --date "$D0" >"$TMP/batch.txt" 2>"$TMP/batch.log" || { cat "$TMP/batch.log"; it_fail "batch"; }

# the corpus's metrics (fixtures/join/expected.jsonl and the pins' own), as the stream stores them
"$BIN/pinpipe" metrics "$PINPIPE_ROOT/fixtures/join/corpus.jsonl" >"$TMP/join.jsonl" 2>/dev/null ||
  it_fail "pinpipe metrics on the join corpus"
jq -r '[.metric, .day, .key, .kind, .value] | @csv' "$TMP/join.jsonl" |
  psql "$PINPIPE_PG_DSN" -qAt -v ON_ERROR_STOP=1 \
    -c "\\copy metrics (metric, day, key, kind, value) FROM STDIN WITH (FORMAT csv)" ||
  it_fail "writing the join metrics into PostgreSQL"

export PINPIPE_GEO_TOPIC="$GEO" PINPIPE_USERS_TOPIC="$USERS" # serve and parity alike
"$BIN/pinpipe" serve --port 0 --refresh-ms 300 2>"$TMP/serve.log" &
serve_pid=$!
it_on_exit "kill -TERM $serve_pid 2>/dev/null || true"
URL=$(it_serve_url "$TMP/serve.log")
it_wait_until 20 curl -sf "$URL/healthz" -o /dev/null || { curl -s "$URL/healthz"; it_fail "serve /healthz"; }
RANGE="from=$D1&to=$D2"
get() { curl -s "$URL/api/v1/$1"; }
sources() { get "days?from=$D0&to=$D2" | jq -r '[.days[] | .source] | join(" ")'; }
sources_are() { [ "$(sources)" = "$1" ]; }
# ANALYSIS JQ WANT [GROUP]: the rows, reduced by JQ, are WANT, and every day came from one store
answer_is() {
  local got
  get "join?analysis=$1&$RANGE&group=${4:-all}" >"$TMP/answer.json"
  got=$(jq -c "[.rows[] | $2]" "$TMP/answer.json")
  [ "$got" = "$3" ] || { jq . "$TMP/answer.json"; it_fail "$where: $1: $got, want $3"; }
}
check_analyses() {
  where="$1"
  answer_is top_category_by_country '[.country, .category, .posts]' '[["France","art",3],[null,"travel",1]]'
  answer_is top_user_by_country '[.country, .user_name, .followers]' '[["France","Eve Ng",6000]]'
  answer_is median_followers_by_age_group '[.age_group, .median_followers, .posts]' \
    '[["18-24",10,1],["25-35",1000,1],["36-50",1250,2],["50+",6000,1]]'
  answer_is median_followers_by_join_year '[.join_year, .median_followers, .posts]' \
    '[[2015,1000,1],[2016,1250,2],[2018,6000,1],[null,10,1]]'
  answer_is users_by_join_year '[.join_year, .users]' '[[2014,1],[2015,1],[2016,1],[2017,1],[2018,1],[2019,1],[null,1]]'
  answer_is posts_by_age_group_category '[.age_group, .category, .posts]' \
    '[["18-24","art",1],["25-35","art",1],["36-50","art",1],["36-50","food",1],["50+","food",1],[null,"travel",1]]'
  answer_is join_quality '[.pins, .posts_joined, .unmatched_pins, .unmatched_geo, .unmatched_user]' '[[8,6,2,2,2]]'
  answer_is join_quality '[.period, .pins, .posts_joined, .unmatched_pins, .unmatched_geo, .unmatched_user]' \
    "[[\"$D1\",7,6,1,2,2],[\"$D2\",1,0,1,0,0]]" day
  jq -e --arg s "$2" '.sources | length == 1 and .[0].source == $s and .[0].days == 2' "$TMP/answer.json" >/dev/null ||
    { jq .sources "$TMP/answer.json"; it_fail "$where: the answer's sources are not 2 days of the $2"; }
}
it_wait_until 10 sources_are "batch stream stream" || it_fail "before any batch run of the join days: $(sources)"
check_analyses "from the stream" stream
it_ok "from the stream: every analysis gives the hand-computed figures (top category and user per country, exact medians, users per join year, join quality)"

# ---- 2. -----------------------------------------------------------------------------------
ks="$PINPIPE_CASSANDRA_KEYSPACE"
run0=$("$BIN/pinpipe" cql --format json -e "SELECT lake_coverage, lake_read FROM $ks.batch_runs WHERE day = '$D0'")
[ -n "$run0" ] || it_fail "no batch run of $D0"
# the run's coverage of the pins topic, and of the geo and users topics (empty: offset 0)
cov=$(jq -c --arg g "$GEO" --arg u "$USERS" '.lake_coverage | fromjson | .more_topics = {($g): {"0": 0}, ($u): {"0": 0}}' <<<"$run0")
rd=$(jq -r '.lake_read' <<<"$run0")
q() { printf '%s' "${1//\'/\'\'}"; } # a CQL string literal's body
{
  jq -r --arg ks "$ks" '"INSERT INTO \($ks).metrics (day, metric, key, kind, value) VALUES (\u0027\(.day)\u0027, \u0027\(.metric)\u0027, \u0027\(.key | gsub("\u0027"; "\u0027\u0027"))\u0027, \u0027\(.kind)\u0027, \(.value));"' "$TMP/join.jsonl"
  for d in "$D1" "$D2"; do
    echo "INSERT INTO $ks.batch_runs (day, run_at, status, host, write_ts, lake_coverage, lake_read) VALUES ('$d', toTimestamp(now()), 'done', 'serve_join_it', $(date +%s%6N), '$(q "$cov")', '$(q "$rd")');"
  done
} >"$TMP/batch.cql"
"$BIN/pinpipe" cql -f "$TMP/batch.cql" >/dev/null || it_fail "writing the join metrics into Cassandra"
it_wait_until 10 sources_are "batch batch batch" || { get "days?from=$D0&to=$D2" | jq .; it_fail "after the batch runs: $(sources)"; }
get "days?$RANGE" | jq -e '[.days[] | .parity == "equal" and .complete] | all' >/dev/null ||
  { get "days?$RANGE" | jq .; it_fail "the batch days are not parity-equal and complete"; }
check_analyses "from the batch" batch
it_ok "from the batch (parity equal): the same figures"

# ---- 3. -----------------------------------------------------------------------------------
"$BIN/pinpipe" parity --json --from "$D0" --to "$D2" >"$TMP/parity.json" 2>"$TMP/parity.log" || true
authority=$(jq -r '[.days[] | .authority] | join(" ")' "$TMP/parity.json")
[ "$authority" = "$(sources)" ] || { cat "$TMP/parity.log"; it_fail "parity says $authority, serve $(sources)"; }
# a geo record the stream has read (its offset, as the stream stores it) and no run
# covers: every day is the stream's — with the pins topic alone they would be the batch's
sed -n 2p "$PINPIPE_ROOT/fixtures/join/corpus.jsonl" >"$TMP/geo.jsonl"
"$BIN/pinpipe" produce --topic "$GEO" "$TMP/geo.jsonl" 2>>"$TMP/produce.log" || { cat "$TMP/produce.log"; it_fail "produce geo"; }
psql "$PINPIPE_PG_DSN" -qAt -v ON_ERROR_STOP=1 -c "INSERT INTO stream_offsets (consumer_group, topic, kafka_partition, next_offset)
  VALUES ('$PINPIPE_STREAM_GROUP', '$GEO', 0, 1)" || it_fail "the stream's geo offset"
agree() { # serve's sources are WANT and parity's authorities too
  it_wait_until 10 sources_are "$1" || { get "days?from=$D0&to=$D2" | jq .; it_fail "$2: $(sources), want $1"; }
  "$BIN/pinpipe" parity --json --from "$D0" --to "$D2" >"$TMP/parity.json" 2>"$TMP/parity.log" || true
  authority=$(jq -r '[.days[] | .authority] | join(" ")' "$TMP/parity.json")
  [ "$authority" = "$1" ] || { cat "$TMP/parity.log"; it_fail "$2: parity says $authority, serve $1"; }
}
agree "stream stream stream" "the stream read a geo record no run covers"
pins_only=$(PINPIPE_GEO_TOPIC='' PINPIPE_USERS_TOPIC='' "$BIN/pinpipe" parity --json --from "$D0" --to "$D2" 2>/dev/null |
  jq -r '[.days[] | .authority] | join(" ")') || true
[ "$pins_only" = "batch batch batch" ] || it_fail "by the pins topic alone: $pins_only, want batch batch batch"
check_analyses "from the stream, ahead on geo" stream
# newer runs of the join days covering that geo record: theirs again
cov=$(jq -c '.more_topics[$g] = {"0": 1}' --arg g "$GEO" <<<"$cov")
for d in "$D1" "$D2"; do
  echo "INSERT INTO $ks.batch_runs (day, run_at, status, host, write_ts, lake_coverage, lake_read) VALUES ('$d', toTimestamp(now()), 'done', 'serve_join_it', $(date +%s%6N), '$(q "$cov")', '$(q "$rd")');"
done >"$TMP/runs.cql"
"$BIN/pinpipe" cql -f "$TMP/runs.cql" >/dev/null || it_fail "the newer batch runs"
agree "stream batch batch" "runs covering the geo record"
check_analyses "from the batch, covering geo" batch
it_ok "over three topics serve decides every day as parity: batch batch batch; a geo record the stream read and no run covers: stream stream stream (pins alone: batch); runs covering it: stream batch batch"

# ---- 4. -----------------------------------------------------------------------------------
csv=$(curl -s "$URL/api/v1/join?analysis=median_followers_by_age_group&$RANGE&format=csv" | tr -d '\r')
want=$'period,age_group,median_followers,posts\nall,18-24,10,1\nall,25-35,1000,1\nall,36-50,1250,2\nall,50+,6000,1'
[ "$csv" = "$want" ] || it_fail "CSV: $csv"
for bad in "join?analysis=nope" "join?$RANGE" "join?analysis=join_quality&metric=pins_total"; do
  code=$(curl -s -o "$TMP/bad.json" -w '%{http_code}' "$URL/api/v1/$bad")
  { [ "$code" = 400 ] && jq -e '.parameter and (.allowed | length > 0)' "$TMP/bad.json" >/dev/null; } ||
    it_fail "$bad: $code $(cat "$TMP/bad.json")"
done
it_ok "CSV; an unknown or missing analysis, a parameter it does not take: 400"

# ---- 5. -----------------------------------------------------------------------------------
# the batch computed by the pipeline: the corpus on three topics of its own (pins by
# pinpipe produce; geo and users keyed by ind with the kind's headers, as the API writes
# them) -> one lake writer -> pinpipe batch, into a keyspace of its own; the stream has
# read none of it, so the batch covers the stream and answers
c="$run-c"
export PINPIPE_TOPIC="$c" PINPIPE_GEO_TOPIC="$c-geo" PINPIPE_USERS_TOPIC="$c-users" PINPIPE_LAKE_GROUP="$c-lake"
export PINPIPE_LAKE_PREFIX="it-$run/corpus/" PINPIPE_CASSANDRA_KEYSPACE="${run}_c"
it_s3_prefix "$PINPIPE_LAKE_PREFIX"
it_cql_keyspace "${run}_c"
corpus="$PINPIPE_ROOT/fixtures/join/corpus.jsonl"
ingest_ms=$(($(date -u -d "$D1 12:00:00" +%s) * 1000))
jq -c 'select(.kind == "pin") | .event' "$corpus" >"$TMP/c-pins.jsonl"
"$BIN/pinpipe" produce --partitions 1 --ingest-time "$D1 12:00:00" "$TMP/c-pins.jsonl" 2>>"$TMP/produce.log" ||
  { cat "$TMP/produce.log"; it_fail "produce the corpus' pins"; }
for k in geo user; do
  t="$PINPIPE_GEO_TOPIC"
  [ "$k" = user ] && t="$PINPIPE_USERS_TOPIC"
  jq -r --arg k "$k" 'select(.kind == $k) | "\(.event.ind)|\(.event | tojson)"' "$corpus" >"$TMP/c-$k.txt"
  "$BIN/pinpipe" produce --topic "$t" --partitions 1 /dev/null 2>>"$TMP/produce.log" || it_fail "create $t"
  kcat -P -b "$PINPIPE_KAFKA_BROKERS" -t "$t" -K '|' -H "pinpipe-kind=$k" -H "pinpipe-ingest-time=$ingest_ms" \
    -H "pinpipe-schema=1" <"$TMP/c-$k.txt" 2>>"$TMP/produce.log" || { cat "$TMP/produce.log"; it_fail "kcat $t"; }
done
"$BIN/pinpipe" lake --exit-when-idle 3000 2>"$TMP/lake-c.log" || { tail -20 "$TMP/lake-c.log"; it_fail "lake (corpus)"; }
"$BIN/pinpipe" batch --from "$D1" --to "$D2" >"$TMP/batch-c.txt" 2>"$TMP/batch-c.log" ||
  { cat "$TMP/batch-c.txt" "$TMP/batch-c.log"; it_fail "batch (corpus)"; }
"$BIN/pinpipe" serve --port 0 --refresh-ms 300 2>"$TMP/serve-c.log" &
serve_c=$!
it_on_exit "kill -TERM $serve_c 2>/dev/null || true"
URL_FIXED="$URL"
URL=$(it_serve_url "$TMP/serve-c.log")
it_wait_until 20 sh -c "curl -s '$URL/api/v1/days?$RANGE' | jq -e '[.days[].source] == [\"batch\", \"batch\"]' >/dev/null" ||
  { get "days?$RANGE" | jq .; it_fail "the pipeline's batch does not answer its days"; }
check_analyses "from the pipeline's batch" batch
kill -TERM "$serve_c"
wait "$serve_c" || it_fail "serve (corpus) exited $? on SIGTERM"
URL="$URL_FIXED"
it_ok "the corpus through Kafka (three topics), the lake and pinpipe batch: the analyses from that batch give the same figures"

kill -TERM "$serve_pid"
wait "$serve_pid" || it_fail "serve exited $? on SIGTERM"
it_ok "SIGTERM: serve exits 0"
