#!/usr/bin/env bash
# shellcheck disable=SC2154 # HELD_* and ACKED_* are set by eval, one per server
# Ingest API throughput: acknowledged requests/s, p50/p99 latency and peak RSS of
# `pinpipe api` under wrk at several concurrencies, with a real Kafka broker behind
# it, beside the ingest API as people deploy it in Python, measured in the same run
# under the same load: FastAPI on uvicorn (uvloop, httptools) with as many worker
# processes as pinpipe api has threads, an async handler awaiting an aiokafka
# producer's acknowledgement (acks=all, idempotent), pydantic v2 validation of
# pinpipe's model (bench/fastapi_baseline.py; installed by ci/install-bench.sh).
#
# Before timing, both servers are checked to give the same answer: a valid event is
# 200 and lands in Kafka (the topic grows by one), an invalid one (index "12a") is 422
# and does not. Then the servers alternate (pinpipe, FastAPI, pinpipe, ... at each
# concurrency, BENCH_API_RUNS rounds); min and median of acked/s, p50 and p99 per
# point; peak RSS (VmHWM; for FastAPI the sum over uvicorn's processes).
#
# Usage: bench/bench-api.sh [BUILD]          (make bench-api)
# Environment:
#   BENCH_API_DURATION     seconds per measurement (default 10)
#   BENCH_API_CONCURRENCY  connections, a list (default "8 32 128")
#   BENCH_API_RUNS         rounds (default 3)
#   BENCH_API_THREADS      pinpipe api --threads = uvicorn --workers (default: CPUs,
#                          at most 8, pinpipe api's own default)
#   BENCH_API_WRK_THREADS  wrk threads (default 2)
#   BENCH_API_BASELINE     0 skips the FastAPI baseline (default 1)
#   BENCH_API_ARGS         extra `pinpipe api` flags (e.g. "--linger-ms 2")
# Requests are emulator events (16 of them, rotated). "acked/s" counts only 200
# answers, i.e. events Kafka acknowledged. Everything runs on this one machine
# (client, servers and broker share its cores), so the ratio matters more than the
# absolute figures. Kafka is started if it is not running (and then stopped again).
set -euo pipefail
BUILD="${1:-build}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. ci/services/env.sh
DUR="${BENCH_API_DURATION:-10}"
CONCS="${BENCH_API_CONCURRENCY:-8 32 128}"
RUNS="${BENCH_API_RUNS:-3}"
cpus=$(nproc)
THREADS="${BENCH_API_THREADS:-$((cpus > 8 ? 8 : cpus))}"
WRK_THREADS="${BENCH_API_WRK_THREADS:-2}"
BASELINE="${BENCH_API_BASELINE:-1}"
OUT="$ROOT/bench/out"
RUN="$(date +%s)"
mkdir -p "$OUT"
PIDS=()
STARTED_KAFKA=0

log() { echo "bench-api: $*"; }
die() { echo "bench-api: $*" >&2; exit 1; }
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  if ((STARTED_KAFKA)); then bash ci/services.sh down kafka >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

for c in wrk curl python3 bc kcat; do command -v "$c" >/dev/null || die "$c missing (bash ci/install-deps.sh)"; done
{ [ -x "$BUILD/pinpipe" ] && [ -x "$BUILD/pinpipe-emulate" ]; } || die "build first: make BUILD=$BUILD all"
VPY=""
if ((BASELINE)); then VPY="$(bash ci/install-bench.sh | tail -n 1)"; fi

if ! bash ci/services/kafka.sh status >/dev/null 2>&1; then
  log "starting kafka"
  bash ci/services.sh up kafka >/dev/null || die "kafka did not come up"
  STARTED_KAFKA=1
fi

BODIES="$OUT/api-bodies.jsonl"
"$BUILD/pinpipe-emulate" --seed 42 --count 16 --invalid-rate 0 --out "$BODIES" 2>/dev/null
head -n 1 "$BODIES" >"$OUT/api-first.json"
sed 's/"index": [0-9]*/"index": "12a"/' "$OUT/api-first.json" >"$OUT/api-invalid.json"
export BENCH_API_BODIES="$BODIES"
avg_body=$(awk '{ n += length($0) } END { printf "%d", n / NR }' "$BODIES")

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# post PORT FILE: the HTTP status of POST /pin/ with FILE as the body.
post() {
  curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "@$2" \
    "http://127.0.0.1:$1/pin/" 2>/dev/null || true
}

# wait_post PID PORT SECONDS: until a POST /pin/ is acknowledged (server up, topic created).
wait_post() {
  local until=$((SECONDS + $3))
  while ((SECONDS < until)); do
    [ "$(post "$2" "$OUT/api-first.json")" = 200 ] && return 0
    kill -0 "$1" 2>/dev/null || return 1
    sleep 0.3
  done
  return 1
}

