#!/usr/bin/env bash
# Where one `pinpipe stream` run spends its time (docs/benchmarks.md, "Stream"): N
# emulator events in a 3-partition topic, drained by a fresh group into a scratch
# schema, as bench-stream.sh part 1 does. Prints
#   - the run's wall time, and the client's CPU (user + sys, /proc of the process);
#   - the CPU of the stream's PostgreSQL backend (/proc of the backend, sampled until
#     it exits);
#   - with pg_stat_statements loaded (shared_preload_libraries), the time of each
#     statement the run made;
#   - with PROFILE_PERF=1, perf's flat profile of the client and of the backend
#     (perf record -a: needs root; the other processes are filtered out).
# Usage: bench/stream_profile.sh [BUILD] [PINPIPE]  (PINPIPE: the binary to profile,
# default BUILD/pinpipe). Env: BENCH_STREAM_EVENTS (100000), PINPIPE_STREAM_BATCH_MAX,
# PROFILE_PERF (0), PROFILE_TOP (25 lines of each profile).
set -euo pipefail
BUILD="${1:-build}"
BIN="${2:-$BUILD/pinpipe}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/ci/services/env.sh"
N="${BENCH_STREAM_EVENTS:-100000}"
TOP="${PROFILE_TOP:-25}"
OUT="$ROOT/bench/out"
mkdir -p "$OUT"
# shellcheck source=bench/stream_setup.sh
. "$ROOT/bench/stream_setup.sh"
stream_bench_setup profile "$BIN"
pss=$(psql "$PINPIPE_PG_DSN" -qAt -c "SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'")
if [[ "$pss" == 0 ]]; then
  psql "$PINPIPE_PG_DSN" -qc "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" 2>/dev/null || true
fi
pss_ok=0
if psql "$PINPIPE_PG_DSN" -qc "SELECT pg_stat_statements_reset()" >/dev/null 2>&1; then pss_ok=1; fi

if [[ "${PROFILE_PERF:-0}" == 1 ]]; then
  perf record -a -g -o "$OUT/stream-profile.perf" 2>/dev/null &
  perf_pid=$!
  sleep 1
fi
# shellcheck source=bench/stream_cpu.sh
. "$ROOT/bench/stream_cpu.sh"
stream_cpu_run "$OUT/stream-profile.log" env PINPIPE_PG_DSN="$dsn" "$BIN" stream --topic "$topic" --group "g-$topic" \
  --max-messages "$N"
spid=$STREAM_PID
bpid=$STREAM_BACKEND_PID
if [[ -n "${perf_pid:-}" ]]; then
  kill -INT "$perf_pid"
  wait "$perf_pid" || true
fi
echo "stream_profile: $N events, $STREAM_WALL_MS ms wall; client CPU >= $STREAM_CLIENT_MS ms, backend CPU >= $STREAM_BACKEND_MS ms"
psql "$dsn" -qAt -F' ' -c "SELECT 'pins', count(*) FROM pins UNION ALL SELECT 'metrics', count(*) FROM metrics
  UNION ALL SELECT 'rejects', count(*) FROM rejects"
if ((pss_ok)); then
  echo "pg_stat_statements (ms total, calls, ms/call, rows, statement):"
  psql "$PINPIPE_PG_DSN" -qAt -F' | ' -c "SELECT round(total_exec_time::numeric, 1), calls,
      round((total_exec_time / calls)::numeric, 2), rows, left(regexp_replace(query, '\s+', ' ', 'g'), 110)
    FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat%' AND query NOT LIKE '%pg_attribute%'
    ORDER BY total_exec_time DESC LIMIT 16"
fi
if [[ -n "${perf_pid:-}" ]]; then
  for who in "client $spid" "backend $bpid"; do
    read -r name pid <<<"$who"
    echo "perf, $name (pid $pid), % of its samples, self:"
    perf report -i "$OUT/stream-profile.perf" --pid "$pid" --percentage relative --no-children --sort dso,symbol \
      --stdio -g none 2>/dev/null | awk -v n="$TOP" '/^ +[0-9.]+%/ && k < n {print; k++}'
    echo "perf, $name (pid $pid), % of its samples, with callees:"
    perf report -i "$OUT/stream-profile.perf" --pid "$pid" --percentage relative --children --sort symbol \
      --stdio -g none 2>/dev/null | awk -v n="$TOP" '/^ +[0-9.]+%/ && k < n {print; k++}'
  done
fi
