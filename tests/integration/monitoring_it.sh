#!/usr/bin/env bash
# Monitoring end to end (issue 14; docs/monitoring.md). The test runs its own
# Prometheus, postgres exporter and node exporter (the service scripts, in a private
# services directory, on free ports, stopped by pid on exit) with a 2 s scrape and
# evaluation interval and a copy of the rules whose `for:` and ranges are shortened; the
# stores and their JMX exporter agents are the shared services.
#   1. API, lake writer and stream job with /metrics; the emulator posts N events.
#   2. Every scrape target is up == 1 (Prometheus' HTTP API); the API's request counter
#      equals the requests the emulator sent; the stores' exporters report (pg_up,
#      Kafka's log end offsets of the topic, Cassandra's load); the batch and parity
#      outcome reach Prometheus through the textfile collector.
#   3. Every PromQL expression of the Grafana dashboard evaluates without error and
#      returns series over the run.
#   4. Under load, the stream job is stopped: PinpipeConsumerLagGrowing goes pending,
#      then firing; the stream is restarted: the alert resolves.
# needs: postgres s3 kafka cassandra
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../ci/services/env.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
it_init monitoring_it
N=400

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
export PINPIPE_SERVICES_DIR="$TMP/svc"  # the monitoring processes of this test only
export PINPIPE_PROMETHEUS_PORT PINPIPE_NODE_EXPORTER_PORT PINPIPE_PG_EXPORTER_PORT
PINPIPE_PROMETHEUS_PORT=$(free_port) PINPIPE_NODE_EXPORTER_PORT=$(free_port) PINPIPE_PG_EXPORTER_PORT=$(free_port)
API_PORT=$(free_port) LAKE_PORT=$(free_port) STREAM_PORT=$(free_port)
export PINPIPE_SCRAPE_API="127.0.0.1:$API_PORT" PINPIPE_SCRAPE_LAKE="127.0.0.1:$LAKE_PORT"
export PINPIPE_SCRAPE_STREAM="127.0.0.1:$STREAM_PORT" PINPIPE_SCRAPE_SERVE=""
export PINPIPE_PROMETHEUS_SCRAPE_INTERVAL=2s PINPIPE_PROMETHEUS_RULES_DIR="$TMP/rules"
PROM="http://127.0.0.1:$PINPIPE_PROMETHEUS_PORT"
TEXTFILE_DIR="$PINPIPE_SERVICES_DIR/node-exporter/textfile"

