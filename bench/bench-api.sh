#!/usr/bin/env bash
# shellcheck disable=SC2154 # RSS_*, ACKED_* and HELD_* are set by eval, one per server
# Ingest API throughput: acknowledged requests/s, p50/p99 latency and peak RSS of
# `pinpipe api` under wrk at several concurrencies, with a real Kafka broker behind
# it, beside the seeds' stack measured in the same run under the same load: FastAPI
# on uvicorn with a kafka-python producer that also waits for the ack (acks=all):
# bench/fastapi_baseline.py, installed into $PINPIPE_CACHE_DIR/bench-venv from PyPI.
#
# Usage: bench/bench-api.sh [BUILD]          (make bench-api)
# Environment:
#   BENCH_API_DURATION     seconds per measurement (default 10)
#   BENCH_API_CONCURRENCY  connections, a list (default "8 32 128")
#   BENCH_API_WRK_THREADS  wrk threads (default 2)
#   BENCH_API_BASELINE     0 skips the FastAPI baseline (default 1)
#   BENCH_API_ARGS         extra `pinpipe api` flags (e.g. "--threads 1 --linger-ms 2")
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
WRK_THREADS="${BENCH_API_WRK_THREADS:-2}"
BASELINE="${BENCH_API_BASELINE:-1}"
OUT="$ROOT/bench/out"
VENV="$PINPIPE_CACHE_DIR/bench-venv"
# the versions this benchmark was written against (kafka-python >= 2.1 runs on 3.11+)
PY_PKGS=(fastapi==0.165.0 pydantic==2.14.4 uvicorn==0.54.0 kafka-python==3.0.12)
RUN="$(date +%s)"
mkdir -p "$OUT"
SERVER_PID=""
STARTED_KAFKA=0

log() { echo "bench-api: $*"; }
die() { echo "bench-api: $*" >&2; exit 1; }
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if ((STARTED_KAFKA)); then bash ci/services.sh down kafka >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

for c in wrk curl python3 bc; do command -v "$c" >/dev/null || die "$c missing (bash ci/install-deps.sh)"; done
{ [ -x "$BUILD/pinpipe" ] && [ -x "$BUILD/pinpipe-emulate" ]; } || die "build first: make BUILD=$BUILD all"

if ! bash ci/services/kafka.sh status >/dev/null 2>&1; then
  log "starting kafka"
  bash ci/services.sh up kafka >/dev/null || die "kafka did not come up"
  STARTED_KAFKA=1
fi

if ((BASELINE)); then
  want="${PY_PKGS[*]}"
  if [ "$(cat "$VENV/.pinpipe-pkgs" 2>/dev/null)" != "$want" ]; then
    log "installing the baseline into $VENV: $want"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check "${PY_PKGS[@]}" || die "pip install failed"
    echo "$want" >"$VENV/.pinpipe-pkgs"
  fi
fi

