#!/usr/bin/env bash
# Specification of the batch's three kinds and their join (docs/joins.md, docs/batch.md
# "Kinds and the join") against real Kafka, S3 and Cassandra:
#  1. a small join corpus on three 3-partition topics — pins (pinpipe produce, keyed by
#     unique_id), geo and users (kcat, keyed by ind, header pinpipe-kind): posts that
#     join (one with two pins), sides that never meet, a user whose event time is on
#     the next day, repeated geo/user/pin events (the first wins), sides sent out of
#     order, and geo events the cleaner rejects — through ONE lake writer (the three
#     topics in one group) -> `pinpipe batch --from D --to D+1`;
#  2. Cassandra's geo and users rows are the first occurrences; the rejects are there
#     with their reasons; the side and join metrics equal the values worked out by
#     hand below, and every metric equals `pinpipe metrics --input mixed` over the
#     same bytes;
#  3. a re-run of the day gives identical tables;
#  4. N = 2 and 3 shards + finalize give pins, geo, users, rejects and metrics
#     identical to the single-process run (the finalize joins across shards);
#  5. the hand-written join corpus (fixtures/join/corpus.jsonl, its metrics computed by
#     hand in fixtures/join/expected.jsonl) through the same path: every expected row,
#     and no other row of those metrics, in Cassandra — whole-day and 3 shards + finalize.
# needs: kafka s3 cassandra
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../ci/services/env.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
it_init batch_join_it
D=2026-02-01
D1=2026-02-02
INGEST="$D 12:00:00"
INGEST_MS=$(($(date -u -d "$INGEST" +%s) * 1000))
run="batch_join_$RUN"
it_isolated_run "$run"
export PINPIPE_GEO_TOPIC="$run-geo" PINPIPE_USERS_TOPIC="$run-users"
ks="$run"

# ---- 1. the corpus ---------------------------------------------------------------------
pin() { # pin IND UNIQUE_ID CATEGORY FOLLOWERS TIME
  printf '{"index": %s, "unique_id": "%s", "title": "t", "description": "d", "poster_name": "p%s", ' "$1" "$2" "$1"
  printf '"follower_count": "%s", "tag_list": "a,b", "is_image_or_video": "image", "image_src": "x", ' "$4"
  printf '"downloaded": 1, "save_location": "Local save in /data/x", "category": "%s", "timestamp": "%s"}\n' "$3" "$5"
}
geo() { # geo IND COUNTRY TIME -> key|value
  printf '%s|{"ind": %s, "timestamp": "%s", "latitude": 48.5, "longitude": 2.25, "country": "%s"}\n' "$1" "$1" "$3" "$2"
}
user() { # user IND FIRST AGE JOINED TIME -> key|value
  printf '%s|{"ind": %s, "first_name": "%s", "last_name": "L", "age": %s, "date_joined": "%s", "timestamp": "%s"}\n' \
    "$1" "$1" "$2" "$3" "$4" "$5"
}
{
  pin 1 p1 art 100 "$D 10:00:00"
  pin 1 p1 art 999 "$D 10:30:00" # a repeat of p1: the first wins
  pin 2 p2 travel 200 "$D 09:00:00"
  pin 2 p3 travel 50 "$D 09:05:00"
  pin 3 p4 food 10 "$D 11:00:00"   # no geo, no user: unmatched pin
  pin 7 p5 art 70 "$D 13:00:00"    # its user is on the next day
} >"$TMP/pins.jsonl"
{
  geo 1 France "$D 10:00:00"
  geo 1 Germany "$D 08:00:00" # a repeat of ind 1 (earlier event time, later offset): France stays
  geo 2 Spain "$D 09:00:00"
  geo 4 Italy "$D 14:00:00"   # alone: unmatched geo
  geo 6 Peru "$D 15:00:00"    # with a user, no pin: both unmatched
  geo 7 Chile "$D 13:00:00"
  printf '8|{"ind": 8, "timestamp": "%s", "longitude": 1, "country": "X"}\n' "$D 16:00:00" # missing_field
  printf '9|not json\n'                                                                    # invalid_json
} >"$TMP/geo.txt"
{
  user 1 Ada 30 "2020-05-01 00:00:00" "$D 10:00:00"
  user 2 Bob 60 "2019-01-01 00:00:00" "$D 09:00:00"
  user 2 Bob 61 "2018-01-01 00:00:00" "$D 09:30:00" # a repeat: the first wins
  user 5 Eve 20 "2021-01-01 00:00:00" "$D 17:00:00" # alone: unmatched user
  user 6 Ida 40 "2015-01-01 00:00:00" "$D 15:00:00"
  user 7 Joe 35 "2022-01-01 00:00:00" "$D1 01:00:00" # the next day: never meets p5
} >"$TMP/users.txt"

"$BIN/pinpipe" produce --partitions 3 --ingest-time "$INGEST" "$TMP/pins.jsonl" 2>"$TMP/produce.log" ||
  { cat "$TMP/produce.log"; it_fail "produce pins"; }
