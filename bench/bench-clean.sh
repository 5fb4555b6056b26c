#!/usr/bin/env bash
# Cleaning and metrics throughput: `pinpipe clean` and `pinpipe metrics` on one core
# against what a user would write instead, the SAME rules and metrics in
#   * DuckDB SQL (bench/baseline_duckdb.sql + .py), 1 thread and 2 threads;
#   * PySpark, Spark SQL in local mode (bench/baseline_pyspark.py), local[1], local[2];
# plus `cat` (the I/O floor). Every command reads the same emulator file (1% invalid
# events: --invalid-rate 0.01) and writes its output to a file under bench/out.
#
# 1. Check: on BENCH_CHECK_RECORDS records each baseline must write the same cleaned
#    rows as `pinpipe clean` and the same metrics as `pinpipe metrics`
#    (bench/check_baseline.py: rows compared as JSON values, as a multiset; metrics as
#    (metric, day, key) -> (kind, value)). A difference fails the bench with a diff.
# 2. Time: the commands alternate (A B C ... A B C ...), BENCH_RUNS rounds; min and
#    median wall time, records/s, peak RSS; the ratio pinpipe vs each baseline doing
#    the same job, per record (bench/bench_clean_table.py).
#    Cores: pinpipe and cat run pinned to core 0 (taskset -c 0); DuckDB 1 thread and
#    PySpark local[1] on core 0; DuckDB 2 threads and local[2] on cores 0,1.
#    PySpark runs on BENCH_SPARK_RECORDS records (a run over 1M takes far over 3
#    minutes on this machine): its ratio is per record.
# 3. Memory with many distinct pins: BENCH_DISTINCT_RECORDS records whose unique_ids
#    are all distinct (the emulator's unique_id rewritten to the line number), peak
#    RSS of pinpipe clean and pinpipe metrics (and DuckDB metrics, 1 thread).
#
# The input does not exercise the corners the SQL baselines do not express (which
# JSON error it is, duplicate keys, U+0000 in strings, timestamps with zones or
# fractions, the event-time range: see the headers of the baselines); it does hold
# every invalid kind the emulator makes: truncated JSON, invalid UTF-8, missing
# fields, wrong types.
#
# Usage: bench/bench-clean.sh [BUILD]      (make bench)
# Environment:
#   BENCH_RECORDS           records timed (default 1000000)
#   BENCH_RUNS              rounds, each command once per round (default 3)
#   BENCH_CHECK_RECORDS     records of the equality check (default 100000)
#   BENCH_SPARK_RECORDS     records PySpark is timed on (default 50000)
#   BENCH_DISTINCT_RECORDS  records of the distinct-pins memory run (default 1000000)
#   BENCH_BASELINES         which baselines, a list (default "duckdb pyspark")
# The baselines are installed by ci/install-bench.sh ($PINPIPE_CACHE_DIR/bench-venv).
set -euo pipefail
BUILD="${1:-build}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
N="${BENCH_RECORDS:-1000000}"
RUNS="${BENCH_RUNS:-3}"
CHECK_N="${BENCH_CHECK_RECORDS:-100000}"
SPARK_N="${BENCH_SPARK_RECORDS:-50000}"
DISTINCT_N="${BENCH_DISTINCT_RECORDS:-1000000}"
BASELINES=" ${BENCH_BASELINES:-duckdb pyspark} "
OUT="$ROOT/bench/out"
PINPIPE="$BUILD/pinpipe"
mkdir -p "$OUT"

log() { echo "bench-clean: $*"; }
die() { echo "bench-clean: $*" >&2; exit 1; }
has() { [[ "$BASELINES" == *" $1 "* ]]; }

{ [ -x "$PINPIPE" ] && [ -x "$BUILD/pinpipe-emulate" ]; } || die "build first: make BUILD=$BUILD all"
PY="$(bash ci/install-bench.sh | tail -n 1)"

# input COUNT: the emulator file of COUNT records (generated once, kept).
input() {
  local f="$OUT/clean-input-$1.jsonl"
  if [ ! -s "$f" ]; then
    log "generating $1 emulator records (1% invalid) into $f" >&2
    "$BUILD/pinpipe-emulate" --seed 42 --count "$1" --days 7 --invalid-rate 0.01 --out "$f.tmp" 2>/dev/null
    mv "$f.tmp" "$f"
  fi
  echo "$f"
}

