#!/usr/bin/env bash
# Ad-hoc SQL benchmark (make bench-sql), against the local Cassandra and Trino:
# the year-range "top categories" question over the batch store's metrics table,
#   A. through Trino (`pinpipe sql`, the Cassandra connector), one SQL statement;
#   B. read by pinpipe from Cassandra directly (`pinpipe cql`): one statement per day
#      of the year on the table's partition key, summed by the script;
# same table, same run, alternated A B A B ..., BENCH_SQL_REPEAT times after one warm-up
# each; min and median wall time per side, and their ratio. Both answers must agree.
# The table: a batch keyspace (`pinpipe batch --print-schema`) whose metrics hold what
# the batch computes for an emulated year — `pinpipe metrics` over the same events (the
# engine the batch runs), loaded in per-day unlogged batches; no lake or batch run, to
# keep the set-up short. Where Trino's time goes: EXPLAIN ANALYZE's phase line.
# Env: BENCH_SQL_EVENTS (100000), BENCH_SQL_REPEAT (5), BENCH_SQL_YEAR (2025).
set -euo pipefail
BUILD="${1:-build}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
. "$ROOT/ci/services/env.sh"
N="${BENCH_SQL_EVENTS:-100000}"
REPEAT="${BENCH_SQL_REPEAT:-5}"
YEAR="${BENCH_SQL_YEAR:-2025}"
OUT="$ROOT/bench/out"
mkdir -p "$OUT"
bash "$ROOT/ci/services/trino.sh" java >/dev/null || { echo "bench-sql: Trino needs Java 22+ (see above)" >&2; exit 1; }
bash "$ROOT/ci/services.sh" up cassandra trino >/dev/null
ks="bench_sql_$(date +%s)"
cleanup() { "$BUILD/pinpipe" cql -e "DROP KEYSPACE IF EXISTS $ks" >/dev/null 2>&1 || true; }
trap cleanup EXIT
ms() { date +%s%3N; }

# ---- the table -------------------------------------------------------------------------
t0=$(ms)
"$BUILD/pinpipe-emulate" --seed 5 --count "$N" --days 365 --start-date "$YEAR-01-01" \
  --out "$OUT/sql-events.jsonl" 2>/dev/null
"$BUILD/pinpipe" metrics --format csv "$OUT/sql-events.jsonl" >"$OUT/sql-metrics.csv"
"$BUILD/pinpipe" batch --keyspace "$ks" --print-schema >"$OUT/sql-schema.cql"
"$BUILD/pinpipe" cql -f "$OUT/sql-schema.cql" >/dev/null
# one unlogged batch (a single partition: one day) per 100 rows, on one line each
python3 - "$OUT/sql-metrics.csv" "$ks" >"$OUT/sql-load.cql" <<'PY'
import csv, sys
path, ks = sys.argv[1], sys.argv[2]
q = lambda s: "'" + s.replace("'", "''") + "'"
by_day = {}
with open(path, newline="") as f:
    for r in csv.DictReader(f):
        by_day.setdefault(r["day"], []).append(r)
for day, rows in sorted(by_day.items()):
    for i in range(0, len(rows), 100):
        ins = " ".join(
            "INSERT INTO %s.metrics (day, metric, key, kind, value) VALUES (%s, %s, %s, %s, %d);"
            % (ks, q(r["day"]), q(r["metric"]), q(r["key"]), q(r["kind"]), int(r["value"]))
            for r in rows[i:i + 100])
        print("BEGIN UNLOGGED BATCH " + ins + " APPLY BATCH;")
PY
"$BUILD/pinpipe" cql -f "$OUT/sql-load.cql" >/dev/null
rows=$(tail -n +2 "$OUT/sql-metrics.csv" | wc -l)
load_ms=$(($(ms) - t0))

