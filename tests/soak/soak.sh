#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# shellcheck disable=SC2317 # the final `exit` hides that traps and wait_until call functions
# Chaos soak (make soak, make soak-short): the whole pipeline under emulator load for
# SOAK_SECONDS while the api, the lake writers, the stream jobs, Kafka, the S3 server,
# PostgreSQL and Cassandra are killed and restarted at random (seeded; one at a time;
# everything on 127.0.0.1). Then: every acknowledged event is in both stores exactly
# once, both stores' metrics equal `pinpipe metrics` run offline, parity passes for every
# day. Prints a timeline of the faults and a verdict; exit 1 on any failure.
#
#   bash tests/soak/soak.sh [BUILD]          (docs/soak.md)
#
# Env: SOAK_SECONDS (600) load and fault time; SOAK_SEED (random, printed) the plan;
#      SOAK_RATE (100) events/s; SOAK_DAYS (3); SOAK_CONCURRENCY (8);
#      SOAK_FAULTS (faults during the load: max(6, SOAK_SECONDS/20));
#      SOAK_DOWN_MAX_MS (3000) longest downtime;
#      SOAK_TARGETS ("api lake stream kafka s3 postgres cassandra"); SOAK_LAKES (2),
#      SOAK_STREAMS (2) instances; SOAK_PARTITIONS (3); SOAK_DRAIN_SECONDS (300) bound
#      of every wait after the load; SOAK_KEEP=1 keeps the run's schema, keyspace and
#      lake objects (they are kept anyway when the soak fails).
# Services: uses the ones that are up (ci/services/env.sh: ports, data dir), starts the
# missing ones, and at the end leaves every service up and answering, then stops only
# the ones it started itself.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${1:-build}"
case "$BUILD" in /*) B="$BUILD" ;; *) B="$ROOT/$BUILD" ;; esac
# shellcheck source=../../ci/services/env.sh
. "$ROOT/ci/services/env.sh"
# shellcheck source=lib/common.sh
. "$ROOT/tests/soak/lib/common.sh"
# shellcheck source=lib/procs.sh
. "$ROOT/tests/soak/lib/procs.sh"
# shellcheck source=lib/chaos.sh
. "$ROOT/tests/soak/lib/chaos.sh"
# shellcheck source=lib/verify.sh
. "$ROOT/tests/soak/lib/verify.sh"
# shellcheck source=../integration/lib/pins_cql.sh
. "$ROOT/tests/integration/lib/pins_cql.sh"

# ---- settings ------------------------------------------------------------------------
SOAK_SECONDS="${SOAK_SECONDS:-600}"
SOAK_SEED="${SOAK_SEED:-$(($(date +%s%N) % 1000000))}"
SOAK_RATE="${SOAK_RATE:-100}"
SOAK_DAYS="${SOAK_DAYS:-3}"
SOAK_CONCURRENCY="${SOAK_CONCURRENCY:-8}"
SOAK_DOWN_MAX_MS="${SOAK_DOWN_MAX_MS:-3000}"
SOAK_LAKES="${SOAK_LAKES:-2}"
SOAK_STREAMS="${SOAK_STREAMS:-2}"
SOAK_PARTITIONS="${SOAK_PARTITIONS:-3}"
SOAK_DRAIN_SECONDS="${SOAK_DRAIN_SECONDS:-300}"
SOAK_KEEP="${SOAK_KEEP:-0}"
read -r -a TARGETS <<<"${SOAK_TARGETS:-api lake stream kafka s3 postgres cassandra}"
LOAD_TARGETS=()
for t in "${TARGETS[@]}"; do [ "$t" = cassandra ] || LOAD_TARGETS+=("$t"); done
# by default every load-phase target is hit about every 2 minutes, and at least once
SOAK_FAULTS="${SOAK_FAULTS:-$((SOAK_SECONDS / 20 > ${#LOAD_TARGETS[@]} ? SOAK_SECONDS / 20 : ${#LOAD_TARGETS[@]}))}"
SERVICES=(postgres s3 kafka cassandra)

check_settings() {
  local v
  for v in SOAK_SECONDS SOAK_SEED SOAK_RATE SOAK_DAYS SOAK_CONCURRENCY SOAK_FAULTS SOAK_DOWN_MAX_MS \
    SOAK_LAKES SOAK_STREAMS SOAK_PARTITIONS SOAK_DRAIN_SECONDS; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || { echo "soak: $v must be a whole number (got '${!v}')" >&2; exit 2; }
  done
  ((SOAK_SECONDS >= 10 && SOAK_SECONDS <= 86400)) || { echo "soak: SOAK_SECONDS: 10 .. 86400" >&2; exit 2; }
  ((SOAK_RATE >= 1 && SOAK_LAKES >= 1 && SOAK_STREAMS >= 1 && SOAK_PARTITIONS >= 1 && SOAK_DAYS >= 1)) ||
    { echo "soak: SOAK_RATE, SOAK_LAKES, SOAK_STREAMS, SOAK_PARTITIONS, SOAK_DAYS must be >= 1" >&2; exit 2; }
  ((SOAK_FAULTS <= 10000)) || { echo "soak: SOAK_FAULTS: at most 10000" >&2; exit 2; }
  local t
  for t in "${TARGETS[@]}"; do
    case "$t" in api | lake | stream | kafka | s3 | postgres | cassandra) ;;
      *) echo "soak: SOAK_TARGETS: unknown target '$t'" >&2; exit 2 ;; esac
  done
  local c
  for c in "$B/pinpipe" "$B/pinpipe-emulate"; do
    [ -x "$c" ] || { echo "soak: $c not built (make BUILD=$BUILD all)" >&2; exit 2; }
  done
  for c in kcat psql jq curl; do
    command -v "$c" >/dev/null || { echo "soak: '$c' not found (bash ci/install-deps.sh)" >&2; exit 2; }
  done
}
check_settings

RUN="soak_$(date -u +%Y%m%d_%H%M%S)_$$"
OUT="$B/soak/$RUN"
mkdir -p "$OUT"
T0_MS=$(now_ms)
RANDOM=$SOAK_SEED
COUNT=$((SOAK_RATE * SOAK_SECONDS))
mapfile -t DAYS < <(for ((d = SOAK_DAYS; d >= 1; d--)); do date -u -d "-$d days" +%F; done)
API_PORT=$(free_port $((20000 + $$ % 10000)))

# Every run has its own topic, groups, lake prefix, keyspace and schema.
export PINPIPE_TOPIC="$RUN" PINPIPE_LAKE_GROUP="$RUN-lake" PINPIPE_STREAM_GROUP="$RUN-stream"
export PINPIPE_LAKE_PREFIX="$RUN/raw/" PINPIPE_CASSANDRA_KEYSPACE="$RUN"
# The daemons read the run's DSN (search_path = the run's schema) from the environment;
# psql gets it without the password, which goes in PGPASSWORD: never on a command line.
PG_BASE_DSN="$PINPIPE_PG_DSN"
pw_re='^(postgres(ql)?://[^:@/]+):([^@/]*)@(.*)$'
if [[ "$PG_BASE_DSN" =~ $pw_re ]]; then
  export PGPASSWORD="${BASH_REMATCH[3]}"
  PG_BASE_DSN="${BASH_REMATCH[1]}@${BASH_REMATCH[4]}"
fi
case "$PG_BASE_DSN" in *\?*) PG_DSN="$PG_BASE_DSN&options=-csearch_path%3D$RUN" ;;
  *) PG_DSN="$PG_BASE_DSN?options=-csearch_path%3D$RUN" ;; esac
case "$PINPIPE_PG_DSN" in *\?*) PINPIPE_PG_DSN="$PINPIPE_PG_DSN&options=-csearch_path%3D$RUN" ;;
  *) PINPIPE_PG_DSN="$PINPIPE_PG_DSN?options=-csearch_path%3D$RUN" ;; esac
export PINPIPE_PG_DSN

# ---- clean-up: always (failure, Ctrl-C) ------------------------------------------------
STARTED_SVCS=()
EMU_PID="" BATCH_PID=""
FINISHED=0
cleanup() {
  local rc=$? s
  trap - EXIT INT TERM
  set +e  # clean up as far as possible, whatever fails on the way
  if ((!FINISHED)); then echo "soak: interrupted or failed early (exit $rc); stopping what it started" >&2; fi
  [ -n "$EMU_PID" ] && pid_alive "$EMU_PID" && kill -TERM "$EMU_PID" 2>/dev/null
  [ -n "$BATCH_PID" ] && pid_alive "$BATCH_PID" && kill -TERM "$BATCH_PID" 2>/dev/null
  daemons_kill_all
  # A fault may have left a service down: every service goes back up first...
  for s in "${SERVICES[@]}"; do
    svc "$s" status >/dev/null 2>&1 || svc_bring_up "$s" || echo "soak: $s does not come back up" >&2
  done
  if ((rc == 0)) && [ "$SOAK_KEEP" != 1 ]; then drop_run_data; fi
  # ...then the ones the soak started are stopped again.
  for s in "${STARTED_SVCS[@]}"; do svc "$s" down >>"$OUT/services.log" 2>&1 || true; done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

drop_run_data() {
  psql "$PG_BASE_DSN" -X -qAt -c "DROP SCHEMA IF EXISTS $RUN CASCADE" >/dev/null 2>&1 || true
  "$B/pinpipe" cql -e "DROP KEYSPACE IF EXISTS $RUN" >/dev/null 2>&1 || true
  "$B/pinpipe" s3 ls "$PINPIPE_LAKE_PREFIX" 2>/dev/null | cut -f3- | while IFS= read -r key; do
    "$B/pinpipe" s3 rm "$key" >/dev/null 2>&1 || true
  done
}

# ---- phases ----------------------------------------------------------------------------
services_prepare() {
  local s
  for s in "${SERVICES[@]}"; do
    if svc "$s" status >/dev/null 2>&1; then
      note "$s: running, used as it is"
    else
      svc_bring_up "$s" || { problem "$s did not start ($OUT/services.log)"; exit 1; }
      STARTED_SVCS+=("$s")
      note "$s: started by the soak (stopped again at the end)"
    fi
  done
}

pipeline_start() {
  psql "$PG_BASE_DSN" -X -qAt -v ON_ERROR_STOP=1 -c "CREATE SCHEMA $RUN" >/dev/null
  "$B/pinpipe" produce --partitions "$SOAK_PARTITIONS" /dev/null 2>"$OUT/topic.log" ||
    { cat "$OUT/topic.log"; problem "could not create topic $RUN"; exit 1; }
  local name
  for name in $(daemon_names); do daemon_start "$name"; done
  wait_until 30 curl -sf -o /dev/null "http://127.0.0.1:$API_PORT/healthz" ||
    { problem "the API is not healthy ($OUT/api.log)"; exit 1; }
  note "topic $RUN ($SOAK_PARTITIONS partitions); $(daemon_names | tr '\n' ' ')running; API on 127.0.0.1:$API_PORT"
}

EMU_ARGS=()
load_start() {
  EMU_ARGS=(--seed "$SOAK_SEED" --count "$COUNT" --days "$SOAK_DAYS" --start-date "${DAYS[0]}" --invalid-rate 0.01)
  "$B/pinpipe-emulate" "${EMU_ARGS[@]}" --target "http://127.0.0.1:$API_PORT/pin/" \
    --concurrency "$SOAK_CONCURRENCY" --rate "$SOAK_RATE" --retries 200 --manifest "$OUT/manifest.json" \
    >"$OUT/emulator.txt" 2>"$OUT/emulator.log" &
  EMU_PID=$!
}

load_finish() {
  local deadline=$((SECONDS + SOAK_DRAIN_SECONDS)) rc=0
  while pid_alive "$EMU_PID" && ((SECONDS < deadline)); do sleep 0.5; done
  if pid_alive "$EMU_PID"; then
    problem "the emulator was still posting ${SOAK_DRAIN_SECONDS}s after the faults ended: stopped"
    kill -TERM "$EMU_PID" 2>/dev/null || true
  fi
  wait "$EMU_PID" || rc=$?
  EMU_PID=""
  cat "$OUT/emulator.txt" >>"$OUT/emulator.log"
  say "load over: $(sed -E 's|^emulate: target [^ ]*: ||' "$OUT/emulator.txt") (exit $rc)"
  # The same events, the same bytes, to a file: the ground truth.
  "$B/pinpipe-emulate" "${EMU_ARGS[@]}" --out "$OUT/events.jsonl" 2>/dev/null
}

high_watermark() {
  local p args=()
  for ((p = 0; p < SOAK_PARTITIONS; p++)); do args+=(-t "$RUN:$p:-1"); done
  timeout 20 kcat -b "$PINPIPE_KAFKA_BROKERS" -Q "${args[@]}" 2>/dev/null | awk '{ s += $NF } END { print s + 0 }'
}
stream_offsets() { psql "$PG_DSN" -X -qAt -c "SELECT coalesce(sum(next_offset), 0) FROM stream_offsets" 2>/dev/null; }
lake_committed() { "$B/pinpipe" lake --print-committed 2>/dev/null | awk '{ s += $2 } END { print s + 0 }'; }
stream_done() { [ "$(stream_offsets)" = "$HW" ]; }
lake_done() { [ "$(lake_committed)" = "$HW" ]; }

drain() {
  HW=$(high_watermark)
  say "Kafka holds $HW messages; waiting for the stream and the lake writers to consume them all"
  local t=$SECONDS
  wait_until "$SOAK_DRAIN_SECONDS" stream_done ||
    problem "the stream stored offsets up to $(stream_offsets) of $HW after ${SOAK_DRAIN_SECONDS}s"
  wait_until "$SOAK_DRAIN_SECONDS" lake_done ||
    problem "the lake writers committed $(lake_committed) of $HW after ${SOAK_DRAIN_SECONDS}s"
  say "drained in $((SECONDS - t)) s; stopping the daemons (SIGTERM)"
  daemons_stop_all
}

BATCH_RUNS=0
run_batch() { # run_batch N: one batch over every day, bounded; BATCH_RC
  BATCH_RUNS=$((BATCH_RUNS + 1)) BATCH_N=$1
  BATCH_RC=0
  timeout -k 10 "$SOAK_DRAIN_SECONDS" stdbuf -oL "$B/pinpipe" batch --from "${DAYS[0]}" --to "${DAYS[-1]}" \
    >"$OUT/batch.$1.txt" 2>"$OUT/batch.$1.log" & BATCH_PID=$!
}
batch_wait() { wait "$BATCH_PID" || BATCH_RC=$?; BATCH_PID=""; }

# The batch, with Cassandra killed or stopped under it once (when it is a target), as
# soon as the batch has finished its first day plus 0-150 ms, so the kill most likely
# lands in the middle of a later day's writes; then the batch runs again until
# it passes (at most 3 more times): a day's batch is idempotent.
batch_phase() {
  local n=1 delay mode t
  if [[ " ${TARGETS[*]} " == *" cassandra "* ]]; then
    delay=$((RANDOM % 150))
    if ((RANDOM % 2)); then mode='kill'; else mode='down'; fi
    run_batch $n
    wait_until "$SOAK_DRAIN_SECONDS" batch_past_first_day || true
    sleep_ms "$delay"
    local when="after it ended"
    pid_alive "$BATCH_PID" && when="with $(grep -c 'status=done' "$OUT/batch.$n.txt") of ${#DAYS[@]} day(s) done"
    if [ "$mode" = kill ]; then
      svc_sigkill cassandra || true
      say "batch #$n: Cassandra SIGKILLed $when (${delay} ms after the first day)"
    else
      svc cassandra down >>"$OUT/services.log" 2>&1 || problem "cassandra: ci/services/cassandra.sh down failed"
      say "batch #$n: Cassandra stopped (down) $when (${delay} ms after the first day)"
    fi
    FAULTS_RUN=$((FAULTS_RUN + 1))
    FAULTS_DONE[cassandra]=$((${FAULTS_DONE[cassandra]:-0} + 1))
    batch_wait
    note "batch #$n: exit $BATCH_RC $(grep -E ' (error|warn) ' "$OUT/batch.$n.log" | tail -n 1 | cut -c1-200)"
    t=$(now_ms)
    svc_bring_up cassandra || { problem "Cassandra did not come back up"; return 1; }
    say "cassandra: up again, ready in $(($(now_ms) - t)) ms"
    n=$((n + 1))
  fi
  for (( ; n <= 4; n++)); do
    run_batch $n
    batch_wait
    if ((BATCH_RC == 0)); then
      say "batch #$n: done"
      sed 's/^/             /' "$OUT/batch.$n.txt" | cut -c1-160
      return 0
    fi
    note "batch #$n: exit $BATCH_RC: $(tail -n 1 "$OUT/batch.$n.log")"
  done
  problem "the batch failed $((n - 1)) times ($OUT/batch.*.log)"
}
batch_past_first_day() { grep -q 'status=done' "$OUT/batch.$BATCH_N.txt" 2>/dev/null || ! pid_alive "$BATCH_PID"; }

report() {
  local s faults=""
  local missed=""
  for s in "${LOAD_TARGETS[@]}"; do [ -n "${TARGETS_HIT[$s]:-}" ] || missed+="$s "; done
  for s in "${!FAULTS_DONE[@]}"; do faults+="$s×${FAULTS_DONE[$s]} "; done
  echo
  echo "============================ pinpipe chaos soak: $RUN ============================"
  echo "seed        SOAK_SEED=$SOAK_SEED  (SOAK_SECONDS=$SOAK_SECONDS, $SOAK_RATE events/s, $SOAK_DAYS days ${DAYS[0]} .. ${DAYS[-1]})"
  echo "faults      $FAULTS_RUN run: $faults(plan: $OUT/plan.txt)"
  [ -z "$missed" ] || echo "            not hit this time (the load ended first): $missed"
  echo "            daemons that exited by themselves: $UNEXPECTED_EXITS; batch runs: $BATCH_RUNS"
  echo "load        ${EMU_SENT:-?} sent, ${EMU_ACKED:-?} acknowledged, ${EMU_REJECTED:-?} rejected (invalid), ${EMU_FAILED:-?} failed, ${EMU_RETRIES:-?} retries"
  echo "kafka       ${HW:-?} messages (acknowledged + copies from retries: $(( ${HW:-0} - ${EMU_ACKED:-0} )))"
  echo "pins        expected $(wc -l <"$OUT/expected.pins" 2>/dev/null || echo ?); PostgreSQL $(wc -l <"$OUT/pg.pins" 2>/dev/null || echo ?); Cassandra $(wc -l <"$OUT/cql.pins" 2>/dev/null || echo ?)"
  echo "parity      ${PARITY_LINE:-not run}"
  echo "wall time   $(elapsed) s; logs and timeline: $OUT/"
  if ((${#PROBLEMS[@]} == 0)); then
    echo "verdict     soak: PASS"
  else
    echo "verdict     soak: FAIL — ${#PROBLEMS[@]} problem(s):"
    for s in "${PROBLEMS[@]}"; do echo "            - $s"; done
    echo "            (the run's schema $RUN, keyspace $RUN and lake prefix $PINPIPE_LAKE_PREFIX are kept)"
  fi
}

# ---- main ------------------------------------------------------------------------------
# (one function, called on the last line, which also exits: bash has read the whole file
# before it runs, so an edit of the file during a run cannot change what runs)
main() {
  say "chaos soak $RUN: SOAK_SEED=$SOAK_SEED SOAK_SECONDS=$SOAK_SECONDS, $COUNT events at $SOAK_RATE/s over ${DAYS[0]} .. ${DAYS[-1]}"
  say "services (Kafka $PINPIPE_KAFKA_BROKERS, S3 $PINPIPE_S3_ENDPOINT, Cassandra :$PINPIPE_CASSANDRA_PORT, PostgreSQL :$PINPIPE_PG_PORT)"
  services_prepare
  plan_make
  plan_print >"$OUT/plan.txt"
  say "plan: ${#PLAN_AT[@]} faults during the load over ${LOAD_TARGETS[*]:-nothing} (one at a time, down 0..$SOAK_DOWN_MAX_MS ms; $OUT/plan.txt)$([[ " ${TARGETS[*]} " == *" cassandra "* ]] && echo "; Cassandra under the batch")"
  pipeline_start
  load_start
  say "load: pinpipe-emulate posting to POST /pin/ ($SOAK_CONCURRENCY connections, retries 503/429/connection errors)"
  chaos_run
  services_restore
  daemons_check
  load_finish
  check_acknowledged || true
  drain
  batch_phase
  say "checks"
  expected_pins
  check_pins_pg || true
  check_pins_cql || true
  check_metrics
  check_parity
  services_restore
  FINISHED=1
  report
  ((${#PROBLEMS[@]} == 0))
}

main "$@"; exit
