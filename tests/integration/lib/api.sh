# shellcheck shell=bash
# Helpers of the API's integration scripts (api_hardening_it, api_kinds_it). Source it
# after lib/common.sh, with PINPIPE (the binary), BROKERS and the array PIDS set.
#   start_api NAME ARGS...   pinpipe api on a free port; sets PORT and PID, waits for /healthz
#   stop_api PID             SIGTERM, and the exit status must be 0
#   consume TOPIC OUT        every message of TOPIC as kcat JSON lines into OUT

start_api() {
  local name="$1" log="$TMP/api-$1.log" i
  shift
  : >"$log" # here, not in the background child: the loop below may read it first
  "$PINPIPE" api --port 0 --brokers "$BROKERS" "$@" >"$log" 2>&1 &
  PID=$!
  PIDS+=("$PID")
  PORT=""
  for ((i = 0; i < 200; i++)); do
    PORT=$(sed -n 's|.*listening on http://[^ ]*:\([0-9][0-9]*\)/.*|\1|p' "$log" | sed -n 1p)
    [ -n "$PORT" ] && break
    kill -0 "$PID" 2>/dev/null || it_fail "pinpipe api ($name) exited at start: $(tail -n 5 "$log")"
    sleep 0.05
  done
  [ -n "$PORT" ] || it_fail "pinpipe api ($name) did not report its port"
  it_wait_until 60 sh -c "curl -sf -o /dev/null http://127.0.0.1:$PORT/healthz" ||
    it_fail "pinpipe api ($name): /healthz did not turn 200"
}

stop_api() {
  kill -TERM "$1"
  wait "$1" || it_fail "pinpipe api (pid $1) did not exit 0 after SIGTERM"
}

consume() { # consume TOPIC OUT: every message as kcat JSON lines
  timeout 120 kcat -b "$BROKERS" -C -t "$1" -e -J -q -X auto.offset.reset=earliest >"$2" 2>/dev/null ||
    it_fail "kcat could not read $1"
}