# kafka_total TOPIC: messages in the topic (sum of the partitions' end offsets).
kafka_total() {
  local parts p total=0 off
  parts=$(kcat -b "$PINPIPE_KAFKA_BROKERS" -L -t "$1" 2>/dev/null | sed -n 's/^ *partition \([0-9]*\),.*/\1/p')
  for p in $parts; do
    off=$(kcat -b "$PINPIPE_KAFKA_BROKERS" -Q -t "$1:$p:-1" 2>/dev/null | awk '{print $NF}' | tail -n 1)
    total=$((total + ${off:-0}))
  done
  echo "$total"
}

# same_answer NAME PORT TOPIC: a valid event is 200 and lands in Kafka; an invalid one
# is 422 and does not.
same_answer() {
  local before after ok invalid
  before=$(kafka_total "$3")
  ok=$(post "$2" "$OUT/api-first.json")
  invalid=$(post "$2" "$OUT/api-invalid.json")
  after=$(kafka_total "$3")
  log "check $1: valid event -> $ok, index \"12a\" -> $invalid, topic $before -> $after messages"
  { [ "$ok" = 200 ] && [ "$invalid" = 422 ] && [ "$after" = $((before + 1)) ]; } ||
    die "$1 does not answer as expected (200, 422, one more message in Kafka)"
}

# peak_rss PID: the sum of VmHWM (KiB) over the processes of the session PID leads.
peak_rss() {
  local p total=0 hwm
  for p in $(ps -o pid= -s "$1"); do
    hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" 2>/dev/null || true)
    total=$((total + ${hwm:-0}))
  done
  echo "$total"
}