# ---- 1. the check ----
CHECK_DATA="$(input "$CHECK_N")"
log "check on $CHECK_N records: each baseline against pinpipe clean (rows) and pinpipe metrics"
"$PINPIPE" clean --no-summary --rejects "$OUT/check-pinpipe.rejects" "$CHECK_DATA" >"$OUT/check-pinpipe.clean"
"$PINPIPE" metrics "$CHECK_DATA" >"$OUT/check-pinpipe.metrics"
check() { # NAME RUNNER...: RUNNER clean|metrics IN OUT
  local name="$1"; shift
  rm -rf "$OUT/check-$name.clean" "$OUT/check-$name.metrics"
  "$@" clean "$CHECK_DATA" "$OUT/check-$name.clean" >"$OUT/check-$name.log" 2>&1 ||
    { tail -n 20 "$OUT/check-$name.log"; die "$name clean failed"; }
  "$@" metrics "$CHECK_DATA" "$OUT/check-$name.metrics" >>"$OUT/check-$name.log" 2>&1 ||
    { tail -n 20 "$OUT/check-$name.log"; die "$name metrics failed"; }
  python3 bench/check_baseline.py rows "$OUT/check-pinpipe.clean" "$OUT/check-$name.clean" "$name" ||
    die "$name does not clean as pinpipe does (above); nothing timed"
  python3 bench/check_baseline.py metrics "$OUT/check-pinpipe.metrics" "$OUT/check-$name.metrics" "$name" ||
    die "$name does not compute pinpipe's metrics (above); nothing timed"
}
duckdb_run() { "$PY" bench/baseline_duckdb.py "$1" "$2" "$3" --threads "$THREADS"; }
spark_run() { "$PY" bench/baseline_pyspark.py "$1" "$2" "$3" --cores "$THREADS"; }
THREADS=2
if has duckdb; then check duckdb duckdb_run; fi
if has pyspark; then check pyspark spark_run; fi

# ---- 2. timing ----
DATA="$(input "$N")"
SPARK_DATA="$DATA"
if has pyspark && [ "$SPARK_N" != "$N" ]; then SPARK_DATA="$(input "$SPARK_N")"; fi
TSV="$OUT/bench-clean-runs.tsv"
: >"$TSV"