BODIES="$OUT/api-bodies.jsonl"
"$BUILD/pinpipe-emulate" --seed 42 --count 16 --invalid-rate 0 --out "$BODIES" 2>/dev/null
head -n 1 "$BODIES" >"$OUT/api-first.json"
export BENCH_API_BODIES="$BODIES"
avg_body=$(awk '{ n += length($0) } END { printf "%d", n / NR }' "$BODIES")

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_post PORT SECONDS: until a POST /pin/ is acknowledged (server up, topic created).
wait_post() {
  local until=$((SECONDS + $2)) code
  while ((SECONDS < until)); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
      --data-binary "@$OUT/api-first.json" "http://127.0.0.1:$1/pin/" 2>/dev/null || true)
    [ "$code" = 200 ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || return 1
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

ROWS=()
# measure NAME PORT TOPIC: warm-up, then one wrk run per concurrency; appends ROWS.
measure() {
  local name="$1" port="$2" topic="$3" c line acked rps
  wrk -t "$WRK_THREADS" -c 8 -d 3 -s bench/bench-api.lua "http://127.0.0.1:$port/pin/" >/dev/null 2>&1 || true
  local acked_total=0
  for c in $CONCS; do
    line=$(wrk -t "$WRK_THREADS" -c "$c" -d "$DUR" --timeout 10s -s bench/bench-api.lua \
      "http://127.0.0.1:$port/pin/" 2>&1 | tee "$OUT/api-$name-c$c.txt" | sed -n 's/^WRKJSON //p')
    [ -n "$line" ] || { cat "$OUT/api-$name-c$c.txt"; die "$name: wrk gave no summary"; }
    read -r req dur non2xx errs p50 p99 < <(python3 -c 'import json,sys
d=json.loads(sys.argv[1])
print(d["requests"], d["duration_us"], d["non2xx"], d["connect"]+d["read"]+d["write"]+d["timeout"], d["p50_us"], d["p99_us"])' "$line")
    acked=$((req - non2xx))
    acked_total=$((acked_total + acked))
    rps=$(echo "$acked / ($dur / 1000000)" | bc -l)
    ROWS+=("$name $c $rps $p50 $p99 $non2xx $errs")
    printf '  %-14s c=%-4s %9.0f acked/s  p50 %7.2f ms  p99 %8.2f ms  non-200 %d  socket errors %d\n' \
      "$name" "$c" "$rps" "$(echo "$p50/1000" | bc -l)" "$(echo "$p99/1000" | bc -l)" "$non2xx" "$errs"
  done
  local rss
  rss=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status")
  eval "RSS_${name//-/_}=$rss"
  local held
  held=$(kafka_total "$topic")
  eval "ACKED_${name//-/_}=$acked_total HELD_${name//-/_}=$held"
}

stop_server() {
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || true
  SERVER_PID=""
}

log "$DUR s per point, concurrency: $CONCS, wrk threads: $WRK_THREADS, $(nproc) CPUs, bodies ~${avg_body} bytes"
log "kafka: $PINPIPE_KAFKA_BROKERS"

# ---- pinpipe api ----
port=$(free_port)
topic_p="pinpipe-bench-api-$RUN"
# shellcheck disable=SC2086 # BENCH_API_ARGS is a list of flags
"$BUILD/pinpipe" api --port "$port" --topic "$topic_p" ${BENCH_API_ARGS:-} >"$OUT/api-pinpipe.log" 2>&1 &
SERVER_PID=$!
wait_post "$port" 60 || { tail "$OUT/api-pinpipe.log"; die "pinpipe api did not acknowledge a first event"; }
log "pinpipe api ($(sed -n 's/.*listening on [^ ]* (\(.*\))$/\1/p' "$OUT/api-pinpipe.log" | head -n 1))"
measure pinpipe "$port" "$topic_p"
stop_server

# ---- FastAPI baseline ----
if ((BASELINE)); then
  port=$(free_port)
  topic_f="pinpipe-bench-fastapi-$RUN"
  (cd bench && BENCH_TOPIC="$topic_f" exec "$VENV/bin/uvicorn" fastapi_baseline:app --host 127.0.0.1 \
    --port "$port" --no-access-log --log-level warning) >"$OUT/api-fastapi.log" 2>&1 &
  SERVER_PID=$!
  wait_post "$port" 60 || { tail "$OUT/api-fastapi.log"; die "the FastAPI baseline did not acknowledge a first event"; }
  log "FastAPI $("$VENV/bin/python" -c 'import fastapi; print(fastapi.__version__)') on uvicorn (1 worker) + kafka-python, acks=all, send().get()"
  measure fastapi "$port" "$topic_f"
  stop_server
fi

# ---- table ----
echo
printf '%-10s %6s %12s %10s %10s %9s %9s %10s\n' impl conc "acked/s" "p50 ms" "p99 ms" non-200 "sock err" "peak RSS"
for r in "${ROWS[@]}"; do
  read -r name c rps p50 p99 non errs <<<"$r"
  rss_var="RSS_$name"
  printf '%-10s %6s %12.0f %10.2f %10.2f %9d %9d %7.1f MiB\n' "$name" "$c" "$rps" \
    "$(echo "$p50/1000" | bc -l)" "$(echo "$p99/1000" | bc -l)" "$non" "$errs" "$(echo "${!rss_var}/1024" | bc -l)"
done
echo
printf 'Kafka check: pinpipe acknowledged %d events, its topic holds %d' "$ACKED_pinpipe" "$HELD_pinpipe"
if ((BASELINE)); then printf '; FastAPI acknowledged %d, its topic holds %d' "$ACKED_fastapi" "$HELD_fastapi"; fi
echo " (warm-up and probe events included in the topics)"
if ((ACKED_pinpipe > HELD_pinpipe)); then die "pinpipe acknowledged more events than Kafka holds"; fi
if ((BASELINE)); then
  echo
  echo "pinpipe api vs FastAPI+kafka-python (same load, same broker):"
  for c in $CONCS; do
    p="" f=""
    for r in "${ROWS[@]}"; do
      read -r name cc rps p50 p99 _ _ <<<"$r"
      [ "$cc" = "$c" ] || continue
      [ "$name" = pinpipe ] && p="$rps $p99"
      [ "$name" = fastapi ] && f="$rps $p99"
    done
    read -r prps pp99 <<<"$p"
    read -r frps fp99 <<<"$f"
    printf '  c=%-4s acked/s %6.1fx   p99 latency %6.1fx lower\n' "$c" \
      "$(echo "$prps / ($frps + 0.0001)" | bc -l)" "$(echo "$fp99 / ($pp99 + 0.0001)" | bc -l)"
  done
  printf '  peak RSS: pinpipe %.1f MiB, FastAPI %.1f MiB (%.1fx less)\n' "$(echo "$RSS_pinpipe/1024" | bc -l)" \
    "$(echo "$RSS_fastapi/1024" | bc -l)" "$(echo "$RSS_fastapi / ($RSS_pinpipe + 0.0001)" | bc -l)"
fi