side() { # side KIND TOPIC FILE: keyed by ind, the kind's headers
  "$BIN/pinpipe" produce --topic "$2" --partitions 3 /dev/null 2>>"$TMP/produce.log" || it_fail "create $2"
  kcat -P -b "$PINPIPE_KAFKA_BROKERS" -t "$2" -K '|' -H "pinpipe-kind=$1" -H "pinpipe-ingest-time=$INGEST_MS" \
    -H "pinpipe-schema=1" <"$3" 2>>"$TMP/produce.log" || { cat "$TMP/produce.log"; it_fail "kcat $2"; }
}
# the users first: out of order with the pins and geo of the same posts
side user "$PINPIPE_USERS_TOPIC" "$TMP/users.txt"
side geo "$PINPIPE_GEO_TOPIC" "$TMP/geo.txt"
"$BIN/pinpipe" lake --exit-when-idle 3000 --max-records 2 2>"$TMP/lake.log" ||
  { tail -20 "$TMP/lake.log"; it_fail "lake writer"; }
"$BIN/pinpipe" s3 ls "$PINPIPE_LAKE_PREFIX" >"$TMP/objects.txt"
for t in "$run" "$run-geo" "$run-users"; do
  grep -q "dt=$D/$t-" "$TMP/objects.txt" || { cat "$TMP/objects.txt"; it_fail "no lake object of topic $t"; }
done
grep -q "dt=$D1/$run-users-" "$TMP/objects.txt" || it_fail "the next day's user is not filed under $D1"
it_ok "one lake writer, three topics: objects of each, the late user under $D1"

batch() { # batch OUT ARGS...
  local out="$1"
  shift
  "$BIN/pinpipe" batch "$@" >"$TMP/$out.txt" 2>"$TMP/$out.log" || { cat "$TMP/$out.txt" "$TMP/$out.log"; it_fail "batch $*"; }
}
batch single --from "$D" --to "$D1"
[ "$(grep -c ' status=done ' "$TMP/single.txt")" = 2 ] || { cat "$TMP/single.txt"; it_fail "not 2 days done"; }

# ---- 2. rows and metrics ------------------------------------------------------------------
dump() { # dump DIR: the day's tables, sorted
  mkdir -p "$1"
  it_cql_rows "SELECT * FROM $ks.pins WHERE $(pins_day_where "$D")" >"$1/pins"
  it_cql_rows "SELECT * FROM $ks.geo WHERE event_day = '$D'" >"$1/geo"
  it_cql_rows "SELECT * FROM $ks.users WHERE event_day = '$D'" >"$1/users"
  it_cql_rows "SELECT * FROM $ks.rejects WHERE day = '$D'" >"$1/rejects"
  it_metrics_cql "$ks" >"$1/metrics"
}
dump "$TMP/ref"
got=$(jq -r '"\(.ind) \(.country)"' "$TMP/ref/geo" | sort | paste -sd,)
[ "$got" = "1 France,2 Spain,4 Italy,6 Peru,7 Chile" ] || it_fail "geo rows: $got"
got=$(jq -r '"\(.ind) \(.user_name) \(.age)"' "$TMP/ref/users" | sort | paste -sd,)
[ "$got" = "1 Ada L 30,2 Bob L 60,5 Eve L 20,6 Ida L 40" ] || it_fail "users rows: $got"
[ "$(wc -l <"$TMP/ref/pins")" = 5 ] || it_fail "pins: $(wc -l <"$TMP/ref/pins"), want 5"
got=$(jq -r '.reason' "$TMP/ref/rejects" | sort | paste -sd,)
[ "$got" = "invalid_json,missing_field" ] || it_fail "rejects: $got"
it_ok "geo and users rows are the first occurrences; the rejected geo events are in rejects with their reasons"

expect() { # expect METRIC DAY KEY VALUE
  grep -qxF "$1|$2|$3|$(jq -r --arg m "$1" '.[$m]' <<<'{"records_by_kind":"count","posts_joined":"count","join_unmatched":"sum"}')|$4" \
    "$TMP/ref/metrics" || { grep "^$1|" "$TMP/ref/metrics"; it_fail "want $1 $2 $3 = $4"; }
}
expect records_by_kind "$D" geo 5
expect records_by_kind "$D" user 4
expect records_by_kind "$D1" user 1
expect posts_joined "$D" all 3          # p1 (ind 1), p2 and p3 (ind 2)
expect join_unmatched "$D" geo 3        # ind 4, 6, 7
expect join_unmatched "$D" user 2       # ind 5, 6
expect join_unmatched "$D1" user 1      # ind 7
# unmatched pins (p4; p5, whose user is on $D1) are pins_total - posts_joined: no row
! grep -q "^join_unmatched|$D|pin|" "$TMP/ref/metrics" || it_fail "a join_unmatched pin row"
it_ok "side and join metrics as worked out by hand (joined 3; unmatched geo 3, user 2; the late user on $D1)"

