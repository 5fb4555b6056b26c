#!/usr/bin/env bash
# The main job (make demo): the whole pipeline on local services, start to finish.
#
#   services up -> topics -> api, lake writer, stream job -> emulator posts each post's pin,
#   geo and user events over HTTP (out of order) -> wait until the stream and the lake have
#   consumed everything -> batch for the days -> parity -> serve (query API + dashboard) ->
#   report (the join's figures against the emulator's manifest) -> stop what was started
#
# Every run has its own topic, consumer groups, lake prefix, Cassandra keyspace and
# PostgreSQL schema (named after RUN), so runs never mix.
# Env: DEMO_EVENTS (20000), DEMO_DAYS (3), DEMO_SEED (7), DEMO_CONCURRENCY (16),
#      DEMO_KEEP=1 keeps the services and the API/stream/serve (dashboard) running afterwards.
#      PINPIPE_SERVE_PORT (8080): the serving layer's port (the dashboard).
#      DEMO_AIRFLOW=1 also runs the same days (those already over) through Airflow's pinpipe_daily DAG (3 shards,
#      `airflow dags test`, AIRFLOW_HOME .services/airflow/home: `bash ci/services.sh up
#      airflow` shows the runs at http://127.0.0.1:18081/). docs/orchestration.md.
set -euo pipefail
BUILD="${1:-build}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/ci/services/env.sh"
# shellcheck source=../tests/integration/lib/pins_cql.sh
. "$ROOT/tests/integration/lib/pins_cql.sh" # pins_day_where: a day of the Cassandra pins
N="${DEMO_EVENTS:-20000}" DAYS="${DEMO_DAYS:-3}" SEED="${DEMO_SEED:-7}"
CONC="${DEMO_CONCURRENCY:-16}" KEEP="${DEMO_KEEP:-0}"
RUN="demo_$(date -u +%Y%m%d_%H%M%S)"
OUT="$ROOT/$BUILD/demo/$RUN"
mkdir -p "$OUT"
T0=$(date +%s)
say() { printf '[%3ds] %s\n' "$(( $(date +%s) - T0 ))" "$*"; }
die() { say "FAILED: $*"; exit 1; }
# wait_for SECONDS WHAT CMD...: polls CMD until it succeeds (no fixed sleeps)
wait_for() {
  local limit=$1 what=$2; shift 2
  local end=$(( $(date +%s) + limit ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$end" ] || die "timed out after ${limit}s waiting for $what"
    sleep 0.5
  done
}

# ---- settings every component reads ---------------------------------------------
export PINPIPE_TOPIC="$RUN" PINPIPE_GEO_TOPIC="$RUN-geo" PINPIPE_USERS_TOPIC="$RUN-users"
TOPICS=("$PINPIPE_TOPIC" "$PINPIPE_GEO_TOPIC" "$PINPIPE_USERS_TOPIC")
export PINPIPE_LAKE_GROUP="$RUN-lake" PINPIPE_STREAM_GROUP="$RUN-stream"
export PINPIPE_LAKE_PREFIX="$RUN/raw/"
export PINPIPE_CASSANDRA_KEYSPACE="$RUN"
PG_BASE_DSN="$PINPIPE_PG_DSN"
export PINPIPE_PG_DSN="$PG_BASE_DSN?options=-csearch_path%3D$RUN"
API_PORT="${PINPIPE_SCRAPE_API##*:}"  # where Prometheus looks for it (ci/services/env.sh)
LAKE_METRICS_PORT="${PINPIPE_SCRAPE_LAKE##*:}" STREAM_METRICS_PORT="${PINPIPE_SCRAPE_STREAM##*:}"
PROM="http://127.0.0.1:$PINPIPE_PROMETHEUS_PORT"
# batch and parity leave their outcome for the node exporter's textfile collector
export PINPIPE_METRICS_TEXTFILE_DIR="$PINPIPE_SERVICES_DIR/node-exporter/textfile"
SERVE_PORT="${PINPIPE_SCRAPE_SERVE##*:}"  # Prometheus scrapes serve there too
SERVE_PORT="${SERVE_PORT:-8080}"
B="$ROOT/$BUILD"

# ---- services ---------------------------------------------------------------------
started=()
pids=()
cleanup() {
  if [ "$KEEP" != 1 ]; then
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    for s in "${started[@]}"; do bash "$ROOT/ci/services/$s.sh" down >/dev/null 2>&1 || true; done
  fi
}
trap cleanup EXIT
say "starting the services (Kafka, S3 server, Cassandra, PostgreSQL, Trino, monitoring; the first run downloads and builds them)"
services=(postgres s3 kafka cassandra)
if bash "$ROOT/ci/services/trino.sh" java >/dev/null 2>&1; then services+=(trino); else say "  trino: SKIPPED, no Java 22+ (bash ci/services/trino.sh java)"; fi
services+=(node-exporter postgres-exporter prometheus)
for s in "${services[@]}"; do
  if bash "$ROOT/ci/services/$s.sh" status >/dev/null 2>&1; then
    say "  $s: already running, used as it is"
  else
    bash "$ROOT/ci/services/$s.sh" up > "$OUT/$s-up.log" 2>&1 || { tail -20 "$OUT/$s-up.log"; die "$s did not start"; }
    started+=("$s")
    say "  $s: $(tail -1 "$OUT/$s-up.log")"
  fi
done
psql "$PG_BASE_DSN" -qc "CREATE SCHEMA $RUN" || die "PostgreSQL schema"

# ---- the pipeline's daemons ---------------------------------------------------------
for port in "$API_PORT" "$SERVE_PORT"; do # an earlier DEMO_KEEP=1 run may still hold them
  [ -z "$(ss -Hltn "sport = :$port")" ] ||
    die "port $port is in use (an earlier DEMO_KEEP=1 demo? stop its api/serve, or set PINPIPE_API_PORT/PINPIPE_SERVE_PORT)"
done
say "creating topics ${TOPICS[*]} (3 partitions each); starting the API on 127.0.0.1:$API_PORT, the lake writer and the stream job"
for t in "${TOPICS[@]}"; do
  "$B/pinpipe" produce --topic "$t" --partitions 3 /dev/null 2>"$OUT/topic.log" || { cat "$OUT/topic.log"; die "topic $t"; }
done
"$B/pinpipe" api --port "$API_PORT" 2>"$OUT/api.log" & pids+=($!)
"$B/pinpipe" stream --metrics-port "$STREAM_METRICS_PORT" 2>"$OUT/stream.log" & stream_pid=$!; pids+=("$stream_pid")
"$B/pinpipe" lake --max-age-ms 2000 --exit-when-idle 8000 --metrics-port "$LAKE_METRICS_PORT" 2>"$OUT/lake.log" & lake_pid=$!
wait_for 30 "the API's /healthz" curl -sf "http://127.0.0.1:$API_PORT/healthz"

# ---- the load -----------------------------------------------------------------------
start_day=$(date -u -d "-$((DAYS - 1)) days" +%F)
end_day=$(date -u +%F)
say "emulator: posting $N posts over $DAYS days ($start_day .. $end_day, seed $SEED, 1% invalid) — each a pin, a geo and a user event, out of order — to POST /pin/, /geo/, /user/ with $CONC connections"
"$B/pinpipe-emulate" --seed "$SEED" --count "$N" --days "$DAYS" --start-date "$start_day" --invalid-rate 0.01 \
  --kinds all --target "http://127.0.0.1:$API_PORT/" --concurrency "$CONC" --manifest "$OUT/manifest.json" \
  > "$OUT/emulator.txt" 2>"$OUT/emulator.log" || { cat "$OUT/emulator.txt"; die "emulator"; }
say "  $(cat "$OUT/emulator.txt")"

# ---- wait until both paths consumed everything --------------------------------------
high_watermark() { # sum over the topics' partitions of the next offset Kafka will give
  local args=() t
  for t in "${TOPICS[@]}"; do args+=(-t "$t:0:-1" -t "$t:1:-1" -t "$t:2:-1"); done
  kcat -b "$PINPIPE_KAFKA_BROKERS" -Q "${args[@]}" 2>/dev/null | awk '{s += $NF} END {print s + 0}'
}
HW=$(high_watermark)
stream_done() {
  [ "$(psql "$PINPIPE_PG_DSN" -qAt -c "SELECT coalesce(sum(next_offset), 0) FROM stream_offsets" 2>/dev/null)" = "$HW" ]
}
say "waiting for the stream job to store all $HW messages in PostgreSQL"
wait_for 300 "the stream job" stream_done
say "waiting for the lake writer to store everything in S3 and exit"
wait "$lake_pid" || { tail -20 "$OUT/lake.log"; die "lake writer"; }
committed=0
for t in "${TOPICS[@]}"; do
  c=$("$B/pinpipe" lake --print-committed --topic "$t" 2>/dev/null | awk '{s += $2} END {print s + 0}')
  committed=$((committed + c))
done
[ "$committed" = "$HW" ] || die "the lake writer committed $committed of $HW messages"
say "  lake: $("$B/pinpipe" s3 ls "$PINPIPE_LAKE_PREFIX" 2>/dev/null | wc -l) objects under s3://$PINPIPE_S3_BUCKET/$PINPIPE_LAKE_PREFIX"

# ---- batch, parity ----------------------------------------------------------------------
say "batch: lake -> clean -> Cassandra for $start_day .. $end_day"
"$B/pinpipe" batch --from "$start_day" --to "$end_day" > "$OUT/batch.txt" 2>"$OUT/batch.log" ||
  { cat "$OUT/batch.txt"; tail -20 "$OUT/batch.log"; die "batch"; }
sed 's/^/         /' "$OUT/batch.txt"
say "parity: batch metrics (Cassandra) vs stream metrics (PostgreSQL)"
set +e
"$B/pinpipe" parity --from "$start_day" --to "$end_day" > "$OUT/parity.txt" 2>"$OUT/parity.log"
parity_rc=$?
set -e
grep -v '^OK' "$OUT/parity.txt" | sed 's/^/         /'

# ---- Airflow (DEMO_AIRFLOW=1): the same days through pinpipe_daily, sharded ----------------
if [ "${DEMO_AIRFLOW:-0}" = 1 ]; then
  say "airflow: pinpipe_daily for $start_day .. $end_day (3 shards each, airflow dags test)"
  (
    . "$ROOT/ci/services/lib.sh" && . "$ROOT/ci/services/airflow-lib.sh"
    venv="$(airflow_venv)"
    mkdir -p "$AIRFLOW_HOME" && "$venv/bin/airflow" db migrate >"$OUT/airflow-migrate.log" 2>&1
    export AIRFLOW_VAR_PINPIPE_BIN="$B/pinpipe" AIRFLOW_VAR_PINPIPE_SHARDS=3 AIRFLOW_VAR_PINPIPE_ALLOWANCE_S=0
    d="$start_day" today=$(date -u +%F)
    while [[ "$d" < "$end_day" || "$d" == "$end_day" ]]; do
      if ! [[ "$d" < "$today" ]]; then # its sensor would wait until the day is over
        echo "            $d  pinpipe_daily: not run (the day is not over: the sensor would wait for it)"
        d=$(date -u -d "$d + 1 day" +%F)
        continue
      fi
      timeout -k 10 600 "$venv/bin/airflow" dags test pinpipe_daily "$d" >"$OUT/airflow-$d.log" 2>&1 || true
      state=$(grep -o 'state=[a-z]*, run_type' "$OUT/airflow-$d.log" | tail -1 | cut -d= -f2 | cut -d, -f1)
      echo "            $d  pinpipe_daily: ${state:-failed} (log $OUT/airflow-$d.log)"
      d=$(date -u -d "$d + 1 day" +%F)
    done
  ) | tee "$OUT/airflow.txt"
  if grep -v "not over" "$OUT/airflow.txt" | grep -qv "pinpipe_daily: success"; then die "airflow: a day's run did not succeed"; fi
fi

# ---- serve: one answer per day, the query API and the dashboard -------------------------
say "serve: the query API and the dashboard on http://127.0.0.1:$SERVE_PORT/"
"$B/pinpipe" serve --port "$SERVE_PORT" 2>"$OUT/serve.log" & pids+=($!)
wait_for 60 "serve's /healthz" curl -sf "http://127.0.0.1:$SERVE_PORT/healthz"
curl -sf "http://127.0.0.1:$SERVE_PORT/api/v1/days?from=$start_day&to=$end_day" > "$OUT/serve-days.json" ||
  die "serve: /api/v1/days"
# ---- monitoring: Prometheus holds the run's series ----------------------------------------------
prom_value() {
  curl -sfG --max-time 5 "$PROM/api/v1/query" --data-urlencode "query=$1" | jq -r '.data.result[0].value[1] // empty'
}
seen_by_prometheus() { [ "$(prom_value 'sum(pinpipe_api_requests_total{route="/pin/"})')" = "$N" ]; }
say "waiting for Prometheus ($PROM) to scrape the API's final counters"
wait_for 60 "Prometheus to see the API's $N requests" seen_by_prometheus
batch_seen() { [ -n "$(prom_value 'pinpipe_batch_last_run_success')" ]; }
wait_for 60 "Prometheus to read the batch's outcome" batch_seen

# ---- report ---------------------------------------------------------------------------------
pg_pins=$(psql "$PINPIPE_PG_DSN" -qAt -c "SELECT count(*) FROM pins")
pg_rejects=$(psql "$PINPIPE_PG_DSN" -qAt -c "SELECT count(*) FROM rejects")
cq_pins=0
for d in $(jq -r '.days[].day' "$OUT/manifest.json"); do
  c=$("$B/pinpipe" cql --keyspace "$RUN" --format csv -e "SELECT count(*) FROM pins WHERE $(pins_day_where "$d")" | tail -1 | tr -d '\r')
  cq_pins=$((cq_pins + c))
done
want=$(jq '.totals.distinct_pins' "$OUT/manifest.json")
echo
echo "================================ pinpipe demo: $RUN ================================"
echo "events      $(sed -E 's|^emulate: target .*/pin/: ||' "$OUT/emulator.txt")"
echo "kafka       $HW messages in topics ${TOPICS[*]}"
echo "stream      PostgreSQL: $pg_pins pins, $pg_rejects rejects"
echo "batch       Cassandra:  $cq_pins pins        (the emulator's ground truth: $want distinct pins)"
echo "top categories per day (stream metrics):"
psql "$PINPIPE_PG_DSN" -qAt -F' ' -c "SELECT day, key, value FROM (SELECT day, key, value,
    row_number() OVER (PARTITION BY day ORDER BY value DESC, key) AS r FROM metrics
    WHERE metric = 'pins_by_category') t WHERE r <= 3 ORDER BY day, r" |
  awk '{printf "            %s  %-16s %s\n", $1, $2, $3}'
echo "joins       posts joined (a pin with its geo and user), per day: store values vs the emulator's manifest"
for d in $(jq -r '.days[].day' "$OUT/manifest.json"); do
  m=$(jq -r --arg d "$d" '.days[] | select(.day == $d) | .join.posts_joined // "?"' "$OUT/manifest.json")
  p=$(psql "$PINPIPE_PG_DSN" -qAt -c "SELECT coalesce(sum(value), 0) FROM metrics WHERE metric = 'posts_joined' AND day = '$d'")
  c=$("$B/pinpipe" cql --keyspace "$RUN" --format csv -e "SELECT value FROM metrics WHERE metric = 'posts_joined' AND day = '$d' AND key = 'all'" | tail -1 | tr -d '\r')
  printf '            %s  stream %s  batch %s  manifest %s\n' "$d" "$p" "${c:-0}" "$m"
  if [ "$p" != "$m" ] || [ "${c:-0}" != "$m" ]; then join_mismatch=1; fi
done
echo "            most popular category per country (joined posts over the days, stream):"
psql "$PINPIPE_PG_DSN" -qAt -F'|' -c "SELECT country, category, n FROM (SELECT key::json->>0 AS country, key::json->>1 AS category,
    sum(value) AS n, row_number() OVER (PARTITION BY key::json->>0 ORDER BY sum(value) DESC, key::json->>1) AS r
    FROM metrics WHERE metric = 'posts_by_country_category' AND key::json->>0 IS NOT NULL GROUP BY 1, 2) t
    WHERE r = 1 ORDER BY n DESC, country LIMIT 5" | awk -F'|' '{printf "            %-24s %-16s %s\n", $1, $2, $3}'
