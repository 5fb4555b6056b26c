# The soak's processes: the pipeline's daemons (started by this shell, stopped by pid)
# and the four services (ci/services/<name>.sh; killed by the pid in their pid file).
# Source it after common.sh. Needs: ROOT, B (build dir), OUT, API_PORT, SOAK_LAKES,
# SOAK_STREAMS, and the run's PINPIPE_* settings in the environment.
#
#   daemon_names            api lake1..lakeN stream1..streamN
#   daemon_start NAME       starts NAME in the background; DPID[NAME] = its pid
#   daemon_stop NAME SIG    SIG, at most 30 s, then SIGKILL; reaps it; DAEMON_RC = status
#   daemons_check           restarts (and reports) every daemon that exited by itself
#   daemons_stop_all        SIGTERM to every daemon; a non-zero exit is a problem
#   svc NAME VERB           bash ci/services/NAME.sh VERB (up|down|status)
#   svc_pid NAME            the pid in NAME's pid file
#   svc_bring_up NAME       `up`, at most 3 tries; 1 if it never came up
#   svc_sigkill NAME        SIGKILL of NAME's pid (and waits until it and its children are gone)
#   services_restore        every service that is not answering is brought up
# shellcheck shell=bash

declare -A DPID=()
DAEMON_RC=0
UNEXPECTED_EXITS=0

daemon_names() {
  local i
  echo api
  for ((i = 1; i <= SOAK_LAKES; i++)); do echo "lake$i"; done
  for ((i = 1; i <= SOAK_STREAMS; i++)); do echo "stream$i"; done
}

daemon_start() {
  local name=$1 log="$OUT/$1.log"
  printf '==== start %s\n' "$(date -u +%FT%T.%3NZ)" >>"$log"
  case "$name" in
    api) "$B/pinpipe" api --port "$API_PORT" 2>>"$log" & ;;
    # static membership: a restarted member gets its partitions back at once
    lake*) "$B/pinpipe" lake --instance-id "soak-$name" --max-age-ms 2000 2>>"$log" & ;;
    stream*) "$B/pinpipe" stream --instance-id "soak-$name" 2>>"$log" & ;;
    *) echo "daemon_start: unknown daemon $name" >&2; return 1 ;;
  esac
  DPID[$name]=$!
  if [ "$name" = api ] && ! wait_until 30 port_answers "$API_PORT"; then
    problem "the API (pid ${DPID[api]}) does not listen on 127.0.0.1:$API_PORT after 30 s"
  fi
}

# (stderr is quiet inside: bash would print "line N: PID Killed ..." for every SIGKILL)
daemon_stop() {
  local name=$1 sig=$2 pid=${DPID[$1]:-} i
  DAEMON_RC=0
  [ -n "$pid" ] || return 0
  kill -s "$sig" "$pid" || true
  for ((i = 0; i < 300; i++)); do
    pid_alive "$pid" || break
    sleep 0.1
  done
  if pid_alive "$pid"; then
    problem "$name (pid $pid) still running 30 s after SIG$sig: SIGKILL"
    kill -s KILL "$pid" || true
  fi
  wait "$pid" || DAEMON_RC=$?
  DPID[$name]=""
} 2>/dev/null

daemons_check() {
  local name pid rc
  for name in $(daemon_names); do
    pid=${DPID[$name]:-}
    if [ -z "$pid" ] || pid_alive "$pid"; then continue; fi
    rc=0
    wait "$pid" 2>/dev/null || rc=$?
    DPID[$name]=""
    UNEXPECTED_EXITS=$((UNEXPECTED_EXITS + 1))
    problem "$name (pid $pid) exited by itself with status $rc; last log line: $(tail -n 1 "$OUT/$name.log" 2>/dev/null)"
    daemon_start "$name"
    note "$name restarted (pid ${DPID[$name]})"
  done
}

daemons_stop_all() {
  local name
  for name in $(daemon_names); do
    [ -n "${DPID[$name]:-}" ] || continue
    daemon_stop "$name" TERM
    if [ "$DAEMON_RC" = 0 ]; then
      note "$name: SIGTERM, exit 0"
    else
      problem "$name: exit status $DAEMON_RC on SIGTERM (expected 0); log: $OUT/$name.log"
    fi
  done
}

# Called from the EXIT trap: no checks, just stop.
daemons_kill_all() {
  local name
  for name in "${!DPID[@]}"; do
    [ -n "${DPID[$name]:-}" ] || continue
    daemon_stop "$name" TERM
  done
}

svc() { bash "$ROOT/ci/services/$1.sh" "$2"; }

svc_pid() { head -n 1 "$PINPIPE_SERVICES_DIR/$1/$1.pid" 2>/dev/null | tr -dc '0-9'; }

svc_bring_up() {
  local name=$1 try
  for try in 1 2 3; do
    if svc "$name" up >>"$OUT/services.log" 2>&1; then return 0; fi
    note "$name: up failed (try $try of 3; $OUT/services.log)"
    sleep 2
  done
  return 1
}

# all_gone PID...: none of them is alive
all_gone() {
  local p
  for p in "$@"; do pid_alive "$p" && return 1; done
  return 0
}

svc_sigkill() {
  local name=$1 pid i kids=()
  pid=$(svc_pid "$name")
  [ -n "$pid" ] && pid_alive "$pid" || return 1
  # PostgreSQL's backends (children) outlive a killed postmaster for a moment, and a new
  # postmaster will not start while they hold the old shared memory: wait for them too.
  mapfile -t kids < <(ps -o pid= --ppid "$pid" 2>/dev/null | tr -d ' ')
  kill -s KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do
    # and until the killed server is reaped: PostgreSQL takes a zombie's pid in its
    # postmaster.pid for a running server and would refuse to start
    all_gone "$pid" "${kids[@]}" && ! [ -e "/proc/$pid" ] && return 0
    sleep 0.1
  done
  all_gone "$pid" "${kids[@]}" || problem "$name: pid $pid or a child of it is still alive 30 s after SIGKILL"
}

services_restore() {
  local name
  for name in "${SERVICES[@]}"; do
    svc "$name" status >/dev/null 2>&1 && continue
    note "$name is not answering: bringing it up"
    svc_bring_up "$name" || problem "$name did not come back up ($OUT/services.log)"
  done
}
