#!/usr/bin/env bash
# Specification of the serving layer (pinpipe serve, docs/serve.md), against real stores:
#  1. three days through both paths, the batch run for two of them: /api/v1/days serves
#     those two from the batch (parity equal) and the third from the stream; every
#     metric's numbers over the range equal `pinpipe metrics` on the same input, by day
#     and rolled up (group=all), and top-N is the head of the ranking;
#  2. the batch for the third day: its source flips to the batch, numbers unchanged;
#  3. Cassandra frozen (SIGSTOP by its pid file: a hung node): the stream, complete,
#     answers with the same numbers and each day says why; then records reach Kafka that
#     the stream has not read: no store is complete, so 503 with Retry-After naming
#     Cassandra — never a number; /healthz says unavailable; after SIGCONT serve recovers
#     by itself (the stream answers while ahead of the batch, the batch once it caught up);
#  4. bad parameters: 400 naming the parameter; CSV answers; answers past --max-rows or
#     --max-rollup: 400 (memory stays bounded); SIGTERM: exit 0;
#  5. the dashboard in headless Chromium (tests/browser/dashboard_check.py) shows the
#     API's figures with no console error; screenshot build/serve-dashboard.png.
# alone: freezes Cassandra (SIGSTOP)
# needs: kafka s3 cassandra postgres
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../ci/services/env.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
it_init serve_it
D1=2026-03-01 D2=2026-03-02 D3=2026-03-03
run="serve_$RUN"
it_isolated_run "$run"

"$BIN/pinpipe-emulate" --seed 61 --count 1500 --days 3 --start-date "$D1" --invalid-rate 0.02 \
  --out "$TMP/events.jsonl" 2>/dev/null
"$BIN/pinpipe" produce --partitions 2 --ingest-time "$D1 00:00:00" "$TMP/events.jsonl" 2>"$TMP/produce.log" ||
  { cat "$TMP/produce.log"; it_fail "produce"; }
"$BIN/pinpipe" lake --exit-when-idle 3000 2>"$TMP/lake.log" || { tail "$TMP/lake.log"; it_fail "lake writer"; }
"$BIN/pinpipe" stream --exit-when-idle 3000 2>"$TMP/stream.log" || { tail "$TMP/stream.log"; it_fail "stream"; }
batch() { "$BIN/pinpipe" batch "$@" >"$TMP/batch.txt" 2>"$TMP/batch.log" || { cat "$TMP/batch.log"; it_fail "batch $*"; }; }
batch --from "$D1" --to "$D2"

# serve on a free port, reading the stores' state every 300 ms
"$BIN/pinpipe" serve --port 0 --refresh-ms 300 --retry-after 7 2>"$TMP/serve.log" &
serve_pid=$!
it_on_exit "kill -TERM $serve_pid 2>/dev/null || true"
URL=$(it_serve_url "$TMP/serve.log")
it_wait_until 20 curl -sf "$URL/healthz" -o /dev/null || { curl -s "$URL/healthz"; it_fail "serve /healthz"; }
RANGE="from=$D1&to=$D3"
get() { curl -s "$URL/api/v1/$1"; }
sources() { get "days?$RANGE" | jq -r '[.days[] | .source] | join(" ")'; }
sources_are() { [ "$(sources)" = "$1" ]; }

# ---- 1. -----------------------------------------------------------------------------------
# metric, day, key, value: tab-separated (keys may hold '|')
"$BIN/pinpipe" metrics --ingest-time "$D1 00:00:00" "$TMP/events.jsonl" |
  jq -r '[.metric, .day, .key, (.value | tostring)] | join("\t")' | LC_ALL=C sort >"$TMP/offline.txt"
[ "$(sources)" = "batch batch stream" ] || { get "days?$RANGE" | jq .; it_fail "sources: $(sources), want batch batch stream"; }
get "days?$RANGE" | jq -e '[.days[:2][] | .parity == "equal" and .complete] | all' >/dev/null ||
  { get "days?$RANGE" | jq .; it_fail "the batch days are not parity-equal and complete"; }
served() { # every metric by day over the range, as offline.txt
  local m
  for m in $(get metrics | jq -r '.metrics[].metric'); do
    get "query?metric=$m&$RANGE&group=day" | jq -r --arg m "$m" '.rows[] | [$m, .period, .key, (.value | tostring)] | join("\t")'
  done | LC_ALL=C sort
}
check_numbers() {
  served >"$TMP/served.txt"
  diff "$TMP/offline.txt" "$TMP/served.txt" >"$TMP/numbers.diff" || { head -20 "$TMP/numbers.diff"; it_fail "$1: served numbers differ from pinpipe metrics"; }
}
check_numbers "two days batched"
want_all=$(grep -P '^pins_by_category\t' "$TMP/offline.txt" | awk -F'\t' '{s[$3] += $4} END {for (k in s) print s[k] "\t" k}' |
  LC_ALL=C sort -t$'\t' -k1,1nr -k2,2 | awk 'NR <= 3' | awk -F'\t' '{print $2 "|" $1}')