echo "parity      $(tail -1 "$OUT/parity.txt")"
echo "serve       each day's source and parity (GET /api/v1/days):"
jq -r '.days[] | "            \(.day)  \(.source)  parity \(.parity)\(if .complete then "" else "  (incomplete)" end)"' \
  "$OUT/serve-days.json"
echo "prometheus  API requests counted: $(prom_value 'sum(pinpipe_api_requests_total{route="/pin/"})'); targets up: $(prom_value 'count(up == 1)') of $(prom_value 'count(up)') (the lake writer has exited: it runs until idle); batch last run success: $(prom_value 'pinpipe_batch_last_run_success'); parity differences: $(prom_value 'pinpipe_parity_last_run_differences')"
case " ${services[*]} " in *" trino "*)
  echo "sql (Trino) top category over all days: $("$B/pinpipe" sql --format csv -e "SELECT key || ' (' || CAST(sum(value) AS varchar) || ' pins)' FROM batch.$RUN.metrics WHERE metric = 'pins_by_category' AND key <> '(null)' GROUP BY key ORDER BY sum(value) DESC, key LIMIT 1" 2>&1 | tail -n 1 | tr -d '\r')" ;;
esac
echo
echo "where to look next:"
if [ "$KEEP" = 1 ]; then
  echo "  dashboard   http://127.0.0.1:$SERVE_PORT/   (query API: /api/v1/query?metric=pins_by_category&from=$start_day&to=$end_day)"
  echo "  API         http://127.0.0.1:$API_PORT/pin/ (POST), /healthz, /metrics"