# peak_rss PID: the largest sum of RSS (KiB) over the session PID leads while it runs
# (PySpark's JVM is a child of python, not reaped by it: /usr/bin/time would miss it).
peak_rss() {
  local peak=0 now
  while kill -0 "$1" 2>/dev/null; do
    now=$(ps -o rss= -s "$1" 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
    ((now > peak)) && peak=$now
    sleep 0.2
  done
  echo "$peak"
}

# run NAME JOB CORES RECORDS INPUT OUTPUT CMD...: one timed run; CMD reads INPUT on
# standard input when it has no file argument, writes OUTPUT (a file, not /dev/null).
run() {
  local name="$1" job="$2" cores="$3" records="$4" in="$5" out="$6"; shift 6
  local tfile pid tree secs rss
  tfile=$(mktemp)
  rm -rf "$out"
  setsid /usr/bin/time -f '%e %M' -o "$tfile" taskset -c "$cores" "$@" <"$in" >"$out.stdout" 2>"$OUT/$name.stderr" &
  pid=$!
  tree=$(peak_rss "$pid")
  wait "$pid" || { tail -n 5 "$OUT/$name.stderr"; die "$name failed"; }
  read -r secs rss <"$tfile"
  rm -f "$tfile"
  ((tree > rss)) && rss=$tree
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$job" "$(($(tr ',' '\n' <<<"$cores" | wc -l)))" "$records" "$secs" \
    "$rss" >>"$TSV"
  printf '  %-22s %8.2f s %9.0f rec/s %8.1f MiB\n' "$name" "$secs" "$(echo "$records / ($secs + 0.0001)" | bc -l)" \
    "$(echo "$rss / 1024" | bc -l)"
}

# time_baseline NAME LABEL THREADS_FLAG RECORDS DATA: the baseline's clean and metrics jobs
# on 1 thread (core 0) and 2 (cores 0,1); LABEL's {job} and {t} name each run.
time_baseline() {
  local name="$1" label="$2" flag="$3" records="$4" data="$5" t job cores run_name
  for t in 1 2; do
    cores=0
    [ "$t" = 2 ] && cores=0,1
    for job in clean metrics; do
      run_name="$name-${label//\{job\}/$job}"
      run_name="${run_name//\{t\}/$t}"
      run "$run_name" "$job" "$cores" "$records" "$data" "$OUT/t-$name-$job" \
        "$PY" "$P/baseline_$name.py" "$job" "$data" "$OUT/t-$name-$job" "$flag" "$t"
    done
  done
}

log "timing: $N records ($(($(stat -c %s "$DATA") / 1048576)) MiB), PySpark on $SPARK_N, $RUNS rounds, $(nproc) CPUs"
P="$ROOT/bench"
for round in $(seq 1 "$RUNS"); do
  log "round $round of $RUNS"
  run cat io 0 "$N" "$DATA" "$OUT/t-cat" cat
  run pinpipe-clean clean 0 "$N" "$DATA" "$OUT/t-pinpipe-clean" \
    sh -c "exec \"\$0\" clean --no-summary --rejects \"\$1\" - >\"\$2\"" "$PINPIPE" "$OUT/t-pinpipe.rejects" \
    "$OUT/t-pinpipe-clean"
  run pinpipe-metrics metrics 0 "$N" "$DATA" "$OUT/t-pinpipe-metrics" \
    sh -c "exec \"\$0\" metrics \"\$1\" >\"\$2\"" "$PINPIPE" "$DATA" "$OUT/t-pinpipe-metrics"
  has duckdb && time_baseline duckdb "{job}-{t}t" --threads "$N" "$DATA"
  has pyspark && time_baseline pyspark "{job}-local{t}" --cores "$SPARK_N" "$SPARK_DATA"
done

# ---- 3. memory with many distinct pins ----
DISTINCT="$OUT/clean-distinct-$DISTINCT_N.jsonl"
if [ ! -s "$DISTINCT" ]; then
  log "rewriting the unique_ids of $DISTINCT_N records to distinct ones into $DISTINCT"
  # (python, not awk: mawk's sub() on these lines ran at under 1 MB/s)
  python3 -c 'import re, sys
uid = re.compile(rb"\"unique_id\": \"[^\"]*\"")
out = sys.stdout.buffer
for n, line in enumerate(sys.stdin.buffer, 1):
    out.write(uid.sub(b"\"unique_id\": \"pin-%d\"" % n, line, count=1))' <"$(input "$DISTINCT_N")" >"$DISTINCT.tmp"
  mv "$DISTINCT.tmp" "$DISTINCT"
fi
log "memory: $DISTINCT_N records, all unique_ids distinct"
MEM_TSV="$OUT/bench-clean-distinct.tsv"
: >"$MEM_TSV"
run_mem() { # like run, into MEM_TSV
  local saved="$TSV"
  TSV="$MEM_TSV"
  run "$@"
  TSV="$saved"
}
run_mem pinpipe-clean clean 0 "$DISTINCT_N" "$DISTINCT" "$OUT/d-pinpipe-clean" \
  sh -c "exec \"\$0\" clean --no-summary --rejects \"\$1\" - >\"\$2\"" "$PINPIPE" "$OUT/d-pinpipe.rejects" \
  "$OUT/d-pinpipe-clean"
run_mem pinpipe-metrics metrics 0 "$DISTINCT_N" "$DISTINCT" "$OUT/d-pinpipe-metrics" \
  sh -c "exec \"\$0\" metrics \"\$1\" >\"\$2\"" "$PINPIPE" "$DISTINCT" "$OUT/d-pinpipe-metrics"
if has duckdb; then
  run_mem duckdb-metrics-1t metrics 0 "$DISTINCT_N" "$DISTINCT" "$OUT/d-duckdb-metrics" \
    "$PY" "$P/baseline_duckdb.py" metrics "$DISTINCT" "$OUT/d-duckdb-metrics" --threads 1
fi

# ---- the table ----
{
  echo "bench-clean: $N records (PySpark: $SPARK_N), $RUNS rounds alternating, 1% invalid input, $(nproc) CPUs;"
  echo "checked on $CHECK_N records: every baseline wrote pinpipe's cleaned rows and metrics."
  echo "pinpipe: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'); $("$PY" -c \
    'import duckdb, pyspark; print("duckdb", duckdb.__version__, "pyspark", pyspark.__version__)')"
  echo
  python3 bench/bench_clean_table.py "$TSV"
  echo
  echo "peak RSS with $DISTINCT_N distinct unique_ids (one run each):"
  awk -F '\t' '{ printf "  %-22s %8.2f s %8.1f MiB\n", $1, $5, $6 / 1024 }' "$MEM_TSV"
} | tee "$OUT/bench-clean.txt"