got_all=$(get "top?metric=pins_by_category&$RANGE&top=3" | jq -r '.rows[] | "\(.key)|\(.value)"')
[ "$want_all" = "$got_all" ] || it_fail "top 3 categories of the range: $got_all, want $want_all"
max_b=$(get "query?metric=max_followers_by_poster&$RANGE&group=all" | jq '[.rows[].value] | max')
max_o=$(grep -P '^max_followers_by_poster\t' "$TMP/offline.txt" | awk -F'\t' '{print $4}' | sort -n | tail -1)
[ "$max_b" = "$max_o" ] || it_fail "a maximum rolled up: $max_b, want $max_o"
it_ok "days 1-2 from the batch (parity equal), day 3 from the stream; every metric equals pinpipe metrics; top-N and roll-ups too"

# ---- 2. -----------------------------------------------------------------------------------
batch --date "$D3"
it_wait_until 10 sources_are "batch batch batch" || it_fail "after batching day 3: $(sources)"
check_numbers "day 3 batched"
it_ok "batching day 3 flips its source to the batch; the numbers are unchanged"

# ---- 3. -----------------------------------------------------------------------------------
cass_pid=$(head -1 "$PINPIPE_SERVICES_DIR/cassandra/cassandra.pid")
kill -STOP "$cass_pid"
it_on_exit "kill -CONT $cass_pid 2>/dev/null || true"
it_wait_until 30 sh -c "curl -s '$URL/healthz' | jq -e '.freshness.stores.cassandra.ok == false' >/dev/null" ||
  { kill -CONT "$cass_pid"; it_fail "serve did not notice Cassandra stopped"; }
code=$(curl -s -o "$TMP/down.json" -w '%{http_code}' "$URL/api/v1/query?metric=pins_by_category&$RANGE")
{ [ "$code" = 200 ] && jq -e '.sources | length == 1 and .[0].source == "stream" and .[0].days == 3' "$TMP/down.json" >/dev/null; } ||
  { kill -CONT "$cass_pid"; jq . "$TMP/down.json"; it_fail "with Cassandra down ($code), a day not served by the complete stream"; }
get "days?$RANGE" | jq -e '[.days[] | .note | test("Cassandra is unreachable")] | all' >/dev/null ||
  { kill -CONT "$cass_pid"; get "days?$RANGE"; it_fail "with Cassandra down, a day does not say why the stream answers"; }
check_numbers "Cassandra down"
it_ok "Cassandra stopped: the complete stream answers, same numbers, each day says why"
# Kafka now holds records the stream has not read: no store is complete, no number is right
"$BIN/pinpipe-emulate" --seed 62 --count 5 --days 3 --start-date "$D1" --out "$TMP/more.jsonl" 2>/dev/null
"$BIN/pinpipe" produce "$TMP/more.jsonl" 2>>"$TMP/produce.log" || { kill -CONT "$cass_pid"; it_fail "produce"; }
unanswered() {
  [ "$(curl -s -o "$TMP/down.json" -D "$TMP/down.h" -w '%{http_code}' "$URL/api/v1/query?metric=pins_by_category&$RANGE")" = 503 ]
}
it_wait_until 20 unanswered || { kill -CONT "$cass_pid"; cat "$TMP/down.json"; it_fail "Cassandra down and the stream behind: not 503"; }
{ grep -qi '^Retry-After: 7' "$TMP/down.h" && jq -e '.store == "cassandra"' "$TMP/down.json" >/dev/null; } ||
  { kill -CONT "$cass_pid"; cat "$TMP/down.h" "$TMP/down.json"; it_fail "the 503 does not name cassandra with Retry-After"; }
