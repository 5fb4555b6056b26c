# shellcheck shell=bash disable=SC2034 # the STREAM_* results are for the sourcing script
# Sourced by bench/stream_ab.sh and bench/stream_profile.sh: runs one `pinpipe stream`
# and measures its wall time and the CPU of the client and of its PostgreSQL backend.
#   stream_cpu_run LOG CMD...: runs CMD (a `pinpipe stream`, stderr to LOG) in the
#   background, finds its backend (application 'pinpipe' in pg_stat_activity; the
#   private cluster has no other) and samples both processes' CPU (/proc, user + sys)
#   until the stream exits. Sets STREAM_WALL_MS, STREAM_CLIENT_MS, STREAM_BACKEND_MS
#   (the last samples: a lower bound, within 20 ms) and STREAM_PID, STREAM_BACKEND_PID.
stream_cpu_ms() {
  awk -v t="$(getconf CLK_TCK)" '{sub(/^.*\) /, ""); print int(($12 + $13) * 1000 / t)}' "/proc/$1/stat" 2>/dev/null
}

stream_cpu_run() {
  local log="$1" t0 c b
  shift
  t0=$(date +%s%3N)
  "$@" 2>"$log" &
  STREAM_PID=$!
  STREAM_BACKEND_PID=""
  while [[ -z "$STREAM_BACKEND_PID" ]] && kill -0 "$STREAM_PID" 2>/dev/null; do
    STREAM_BACKEND_PID=$(psql "$PINPIPE_PG_DSN" -qAt -c "SELECT pid FROM pg_stat_activity
      WHERE application_name = 'pinpipe' AND pid <> pg_backend_pid() ORDER BY backend_start DESC LIMIT 1")
  done
  STREAM_CLIENT_MS=0
  STREAM_BACKEND_MS=0
  while kill -0 "$STREAM_PID" 2>/dev/null; do
    c=$(stream_cpu_ms "$STREAM_PID") && [[ -n "$c" ]] && STREAM_CLIENT_MS=$c
    if [[ -n "$STREAM_BACKEND_PID" ]]; then
      b=$(stream_cpu_ms "$STREAM_BACKEND_PID") && [[ -n "$b" ]] && STREAM_BACKEND_MS=$b
    fi
    sleep 0.02
  done
  wait "$STREAM_PID"
  STREAM_WALL_MS=$(($(date +%s%3N) - t0))
}