# The rules with short `for:` (8 s) and windows (5m -> 20s, 1m -> 10s): same expressions.
mkdir -p "$TMP/rules"
for f in "$PINPIPE_ROOT"/monitoring/rules/*.yml; do
  sed -E -e 's/for: [0-9]+m/for: 8s/' -e 's/\[5m\]/[20s]/g' -e 's/\[1m\]/[10s]/g' "$f" >"$TMP/rules/$(basename "$f")"
done
promtool check rules "$TMP"/rules/*.yml >/dev/null || it_fail "the shortened rules do not load"

svc() { bash "$PINPIPE_ROOT/ci/services/$1.sh" "$2" >>"$TMP/services.log" 2>&1; }
it_on_exit "for s in prometheus postgres-exporter node-exporter; do bash '$PINPIPE_ROOT/ci/services/'\$s.sh down >/dev/null 2>&1; done"
for s in node-exporter postgres-exporter prometheus; do
  svc "$s" up || { cat "$TMP/services.log"; it_fail "$s did not start"; }
done
it_ok "Prometheus, postgres exporter and node exporter up (private, ports $PINPIPE_PROMETHEUS_PORT $PINPIPE_PG_EXPORTER_PORT $PINPIPE_NODE_EXPORTER_PORT)"

# prom_query EXPR: the result array of an instant query (fails on an error status)
prom_query() {
  curl -sfG --max-time 10 "$PROM/api/v1/query" --data-urlencode "query=$1" | jq -ce 'select(.status == "success") | .data.result'
}
# prom_value EXPR: the first sample's value, empty when none
prom_value() { prom_query "$1" | jq -r '.[0].value[1] // empty'; }

it_isolated_run "mon_$RUN"
"$BIN/pinpipe" produce --partitions 3 /dev/null 2>"$TMP/topic.log" || { cat "$TMP/topic.log"; it_fail "topic"; }

pids=()
it_on_exit 'for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done'
"$BIN/pinpipe" api --port "$API_PORT" 2>"$TMP/api.log" &
pids+=($!)
"$BIN/pinpipe" lake --max-age-ms 1000 --metrics-port "$LAKE_PORT" 2>"$TMP/lake.log" &
pids+=($!)
stream_pid=""
start_stream() {
  "$BIN/pinpipe" stream --metrics-port "$STREAM_PORT" 2>>"$TMP/stream.log" &
  stream_pid=$!
  pids+=("$stream_pid")
}
start_stream
it_wait_until 30 curl -sf "http://127.0.0.1:$API_PORT/healthz" -o /dev/null || it_fail "the API did not answer"

start_day=$(date -u -d "-1 day" +%F) end_day=$(date -u +%F)
"$BIN/pinpipe-emulate" --seed 5 --count "$N" --days 2 --start-date "$start_day" --invalid-rate 0 \
  --target "http://127.0.0.1:$API_PORT/pin/" --concurrency 4 >"$TMP/emulate.txt" 2>"$TMP/emulate.log" ||
  { cat "$TMP/emulate.txt" "$TMP/emulate.log"; it_fail "emulator"; }

hw() { kcat -b "$PINPIPE_KAFKA_BROKERS" -Q -t "$PINPIPE_TOPIC:0:-1" -t "$PINPIPE_TOPIC:1:-1" -t "$PINPIPE_TOPIC:2:-1" 2>/dev/null | awk '{ s += $NF } END { print s + 0 }'; }
stream_done() { [ "$(psql "$PINPIPE_PG_DSN" -qAt -c "SELECT coalesce(sum(next_offset), 0) FROM stream_offsets" 2>/dev/null)" = "$N" ]; }
lake_done() { [ "$("$BIN/pinpipe" lake --print-committed 2>/dev/null | awk '{ s += $2 } END { print s + 0 }')" = "$N" ]; }
[ "$(hw)" = "$N" ] || it_fail "Kafka holds $(hw) messages, not $N"
it_wait_until 60 stream_done || it_fail "the stream did not store $N messages"
it_wait_until 60 lake_done || it_fail "the lake writer did not commit $N messages"

"$BIN/pinpipe" batch --from "$start_day" --to "$end_day" --metrics-textfile-dir "$TEXTFILE_DIR" >"$TMP/batch.txt" 2>"$TMP/batch.log" ||
  { tail -20 "$TMP/batch.log"; it_fail "batch"; }
"$BIN/pinpipe" parity --from "$start_day" --to "$end_day" --metrics-textfile-dir "$TEXTFILE_DIR" >"$TMP/parity.txt" 2>&1 ||
  { cat "$TMP/parity.txt"; it_fail "parity"; }
it_ok "$N events through the API, stream, lake, batch and parity"

# ---- 2. targets, the API's counter, the stores' exporters, the jobs' text files
all_up() {
  local r
  r=$(prom_query 'up') || return 1
  [ "$(jq 'length' <<<"$r")" = 8 ] && [ "$(jq '[.[] | select(.value[1] == "1")] | length' <<<"$r")" = 8 ]
}
it_wait_until 30 all_up || {
  curl -sf "$PROM/api/v1/targets" | jq -c '.data.activeTargets[] | [.labels.job, .health, .lastError]'
  it_fail "not every target is up"
}
it_ok "8 targets up == 1: $(prom_query 'up' | jq -r '[.[].metric.job] | sort | join(" ")')"

counted() { [ "$(prom_value 'sum(pinpipe_api_requests_total{route="/pin/"})')" = "$N" ]; }
it_wait_until 20 counted || it_fail "pinpipe_api_requests_total: $(prom_value 'sum(pinpipe_api_requests_total{route="/pin/"})'), the emulator sent $N"
it_ok "the API's request counter in Prometheus = $N, the requests the emulator sent"

[ "$(prom_value 'pg_up')" = 1 ] || it_fail "pg_up is not 1"
eo() { [ "$(prom_value "sum(kafka_log_end_offset{topic=\"$PINPIPE_TOPIC\"})")" = "$N" ]; }
it_wait_until 20 eo || it_fail "Kafka's JMX exporter: log end offsets of $PINPIPE_TOPIC do not sum to $N"
[ -n "$(prom_value 'cassandra_storage_load_bytes')" ] || it_fail "Cassandra's JMX exporter: no cassandra_storage_load_bytes"
stored() { [ "$(prom_value "sum(pinpipe_stream_offsets_next_offset{topic=\"$PINPIPE_TOPIC\"})")" = "$N" ]; }
it_wait_until 20 stored || it_fail "postgres exporter: the stream's stored offsets do not sum to $N"
it_ok "stores report: pg_up 1, Kafka log end offsets $N, stream offsets in PostgreSQL $N, Cassandra load $(prom_value 'cassandra_storage_load_bytes') bytes"

jobs_seen() {
  [ "$(prom_value 'pinpipe_batch_last_run_success')" = 1 ] && [ "$(prom_value 'pinpipe_parity_last_run_success')" = 1 ] &&
    [ "$(prom_query 'pinpipe_parity_day_ok == 1' | jq length)" = 2 ] &&
    [ "$(prom_value 'pinpipe_batch_newest_done_day_timestamp_seconds')" = "$(date -u -d "$end_day" +%s)" ]
}
it_wait_until 20 jobs_seen || { cat "$TEXTFILE_DIR"/*.prom; it_fail "the batch and parity outcome did not reach Prometheus"; }
it_ok "batch (success, newest done day $end_day) and parity (2 days equal) reach Prometheus through the textfile collector"

# ---- 3. every expression of the Grafana dashboard returns series over the run
start=$(( $(date +%s) - 120 ))
expr_series() {  # expr_series EXPR: the number of series over the run (fails on an error)
  local r
  r=$(curl -sfG --max-time 10 "$PROM/api/v1/query_range" --data-urlencode "query=$1" \
    --data-urlencode "start=$start" --data-urlencode "end=$(date +%s)" --data-urlencode "step=2") || return 1
  [ "$(jq -r '.status' <<<"$r")" = success ] || { jq -r .error <<<"$r" >&2; return 1; }
  jq '.data.result | length' <<<"$r"
}
has_series() { local n; n=$(expr_series "$1") && [ "$n" -gt 0 ]; }
nexpr=0
while IFS= read -r expr; do
  expr_series "$expr" >/dev/null || it_fail "dashboard expression does not evaluate: $expr"
  # the recording rules need a few evaluations after the first samples
  it_wait_until 30 has_series "$expr" || it_fail "dashboard expression returns no series: $expr"
  nexpr=$((nexpr + 1))
done < <(jq -r '.panels[].targets[] | select(.expr != "ALERTS") | .expr' "$PINPIPE_ROOT/monitoring/grafana/pinpipe.json")
it_ok "$nexpr dashboard expressions evaluate and return series (ALERTS is checked below, while an alert is pending)"
curl -sf "$PROM/consoles/pinpipe.html" -o "$TMP/console.html" || it_fail "the console page does not answer"
panels=$(jq '.panels | length' "$PINPIPE_ROOT/monitoring/grafana/pinpipe.json")
{ [ "$(grep -c '<h2>' "$TMP/console.html")" = "$panels" ] && grep -q '</html>' "$TMP/console.html"; } ||
  it_fail "the console page does not render all $panels panels"
it_ok "the console page /consoles/pinpipe.html renders the $panels panels"

# ---- 4. the lag alert: stream stopped under load -> pending -> firing; restarted -> resolved
"$BIN/pinpipe-emulate" --seed 6 --count 100000 --days 1 --invalid-rate 0 --rate 40 \
  --target "http://127.0.0.1:$API_PORT/pin/" --concurrency 2 >/dev/null 2>&1 &
load_pid=$!
pids+=("$load_pid")
kill -TERM "$stream_pid"
wait "$stream_pid" 2>/dev/null || true
t0=$SECONDS
alert_state() {  # the state of the lag alert of this topic's stream, or "none"
  prom_query "ALERTS{alertname=\"PinpipeConsumerLagGrowing\", consumer=\"stream\", topic=\"$PINPIPE_TOPIC\"}" |
    jq -r 'map(.metric.alertstate) | if length == 0 then "none" else .[0] end'
}
is_state() { [ "$(alert_state)" = "$1" ]; }
it_wait_until 60 is_state pending || it_fail "the lag alert did not go pending within 60 s (state: $(alert_state))"
[ "$(prom_query 'ALERTS' | jq length)" -gt 0 ] || it_fail "dashboard expression ALERTS returns no series while an alert is pending"
it_ok "stream stopped under load: PinpipeConsumerLagGrowing pending after $((SECONDS - t0)) s (lag $(prom_value "topic:pinpipe_consumer_lag:records{consumer=\"stream\",topic=\"$PINPIPE_TOPIC\"}") records)"
it_wait_until 60 is_state firing || it_fail "the lag alert did not fire within 60 s (state: $(alert_state))"
it_ok "PinpipeConsumerLagGrowing firing after $((SECONDS - t0)) s"
t1=$SECONDS
start_stream
it_wait_until 90 is_state none || it_fail "the lag alert did not resolve within 90 s of the restart (state: $(alert_state))"
it_ok "stream restarted: the alert resolved after $((SECONDS - t1)) s"
kill -TERM "$load_pid" 2>/dev/null || true