# ---- the two readers -----------------------------------------------------------------------
SQL="SELECT key AS category, sum(value) AS pins FROM batch.$ks.metrics
WHERE metric = 'pins_by_category' AND day BETWEEN '$YEAR-01-01' AND '$YEAR-12-31' AND key <> '(null)'
GROUP BY key ORDER BY pins DESC, category LIMIT 5"
for ((d = 0; d < 366; d++)); do
  day=$(date -u -d "$YEAR-01-01 + $d days" +%F)
  [ "${day:0:4}" = "$YEAR" ] || break
  echo "SELECT key, value FROM $ks.metrics WHERE day = '$day' AND metric = 'pins_by_category';"
done >"$OUT/sql-direct.cql"
days=$(wc -l <"$OUT/sql-direct.cql")
via_trino() { "$BUILD/pinpipe" sql --format csv -e "$SQL" | tr -d '\r' | tail -n +2; }
direct() {
  "$BUILD/pinpipe" cql --format csv -f "$OUT/sql-direct.cql" | tr -d '\r' |
    awk -F, '$1 != "key" && $1 != "(null)" {s[$1] += $2} END {for (k in s) print k "," s[k]}' |
    LC_ALL=C sort -t, -k2,2nr -k1,1 | head -n 5
}
# the year's answer must be the same both ways (and the offline metrics')
expect=$(awk -F, -v y="$YEAR" 'NR > 1 && $1 == "pins_by_category" && substr($2, 1, 4) == y && $3 != "(null)" {s[$3] += $5}
  END {for (k in s) print k "," s[k]}' "$OUT/sql-metrics.csv" | LC_ALL=C sort -t, -k2,2nr -k1,1 | head -n 5)
a=$(via_trino)
b=$(direct)
[ "$a" = "$expect" ] || { printf 'Trino:\n%s\noffline:\n%s\n' "$a" "$expect" >&2; echo "bench-sql: Trino's answer differs" >&2; exit 1; }
[ "$b" = "$expect" ] || { printf 'direct:\n%s\noffline:\n%s\n' "$b" "$expect" >&2; echo "bench-sql: the direct answer differs" >&2; exit 1; }

ta=() tb=()
for ((i = 0; i < REPEAT; i++)); do
  s=$(ms); via_trino >/dev/null; ta+=($(($(ms) - s)))
  s=$(ms); direct >/dev/null; tb+=($(($(ms) - s)))
done
stats() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {printf "%d %d", v[1], (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
read -r amin amed <<<"$(stats "${ta[@]}")"
read -r bmin bmed <<<"$(stats "${tb[@]}")"
phases=$("$BUILD/pinpipe" sql --format csv -e "EXPLAIN ANALYZE $SQL" | tr -d '\r"' | grep -o 'Queued: [^,]*, Analysis: [^,]*, Planning: [^,]*, Execution: [^ ,]*' | head -n 1)
trino_pid=$(head -n 1 "$PINPIPE_SERVICES_DIR/trino/trino.pid")
rss=$(awk '/^VmRSS:/ {printf "%d", $2 / 1024}' "/proc/$trino_pid/status")

{
  echo "bench-sql: top 5 categories of $YEAR over batch metrics ($rows rows, $days days, $N events; loaded in $((load_ms / 1000)) s)"
  echo "  answer: $(echo "$a" | tr '\n' ' ')"
  printf '  A. Trino (pinpipe sql, Cassandra connector): min %5d ms  median %5d ms   runs: %s\n' "$amin" "$amed" "${ta[*]}"
  printf '  B. pinpipe cql, one query per day:             min %5d ms  median %5d ms   runs: %s\n' "$bmin" "$bmed" "${tb[*]}"
  echo "  Trino / direct: $(echo "scale=2; $amed / $bmed" | bc)x (median), $(echo "scale=2; $amin / $bmin" | bc)x (min)"
  echo "  Trino's phases (EXPLAIN ANALYZE): $phases"
  echo "  Trino RSS: ${rss} MiB"
} | tee "$OUT/bench-sql.txt"
rm -f "$OUT/sql-events.jsonl" "$OUT/sql-load.cql"