else
  echo "  dashboard   DEMO_KEEP=1 make demo leaves it running at http://127.0.0.1:$SERVE_PORT/"
fi
# shellcheck disable=SC2001 # a regex with a back-reference
shown_dsn=$(sed 's|://\([^:/@]*\):[^@]*@|://\1:***@|' <<<"$PINPIPE_PG_DSN")  # never print a password
echo "  PostgreSQL  psql '$shown_dsn' -c 'SELECT * FROM metrics LIMIT 20'   (*** = the password of PINPIPE_PG_DSN)"
echo "  Cassandra   $BUILD/pinpipe cql --keyspace $RUN -e 'SELECT * FROM metrics LIMIT 20'"
echo "  S3 lake     $BUILD/pinpipe s3 ls $PINPIPE_LAKE_PREFIX"
echo "  SQL         bash ci/trino/views.sh --keyspace $RUN --stream-schema $RUN --lake-prefix $PINPIPE_LAKE_PREFIX; $BUILD/pinpipe sql   (docs/sql.md)"
echo "  parity      PINPIPE_TOPIC=$RUN PINPIPE_GEO_TOPIC=$RUN-geo PINPIPE_USERS_TOPIC=$RUN-users \\"
echo "              PINPIPE_STREAM_GROUP=$RUN-stream PINPIPE_CASSANDRA_KEYSPACE=$RUN \\"
echo "              PINPIPE_PG_DSN='$shown_dsn' $BUILD/pinpipe parity --from $start_day --to $end_day"
echo "  Prometheus  $PROM/consoles/pinpipe.html (the operations panels), $PROM/alerts, $PROM/classic/graph"
echo "              queries: topic:pinpipe_consumer_lag:records  job:pinpipe_api_requests:rate1m  pinpipe_parity_day_ok"
echo "              Grafana: import monitoring/grafana/pinpipe.json (docs/monitoring.md)"
echo "  logs        $OUT/"
[ "$KEEP" = 1 ] || echo "  (the services this run started are stopped now, Prometheus too; their data stays in .services/, the run's series too:
   \`make services-up\` brings them back for the commands above; DEMO_KEEP=1 keeps them running)"
[ "$parity_rc" = 0 ] || die "parity did not hold (exit $parity_rc)"
[ "${join_mismatch:-0}" = 0 ] || die "the joined posts in the stores differ from the emulator's manifest"