TSV="$OUT/bench-api-runs.tsv"
: >"$TSV"
# measure NAME PORT C: one wrk run; appends NAME C acked/s p50_us p99_us non-200 errors to TSV.
measure() {
  local name="$1" port="$2" c="$3" line rps acked
  line=$(wrk -t "$WRK_THREADS" -c "$c" -d "$DUR" --timeout 10s -s bench/bench-api.lua \
    "http://127.0.0.1:$port/pin/" 2>&1 | tee "$OUT/api-$name-c$c.txt" | sed -n 's/^WRKJSON //p')
  [ -n "$line" ] || { cat "$OUT/api-$name-c$c.txt"; die "$name: wrk gave no summary"; }
  read -r req dur non2xx errs p50 p99 < <(python3 -c 'import json,sys
d=json.loads(sys.argv[1])
print(d["requests"], d["duration_us"], d["non2xx"], d["connect"]+d["read"]+d["write"]+d["timeout"], d["p50_us"], d["p99_us"])' "$line")
  acked=$((req - non2xx))
  eval "ACKED_$name=\$((ACKED_$name + acked))"
  rps=$(echo "$acked / ($dur / 1000000)" | bc -l)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$c" "$rps" "$p50" "$p99" "$non2xx" "$errs" >>"$TSV"
  printf '  %-8s c=%-4s %9.0f acked/s  p50 %7.2f ms  p99 %8.2f ms  non-200 %d  socket errors %d\n' \
    "$name" "$c" "$rps" "$(echo "$p50/1000" | bc -l)" "$(echo "$p99/1000" | bc -l)" "$non2xx" "$errs"
}

log "$DUR s per point, concurrency: $CONCS, $RUNS rounds, wrk threads: $WRK_THREADS, $cpus CPUs, bodies ~${avg_body} bytes"
log "kafka: $PINPIPE_KAFKA_BROKERS; pinpipe api --threads $THREADS, uvicorn --workers $THREADS"

# ---- the servers, each in its own session (so its processes can be found) ----
SERVERS=(pinpipe)
port_pinpipe=$(free_port)
topic_pinpipe="pinpipe-bench-api-$RUN"
# shellcheck disable=SC2086 # BENCH_API_ARGS is a list of flags
setsid "$BUILD/pinpipe" api --port "$port_pinpipe" --topic "$topic_pinpipe" --threads "$THREADS" \
  ${BENCH_API_ARGS:-} >"$OUT/api-pinpipe.log" 2>&1 &
pid_pinpipe=$!
PIDS+=("$pid_pinpipe")
wait_post "$pid_pinpipe" "$port_pinpipe" 60 ||
  { tail "$OUT/api-pinpipe.log"; die "pinpipe api did not acknowledge a first event"; }
log "pinpipe api ($(sed -n 's/.*listening on [^ ]* (\(.*\))$/\1/p' "$OUT/api-pinpipe.log" | head -n 1))"
same_answer pinpipe "$port_pinpipe" "$topic_pinpipe"

if ((BASELINE)); then
  SERVERS+=(fastapi)
  port_fastapi=$(free_port)
  topic_fastapi="pinpipe-bench-fastapi-$RUN"
  (cd bench && BENCH_TOPIC="$topic_fastapi" exec setsid "$(dirname "$VPY")/uvicorn" fastapi_baseline:app \
    --host 127.0.0.1 --port "$port_fastapi" --workers "$THREADS" --loop uvloop --http httptools \
    --no-access-log --log-level warning) >"$OUT/api-fastapi.log" 2>&1 &
  pid_fastapi=$!
  PIDS+=("$pid_fastapi")
  wait_post "$pid_fastapi" "$port_fastapi" 60 ||
    { tail "$OUT/api-fastapi.log"; die "the FastAPI baseline did not acknowledge a first event"; }
  # every worker has its producer up: a few more events before the check
  for _ in 1 2 3 4 5 6; do post "$port_fastapi" "$OUT/api-first.json" >/dev/null; done
  log "FastAPI $("$VPY" -c 'import fastapi, aiokafka, pydantic; print(fastapi.__version__, "aiokafka", aiokafka.__version__, "pydantic", pydantic.__version__)'), uvicorn $THREADS workers"
  same_answer fastapi "$port_fastapi" "$topic_fastapi"
fi

# ---- warm-up, then alternate ----
for s in "${SERVERS[@]}"; do
  port_var="port_$s"
  wrk -t "$WRK_THREADS" -c 8 -d 3 -s bench/bench-api.lua "http://127.0.0.1:${!port_var}/pin/" >/dev/null 2>&1 || true
  eval "ACKED_$s=0"
done
for round in $(seq 1 "$RUNS"); do
  log "round $round of $RUNS"
  for c in $CONCS; do
    for s in "${SERVERS[@]}"; do
      port_var="port_$s"
      measure "$s" "${!port_var}" "$c"
    done
  done
done
RSS_ARGS=()
for s in "${SERVERS[@]}"; do
  pid_var="pid_$s" topic_var="topic_$s"
  RSS_ARGS+=("$s=$(peak_rss "${!pid_var}")")
  eval "HELD_$s=$(kafka_total "${!topic_var}")"
done

# ---- the table ----
{
  echo "bench-api: $DUR s per point, $RUNS rounds alternating, $cpus CPUs, pinpipe api --threads $THREADS vs" \
    "FastAPI+aiokafka on uvicorn --workers $THREADS; pinpipe $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  python3 - "$TSV" "${RSS_ARGS[@]}" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, c, rps, p50, p99, non, errs = line.split("\t")
    r = rows.setdefault((name, int(c)), {"rps": [], "p50": [], "p99": [], "non": 0, "errs": 0})
    r["rps"].append(float(rps)); r["p50"].append(int(p50) / 1000); r["p99"].append(int(p99) / 1000)
    r["non"] += int(non); r["errs"] += int(errs)
rss = dict(a.split("=") for a in sys.argv[2:])
print(f"{'impl':<8} {'conc':>5} {'acked/s min':>12} {'median':>9} {'p50 ms min':>11} {'median':>7} "
      f"{'p99 ms min':>11} {'median':>8} {'non-200':>8} {'sock err':>8}")
for (name, c), r in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0] != "pinpipe")):
    print(f"{name:<8} {c:>5} {min(r['rps']):>12.0f} {statistics.median(r['rps']):>9.0f} {min(r['p50']):>11.2f} "
          f"{statistics.median(r['p50']):>7.2f} {min(r['p99']):>11.2f} {statistics.median(r['p99']):>8.2f} "
          f"{r['non']:>8} {r['errs']:>8}")
print("peak RSS: " + ", ".join(f"{k} {int(v) / 1024:.1f} MiB" for k, v in rss.items()))
if "fastapi" in rss:
    print("pinpipe api vs FastAPI (medians; min in brackets):")
    for (name, c), r in sorted(rows.items()):
        if name != "pinpipe" or ("fastapi", c) not in rows:
            continue
        f = rows[("fastapi", c)]
        med = statistics.median
        print(f"  c={c:<4} acked/s {med(r['rps']) / med(f['rps']):5.1f}x ({min(r['rps']) / min(f['rps']):.1f}x)   "
              f"p99 {med(f['p99']) / med(r['p99']):5.1f}x lower ({min(f['p99']) / min(r['p99']):.1f}x)   "
              f"p50 {med(f['p50']) / med(r['p50']):5.1f}x lower")
    print(f"  peak RSS {int(rss['fastapi']) / int(rss['pinpipe']):.1f}x less")
EOF
} | tee "$OUT/bench-api.txt"
for s in "${SERVERS[@]}"; do
  acked_var="ACKED_$s" held_var="HELD_$s"
  echo "Kafka check: $s acknowledged ${!acked_var} events under wrk, its topic holds ${!held_var} (warm-up and probes included)" |
    tee -a "$OUT/bench-api.txt"
  if ((${!acked_var} > ${!held_var})); then die "$s acknowledged more events than Kafka holds"; fi
done