[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz")" = 503 ] || { kill -CONT "$cass_pid"; it_fail "/healthz is not 503 with Cassandra down"; }
it_ok "Cassandra stopped and the stream behind Kafka: 503 with Retry-After naming cassandra, never a number"
kill -CONT "$cass_pid"
"$BIN/pinpipe" stream --exit-when-idle 3000 2>>"$TMP/stream.log" || { tail "$TMP/stream.log"; it_fail "stream"; }
# the stream read past the batch's coverage: by the rule it answers now, until the batch catches up
it_wait_until 60 sources_are "stream stream stream" || it_fail "serve did not recover after Cassandra came back: $(sources)"
it_wait_until 20 curl -sf "$URL/healthz" -o /dev/null || it_fail "/healthz after Cassandra came back"
"$BIN/pinpipe" lake --exit-when-idle 3000 2>>"$TMP/lake.log" || { tail "$TMP/lake.log"; it_fail "lake writer"; }
batch --from "$D1" --to "$D3"
it_wait_until 20 sources_are "batch batch batch" || it_fail "after the batch caught up: $(sources)"
it_ok "Cassandra back: serve recovered by itself; the stream answered while ahead, the batch again once it caught up"

# ---- 4. -----------------------------------------------------------------------------------
bad() { # bad QUERY PARAMETER
  local body code
  code=$(curl -s -o "$TMP/bad.json" -w '%{http_code}' "$URL/api/v1/$1")
  body=$(cat "$TMP/bad.json")
  { [ "$code" = 400 ] && jq -e --arg p "$2" '.parameter == $p and (.allowed | length > 0)' "$TMP/bad.json" >/dev/null; } ||
    it_fail "$1: $code $body"
}
bad "query?metric=nope" metric
bad "query?metric=pins_total&from=2026-02-30" from
bad "query?metric=pins_total&from=2026-03-05&to=2026-03-01" from
bad "query?metric=pins_total&from=2000-01-01&to=2026-01-01" to
bad "query?metric=pins_total&top=1001" top
bad "query?metric=pins_total&group=fortnight" group
bad "query?metric=pins_total&evil=1%27%3B%20DROP%20TABLE%20metrics" evil
bad "query?metric=pins_total&key=a&key=b" key
bad "query" metric
bad "live?format=csv" table
csv=$(curl -s -H 'Accept: text/csv' "$URL/api/v1/top?metric=pins_by_category&$RANGE&top=2")
{ [ "$(head -1 <<<"$csv" | tr -d '\r')" = "period,key,value" ] && [ "$(wc -l <<<"$csv")" = 3 ]; } || it_fail "CSV: $csv"
[ "$(get "days?$RANGE&format=csv" | wc -l)" = 4 ] || it_fail "days as CSV"
it_ok "bad parameters: 400 naming each one; CSV by Accept and by format=csv"

# answers are bounded: a second serve with small bounds refuses what would pass them
n_cat=$(get "query?metric=pins_by_category&$RANGE&group=all" | jq '.rows | length')
n_poster=$(get "query?metric=pins_by_poster&$RANGE&group=day" | jq '.rows | length')
"$BIN/pinpipe" serve --port 0 --refresh-ms 300 --max-rows $((n_cat - 1)) --max-rollup $((n_poster - 1)) 2>"$TMP/serve2.log" &
serve2=$!
it_on_exit "kill -TERM $serve2 2>/dev/null || true"
URL2=$(it_serve_url "$TMP/serve2.log")
it_wait_until 20 curl -sf "$URL2/healthz" -o /dev/null || it_fail "the bounded serve's /healthz"
URL_MAIN="$URL" URL="$URL2"
bad "query?metric=pins_by_category&$RANGE&group=all" top
bad "query?metric=pins_by_poster&$RANGE&group=day" from
[ "$(get "query?metric=pins_by_category&$RANGE&group=all&top=3" | jq '.rows | length')" = 3 ] ||
  it_fail "with top=3 the bounded serve does not answer 3 rows"
URL="$URL_MAIN"
kill -TERM "$serve2"
wait "$serve2" || it_fail "the bounded serve did not exit 0"
it_ok "bounds: $n_cat rows over --max-rows and $n_poster roll-up rows over --max-rollup: 400 naming top / from; top=3 answers"

# ---- 5. -----------------------------------------------------------------------------------
py="${PINPIPE_BROWSER_PYTHON:-$PINPIPE_CACHE_DIR/browser-venv/bin/python}"
{ [ -x "$py" ] && [ -x /usr/bin/chromium ]; } || it_fail "no browser: run bash ci/install-browser.sh (make test does)"
mkdir -p "$BIN"
"$py" "$PINPIPE_ROOT/tests/browser/dashboard_check.py" "$URL" "$D1" "$D3" "$BIN/serve-dashboard.png" >"$TMP/browser.txt" 2>&1 ||
  { cat "$TMP/browser.txt"; it_fail "the dashboard"; }
it_ok "the dashboard shows the API's figures, no console error; screenshot $BIN/serve-dashboard.png"

kill -TERM "$serve_pid"
wait "$serve_pid" || it_fail "serve exited $? on SIGTERM"
it_ok "SIGTERM: serve exits 0"
