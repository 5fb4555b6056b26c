#!/usr/bin/env bash
# Serving layer speed: a year of days (365: the oldest 358 written by "the batch" into
# Cassandra with done runs, the newest 7 only in the stream's PostgreSQL tables), then
# year-range queries through `pinpipe serve` under wrk at 8 and 64 connections, beside
# the same answer computed by one hand-written SQL query on PostgreSQL (pgbench, same
# connections) holding all 365 days — what a user without a serving layer would run.
# Both answers are checked equal before anything is timed. Runs alternate and repeat.
#
# Usage: bench/bench-serve.sh [BUILD]       (make bench-serve)
# Environment: BENCH_SERVE_DURATION (s per measurement, 8), BENCH_SERVE_REPEAT (3),
#   BENCH_SERVE_CONCURRENCY ("8 64"). Serve keeps rendered answers per view fingerprint
#   (docs/serve.md), so a repeated question is a lookup; the second measurement runs a
#   serve without that cache (--answers-mb 0) to show the cost of computing each answer. Starts Kafka, Cassandra and PostgreSQL if needed
#   (and stops what it started). Output: bench/out/serve-<time>.txt.
set -euo pipefail
BUILD="${1:-build}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. ci/services/env.sh
DUR="${BENCH_SERVE_DURATION:-8}" REPEAT="${BENCH_SERVE_REPEAT:-3}" CONCS="${BENCH_SERVE_CONCURRENCY:-8 64}"
RUN="bench_serve_$(date +%s)"
OUT="$ROOT/bench/out/serve-$(date +%Y%m%d-%H%M%S).txt"
TMP="$(mktemp -d)"
mkdir -p "$ROOT/bench/out"
B="$ROOT/$BUILD"
started=() SERVE_PID="" SERVE0_PID=""
log() { echo "bench-serve: $*" | tee -a "$OUT"; }
cleanup() {
  for p in $SERVE_PID $SERVE0_PID; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  psql "$PINPIPE_PG_DSN" -qAt -c "DROP SCHEMA IF EXISTS $RUN CASCADE" >/dev/null 2>&1 || true
  "$B/pinpipe" cql -e "DROP KEYSPACE IF EXISTS $RUN" >/dev/null 2>&1 || true
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do bash ci/services/"${started[i]}".sh down >/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
for s in postgres kafka cassandra; do
  bash "ci/services/$s.sh" status >/dev/null 2>&1 || { bash "ci/services/$s.sh" up >/dev/null; started+=("$s"); }
done

# ---- a year of metrics: deterministic values, 20 categories, 200 posters a day -------------
export PINPIPE_TOPIC="$RUN" PINPIPE_STREAM_GROUP="$RUN-stream" PINPIPE_CASSANDRA_KEYSPACE="$RUN"
BASE_DSN="$PINPIPE_PG_DSN"
psql "$BASE_DSN" -qAt -c "CREATE SCHEMA $RUN" >/dev/null
export PINPIPE_PG_DSN="$BASE_DSN?options=-csearch_path%3D$RUN"
"$B/pinpipe" produce --partitions 1 /dev/null 2>/dev/null # the (empty) topic
first=$(date -u -d "-364 days" +%F) last=$(date -u +%F) batch_last=$(date -u -d "-7 days" +%F)
python3 - "$first" "$TMP" "$batch_last" <<'PY'
import datetime, sys
first, tmp, batch_last = datetime.date.fromisoformat(sys.argv[1]), sys.argv[2], sys.argv[3]
cats = ["art", "travel", "diy", "food", "home", "beauty", "quotes", "tattoos", "event", "christmas",
        "mens-fashion", "education", "finance", "vehicles", "animals", "sport", "garden", "kids", "music", "film"]
with open(f"{tmp}/pg.tsv", "w") as pg, open(f"{tmp}/cass.cql", "w") as cq:
    for i in range(365):
        d = (first + datetime.timedelta(days=i)).isoformat()
        rows = [("pins_total", "all", "count", 0)]
        total = 0
        for c, name in enumerate(cats):
            v = (i * 7919 + c * 104729) % 97 + 10 * (20 - c)
            total += v
            rows.append(("pins_by_category", name, "count", v))
        for p in range(200):
            rows.append(("pins_by_poster", f"poster-{(p * 31 + i) % 1000:04d}", "count", (p * i) % 13 + 1))
        rows[0] = ("pins_total", "all", "count", total)
        for m, k, kind, v in rows:
            pg.write(f"{m}\t{d}\t{k}\t{kind}\t{v}\n")
        if d <= batch_last:
            cq.write("BEGIN UNLOGGED BATCH\n")
            for m, k, kind, v in rows:
                cq.write(f"INSERT INTO metrics (day, metric, key, kind, value) VALUES ('{d}', '{m}', '{k}', '{kind}', {v})\n")
            cq.write("APPLY BATCH;\n")
            cov = '{"source":"lake_group","next_offsets":{"0":0}}'
            cq.write(f"INSERT INTO batch_runs (day, run_at, status, write_ts, lake_coverage, lake_read) VALUES "
                     f"('{d}', toTimestamp(now()), 'done', {1000 + i}, '{cov}', '{{}}');\n")
PY
log "loading 365 days into PostgreSQL and 358 into Cassandra (keyspace $RUN)"
"$B/pinpipe" stream --exit-when-idle 1000 2>/dev/null || true # creates the stream's tables
psql "$PINPIPE_PG_DSN" -qAt -c "\\copy metrics (metric, day, key, kind, value) FROM '$TMP/pg.tsv'" >/dev/null
"$B/pinpipe" cql -e "CREATE KEYSPACE IF NOT EXISTS $RUN WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}" >/dev/null
"$B/pinpipe" batch --date "$first" >/dev/null 2>&1 || true # creates the batch tables (an empty day)
{ echo "USE $RUN;"; cat "$TMP/cass.cql"; } | "$B/pinpipe" cql -f - >/dev/null

"$B/pinpipe" serve --port 0 --refresh-ms 5000 --threads 2 2>"$TMP/serve.log" &
SERVE_PID=$!
for _ in $(seq 100); do grep -qs "listening on" "$TMP/serve.log" && break; sleep 0.2; done
URL=$(sed -n 's|.*listening on \(http://[0-9.:]*\)/.*|\1|p' "$TMP/serve.log" | head -1)
for _ in $(seq 100); do curl -sf "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

Q="api/v1/top?metric=pins_by_category&from=$first&to=$last&group=all&top=10"
SQL="SELECT key, sum(value) AS v FROM metrics WHERE metric = 'pins_by_category' AND day BETWEEN '$first' AND '$last' GROUP BY key ORDER BY v DESC, key LIMIT 10"
served=$(curl -s "$URL/$Q" | jq -r '.rows[] | "\(.key)|\(.value)"')
sql=$(psql "$PINPIPE_PG_DSN" -qAt -F'|' -c "$SQL")
[ "$served" = "$sql" ] || { echo "serve: $served"; echo "sql: $sql"; echo "bench-serve: the answers differ" >&2; exit 1; }
sources=$(curl -s "$URL/api/v1/days?from=$first&to=$last" | jq -r '[.days[].source] | group_by(.) | map("\(.[0]) \(length)") | join(", ")')
log "checked: serve's year-range top-10 equals the SQL answer ($sources days)"
curl -s -o /dev/null "$URL/api/v1/query?metric=pins_by_poster&from=$first&to=$last&group=month&top=5" # warm

echo "$SQL;" >"$TMP/q.sql"
PGB=/usr/lib/postgresql/15/bin/pgbench
wrk_run() { # URL_PATH CONNS [wrk args] -> "rps p50_ms p99_ms"
  wrk -t2 -c"$2" -d"${DUR}s" --latency "${@:3}" "$URL/$1" >"$TMP/wrk.txt" 2>&1
  awk '/Requests\/sec/ {r=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
       function ms(x) { if (x ~ /us$/) return x / 1000; if (x ~ /ms$/) return x + 0; if (x ~ /s$/) return x * 1000; return x }
       END {printf "%.0f %.2f %.2f\n", r, ms(p50), ms(p99)}' "$TMP/wrk.txt"
}
pgb_run() { # CONNS -> "tps p50_ms p99_ms"
  rm -f "$TMP"/pgbench_log.*
  (cd "$TMP" && "$PGB" -n -f q.sql -c "$1" -j 2 -T "$DUR" -l --log-prefix=pgbench_log "$PINPIPE_PG_DSN" >"$TMP/pgb.txt" 2>&1)
  cat "$TMP"/pgbench_log.* | awk '{print $3 / 1000}' | sort -n >"$TMP/lat.txt"
  local n tps
  n=$(wc -l <"$TMP/lat.txt")
  tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$TMP/pgb.txt" | head -1)
  printf '%.0f %.2f %.2f\n' "$tps" "$(sed -n "$(((n + 1) / 2))p" "$TMP/lat.txt")" "$(sed -n "$((n * 99 / 100 + 1))p" "$TMP/lat.txt")"
}
stats() { sort -n | awk '{a[NR]=$1} END {printf "min %s median %s", a[1], a[int((NR+1)/2)]}'; }

log "year-range top-10 categories (365 days; $DUR s per run, $REPEAT runs alternating)"
for c in $CONCS; do
  : >"$TMP/serve.$c" && : >"$TMP/sql.$c"
  for ((r = 1; r <= REPEAT; r++)); do
    wrk_run "$Q" "$c" >>"$TMP/serve.$c"
    pgb_run "$c" >>"$TMP/sql.$c"
  done
  log "  $c connections: pinpipe serve  req/s $(cut -d' ' -f1 "$TMP/serve.$c" | stats)  p50 ms $(cut -d' ' -f2 "$TMP/serve.$c" | stats)  p99 ms $(cut -d' ' -f3 "$TMP/serve.$c" | stats)"
  log "  $c connections: one SQL query  req/s $(cut -d' ' -f1 "$TMP/sql.$c" | stats)  p50 ms $(cut -d' ' -f2 "$TMP/sql.$c" | stats)  p99 ms $(cut -d' ' -f3 "$TMP/sql.$c" | stats)"
  s=$(cut -d' ' -f1 "$TMP/serve.$c" | sort -n | sed -n "$(((REPEAT + 1) / 2))p")
  q=$(cut -d' ' -f1 "$TMP/sql.$c" | sort -n | sed -n "$(((REPEAT + 1) / 2))p")
  log "  $c connections: serve / SQL requests/s (medians) = $(echo "scale=2; $s / $q" | bc)"
done
log "year-range top-10, every answer computed (a second serve with --answers-mb 0; the day rows are cached):"
"$B/pinpipe" serve --port 0 --refresh-ms 5000 --threads 2 --answers-mb 0 2>"$TMP/serve0.log" &
SERVE0_PID=$!
for _ in $(seq 100); do grep -qs "listening on" "$TMP/serve0.log" && break; sleep 0.2; done
URL0=$(sed -n 's|.*listening on \(http://[0-9.:]*\)/.*|\1|p' "$TMP/serve0.log" | head -1)
for _ in $(seq 100); do curl -sf "$URL0/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -s -o /dev/null "$URL0/$Q" # warm the day rows
for c in $CONCS; do
  : >"$TMP/nc.$c"
  for ((r = 1; r <= REPEAT; r++)); do URL="$URL0" wrk_run "$Q" "$c" >>"$TMP/nc.$c"; done
  log "  $c connections: pinpipe serve  req/s $(cut -d' ' -f1 "$TMP/nc.$c" | stats)  p50 ms $(cut -d' ' -f2 "$TMP/nc.$c" | stats)  p99 ms $(cut -d' ' -f3 "$TMP/nc.$c" | stats)"
done
RU0="api/v1/query?metric=pins_by_poster&from=$first&to=$last&group=month&top=5"
curl -s -o /dev/null "$URL0/$RU0"
log "year-range roll-up by month, top-5 posters (73,000 day rows), every answer computed:"
for c in $CONCS; do
  : >"$TMP/nr.$c"
  for ((r = 1; r <= REPEAT; r++)); do URL="$URL0" wrk_run "$RU0" "$c" >>"$TMP/nr.$c"; done
  log "  $c connections: pinpipe serve  req/s $(cut -d' ' -f1 "$TMP/nr.$c" | stats)  p50 ms $(cut -d' ' -f2 "$TMP/nr.$c" | stats)  p99 ms $(cut -d' ' -f3 "$TMP/nr.$c" | stats)"
done
{ kill -TERM "$SERVE0_PID" && wait "$SERVE0_PID"; } || true
SERVE0_PID=""
RU="api/v1/query?metric=pins_by_poster&from=$first&to=$last&group=month&top=5"
log "year-range roll-up by month, top-5 posters (73,000 day rows; the same question again: answer cache):"
for c in $CONCS; do
  : >"$TMP/ru.$c"
  for ((r = 1; r <= REPEAT; r++)); do wrk_run "$RU" "$c" >>"$TMP/ru.$c"; done
  log "  $c connections: pinpipe serve  req/s $(cut -d' ' -f1 "$TMP/ru.$c" | stats)  p99 ms $(cut -d' ' -f3 "$TMP/ru.$c" | stats)"
done
log "written to $OUT"