# every metric, as `pinpipe metrics --input mixed` computes it offline over the same bytes
{ jq -Rc '{kind: "pin", raw: ., ingest_time: '"$INGEST_MS"'}' "$TMP/pins.jsonl"
  cut -d'|' -f2- "$TMP/geo.txt" | jq -Rc '{kind: "geo", raw: ., ingest_time: '"$INGEST_MS"'}'
  cut -d'|' -f2- "$TMP/users.txt" | jq -Rc '{kind: "user", raw: ., ingest_time: '"$INGEST_MS"'}'
} >"$TMP/mixed.jsonl"
"$BIN/pinpipe" metrics --input mixed "$TMP/mixed.jsonl" |
  jq -r '[.metric, .day, .key, .kind, (.value | tostring)] | join("|")' | LC_ALL=C sort >"$TMP/offline.txt"
diff "$TMP/offline.txt" "$TMP/ref/metrics" || it_fail "Cassandra's metrics differ from pinpipe metrics --input mixed"
it_ok "every metric of both days equals pinpipe metrics --input mixed over the same events"

# ---- 3. idempotent -------------------------------------------------------------------------
batch again --date "$D"
dump "$TMP/again"
same() { # same DIR WHAT
  local t
  for t in pins geo users rejects metrics; do
    cmp -s "$TMP/ref/$t" "$1/$t" || { diff "$TMP/ref/$t" "$1/$t" | head; it_fail "$2: $t differ"; }
  done
}
same "$TMP/again" "a re-run of $D"
it_ok "a re-run gives identical tables"

# ---- 4. shards + finalize = the single-process run -----------------------------------------
for n in 2 3; do
  for ((i = 0; i < n; i++)); do batch "s$i-$n" --date "$D" --shard "$i/$n"; done
  batch "fin$n" --date "$D" --finalize "$n"
  dump "$TMP/n$n"
  same "$TMP/n$n" "$n shards + finalize"
done
it_ok "N = 2, 3 shards + finalize: pins, geo, users, rejects and metrics identical to the single-process run"

# ---- 5. the hand-written join corpus ---------------------------------------------------------
c="$run-c"
export PINPIPE_TOPIC="$c" PINPIPE_GEO_TOPIC="$c-geo" PINPIPE_USERS_TOPIC="$c-users" PINPIPE_LAKE_GROUP="$c-lake"
export PINPIPE_LAKE_PREFIX="it-$run/corpus/"
it_s3_prefix "$PINPIPE_LAKE_PREFIX"
corpus="$PINPIPE_ROOT/fixtures/join/corpus.jsonl"
INGEST_MS=$(($(date -u -d "2026-03-01 12:00:00" +%s) * 1000))
jq -c 'select(.kind == "pin") | .event' "$corpus" >"$TMP/c-pins.jsonl"
jq -r 'select(.kind == "geo") | "\(.event.ind)|\(.event | tojson)"' "$corpus" >"$TMP/c-geo.txt"
jq -r 'select(.kind == "user") | "\(.event.ind)|\(.event | tojson)"' "$corpus" >"$TMP/c-users.txt"
"$BIN/pinpipe" produce --partitions 3 --ingest-time "2026-03-01 12:00:00" "$TMP/c-pins.jsonl" 2>>"$TMP/produce.log" ||
  { cat "$TMP/produce.log"; it_fail "produce the corpus' pins"; }
side user "$PINPIPE_USERS_TOPIC" "$TMP/c-users.txt"
side geo "$PINPIPE_GEO_TOPIC" "$TMP/c-geo.txt"
"$BIN/pinpipe" lake --exit-when-idle 3000 2>"$TMP/lake-c.log" || { tail -20 "$TMP/lake-c.log"; it_fail "lake (corpus)"; }
want_rows() {
  jq -r '"\(.metric)|\(.day)|\(.key)|\(.value)"' "$PINPIPE_ROOT/fixtures/join/expected.jsonl" | LC_ALL=C sort
}
got_rows() { # the rows of the metrics expected.jsonl names
  local re
  re="^($(jq -r .metric "$PINPIPE_ROOT/fixtures/join/expected.jsonl" | sort -u | paste -sd'|'))\\|"
  it_metrics_cql "$ks" | grep -E "$re" | awk -F'|' '$2 ~ /^2026-03-0[12]$/ {print $1 "|" $2 "|" $3 "|" $5}' | LC_ALL=C sort
}
want_rows >"$TMP/c-want.txt"
batch c-single --from 2026-03-01 --to 2026-03-02
got_rows >"$TMP/c-got.txt"
diff "$TMP/c-want.txt" "$TMP/c-got.txt" || it_fail "the join corpus: Cassandra's rows differ from fixtures/join/expected.jsonl"
for ((i = 0; i < 3; i++)); do batch "c-s$i" --date 2026-03-01 --shard "$i/3"; done
batch c-fin --date 2026-03-01 --finalize 3
got_rows >"$TMP/c-got3.txt"
diff "$TMP/c-want.txt" "$TMP/c-got3.txt" || it_fail "the join corpus, 3 shards + finalize: rows differ from expected.jsonl"
it_ok "the hand-written join corpus: Cassandra's join and side metrics are fixtures/join/expected.jsonl's, whole-day and 3 shards + finalize"
