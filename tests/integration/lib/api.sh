# shellcheck shell=bash
# Helpers of the API's integration scripts (api_it, api_hardening_it, api_kinds_it).
# Source it with PINPIPE (the binary), TMP, BROKERS and the array PIDS set, and it_fail
# defined (lib/common.sh, or the script's own).
#   launch_api NAME ARGS...  pinpipe api on a free port, ARGS as given (no health wait,
#                            for tests of /healthz itself); sets PORT and PID
#   start_api NAME ARGS...   launch_api with --brokers $BROKERS, then waits for /healthz 200
#   stop_api PID             SIGTERM, and the exit status must be 0
#   consume TOPIC OUT [BROKERS]  every message of TOPIC as kcat JSON lines into OUT

launch_api() {
  local name="$1" log="$TMP/api-$1.log" i
  shift
  : >"$log" # here, not in the background child: the loop below may read it first
  "$PINPIPE" api --port 0 "$@" >"$log" 2>&1 &
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
}

start_api() {
  local name="$1"
  shift
  launch_api "$name" --brokers "$BROKERS" "$@"
  it_wait_until 60 sh -c "curl -sf -o /dev/null http://127.0.0.1:$PORT/healthz" ||
    it_fail "pinpipe api ($name): /healthz did not turn 200"
}

stop_api() {
  kill -TERM "$1"
  wait "$1" || it_fail "pinpipe api (pid $1) did not exit 0 after SIGTERM"
}

consume() { # consume TOPIC OUT [BROKERS]: every message as kcat JSON lines
  timeout 120 kcat -b "${3:-$BROKERS}" -C -t "$1" -e -J -q -X auto.offset.reset=earliest >"$2" 2>/dev/null ||
    it_fail "kcat could not read $1"
}
