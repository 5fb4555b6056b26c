# Shared helpers of the local-service scripts. Source it, never run it.
#
# CONVENTION (every ci/services/<name>.sh follows it)
#
#   A service script is run as its own process:
#       bash ci/services/<name>.sh up|down|status
#   and ends with
#       pp_main "$@"
#   It sources env.sh and this file, then calls `pp_svc_init <name>`, which sets
#       SVC_NAME   the name                        (kafka, postgres, s3, cassandra)
#       SVC_DIR    $PINPIPE_SERVICES_DIR/<name>     data, logs, pid file (git-ignored)
#       SVC_LOG    $SVC_DIR/<name>.log              the service's stdout+stderr
#       SVC_PID    $SVC_DIR/<name>.pid              first line: the service's pid
#       SVC_CACHE  $PINPIPE_CACHE_DIR/<name>        downloads and builds (git-ignored)
#   and may then override, before pp_main:
#       SVC_PORTS          ports it binds on 127.0.0.1 (checked free before a start)
#       SVC_PID_MATCH      text that /proc/<pid>/cmdline must hold for the pid file to
#                          count as ours (guards against a recycled pid); empty = any
#       SVC_READY_TIMEOUT  seconds `up` waits for readiness (default 120;
#                          PINPIPE_SERVICES_TIMEOUT overrides every service)
#       SVC_STOP_SIGNAL    first signal of `down` (default TERM)
#       SVC_STOP_TIMEOUT   seconds between that signal and SIGKILL (default 30)
#
#   The script defines these functions; pp_main builds up/down/status from them:
#       svc_install     idempotent: fetch/build what it runs into $SVC_CACHE (fast if cached)
#       svc_prepare     idempotent: create config / format data under $SVC_DIR (optional)
#       svc_start       launch the server in the background; normally a single
#                       `pp_spawn cmd args...`, which writes $SVC_PID
#       svc_probe       exit 0 iff the server answers a real protocol request; quiet
#       svc_post_ready  idempotent set-up once it answers: users, buckets... (optional)
#       svc_info        one line of connection details for `status` (optional)
#   A script may define svc_up / svc_down / svc_status itself to replace the generic verb.
#
#   up and down of one service are serialised by a lock on $SVC_DIR/.lock (fd 7).
#
#   Least privilege: these scripts run under umask 077, so every file they and the servers
#   they spawn create (data, logs, pid files, configs, credentials) is readable by its
#   owner only; `up` also takes group/other access away from what an older version left
#   in $SVC_DIR (pp_harden). $PINPIPE_SERVICES_DIR itself is 0700 (0711 as root, so a
#   server running as a system user, e.g. postgres, can reach its own directory).
#   Secrets never go on a command line (argv is world-readable in ps): a server gets
#   them through its environment or a 0600 file. pp_spawn's log line masks the value of
#   any argument that names a secret (NAME=VALUE or -Dname=value with PASSWORD, SECRET,
#   TOKEN or KEY in the name) in case one slips in.
#   Verbs and exit codes:
#       up      already running and answering: prints so, changes nothing, exit 0.
#               Otherwise install, prepare, start, poll svc_probe (no fixed sleeps)
#               until ready or SVC_READY_TIMEOUT; on failure print the log's tail and
#               exit 1 (the half-started process is stopped).
#       down    stop the pid in $SVC_PID: SVC_STOP_SIGNAL, wait up to SVC_STOP_TIMEOUT,
#               then SIGKILL. Never by name. Not running: exit 0.
#       status  exit 0 running and answering, 1 running (or pid file left) but not
#               answering, 3 not running. Prints one line.
#
# ci/services.sh dispatches `up|down|status [names...]` to these scripts.

# shellcheck shell=bash

PP_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
umask 077  # owner-only for everything created from here on (inherited by the servers)
# shellcheck source=env.sh
. "$PP_LIB_DIR/env.sh"

pp_svc_init() {
  SVC_NAME="$1"
  SVC_DIR="$PINPIPE_SERVICES_DIR/$SVC_NAME"
  SVC_LOG="$SVC_DIR/$SVC_NAME.log"
  SVC_PID="$SVC_DIR/$SVC_NAME.pid"
  SVC_CACHE="$PINPIPE_CACHE_DIR/$SVC_NAME"
  SVC_PORTS=""
  SVC_PID_MATCH=""
  SVC_READY_TIMEOUT=120
  SVC_STOP_SIGNAL=TERM
  SVC_STOP_TIMEOUT=30
  mkdir -p "$SVC_DIR" "$SVC_CACHE"
}

# pp_harden: owner-only access to the services directory and to this service's tree:
# what an older version (or another umask) left group/world-readable is fixed on `up`.
# A script whose server runs as another user (postgres) adjusts its own directories after.
pp_harden() {
  if [ -O "$PINPIPE_SERVICES_DIR" ]; then
    if [ "$(id -u)" -eq 0 ]; then chmod 0711 "$PINPIPE_SERVICES_DIR"; else chmod 0700 "$PINPIPE_SERVICES_DIR"; fi
  fi
  chmod -R go-rwx "$SVC_DIR"
}

# pp_redact ARGS...: print ARGS space-separated, the value of each secret-naming
# argument (NAME=VALUE, -Dname=value, --name=value with password/secret/token/key in the
# name) replaced by ***.
pp_redact() {
  local a out=() re='^(-D|--)?[A-Za-z0-9_.-]*([Pp][Aa][Ss][Ss][Ww]|[Ss][Ee][Cc][Rr][Ee][Tt]|[Tt][Oo][Kk][Ee][Nn]|[Kk][Ee][Yy])[A-Za-z0-9_.-]*='
  for a in "$@"; do
    if [[ "$a" =~ $re ]]; then out+=("${BASH_REMATCH[0]}***"); else out+=("$a"); fi
  done
  printf '%s' "${out[*]}"
}

pp_log() { printf '%s: %s\n' "${SVC_NAME:-services}" "$*"; }
pp_err() { printf '%s: %s\n' "${SVC_NAME:-services}" "$*" >&2; }
pp_die() { pp_err "$*"; exit 1; }

# Monotonic-enough seconds with decimals, for timing messages.
pp_now() { date +%s.%N; }
pp_since() { awk -v a="$1" -v b="$(pp_now)" 'BEGIN { printf "%.1f", b - a }'; }

# pp_need CMD...: fail with a hint when a command is missing.
pp_need() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || pp_die "'$c' not found; run: bash ci/install-deps.sh"
  done
}

# pp_log_tail [FILE] [LINES]: print the end of a log to stderr.
pp_log_tail() {
  local f="${1:-$SVC_LOG}" n="${2:-40}"
  if [ -s "$f" ]; then
    printf -- '---- last %s lines of %s ----\n' "$n" "$f" >&2
    tail -n "$n" "$f" >&2
    printf -- '---- end of %s ----\n' "$f" >&2
  else
    printf '(no log at %s)\n' "$f" >&2
  fi
}

# pp_pid_alive PID: the process exists and is not a zombie.
pp_pid_alive() {
  local pid="$1" state
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$state" != Z ]
}

# pp_read_pid [FILE]: print the pid (first line of FILE) if it is alive and is ours.
pp_read_pid() {
  local f="${1:-$SVC_PID}" pid
  [ -r "$f" ] || return 1
  pid=$(head -n 1 "$f" 2>/dev/null | tr -dc '0-9')
  pp_pid_alive "$pid" || return 1
  if [ -n "$SVC_PID_MATCH" ]; then
    # While the spawning shell execs the server, /proc/PID/cmdline reads empty for a
    # moment (the kernel has not set the new arguments up yet): wait that out, bounded.
    local cmdline="" i
    for ((i = 0; i < 40; i++)); do
      cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
      [ -n "$cmdline" ] && break
      pp_pid_alive "$pid" || return 1
      sleep 0.05
    done
    [[ "$cmdline" == *"$SVC_PID_MATCH"* ]] || return 1
  fi
  printf '%s\n' "$pid"
}

# pp_port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
pp_port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# pp_ports_free: every port in SVC_PORTS is free, or fail naming the one in use.
pp_ports_free() {
  local p
  for p in $SVC_PORTS; do
    if pp_port_open "$p"; then
      pp_die "port 127.0.0.1:$p is already in use by another process (not ours: no live pid in $SVC_PID)"
    fi
  done
}

# pp_spawn CMD ARGS...: run CMD in its own session, stdout+stderr appended to SVC_LOG,
# its pid written to SVC_PID. The pid is the one of CMD itself (exec), so `down` signals
# the server, not a wrapper.
pp_spawn() {
  : >"$SVC_PID"
  printf '==== %s start %s: %s\n' "$SVC_NAME" "$(date -u +%FT%TZ)" "$(pp_redact "$@")" >>"$SVC_LOG"
  # The inner shell closes every inherited descriptor above 2 (lock files of the caller,
  # e.g. run-integration.sh's), so the long-lived server holds none of them.
  # shellcheck disable=SC2016 # expanded by the inner shell
  setsid bash -c 'for fd in /proc/$$/fd/*; do n=${fd##*/}; ((n > 2)) && eval "exec $n>&-"; done
    echo $$ >"$0"; exec "$@"' "$SVC_PID" "$@" </dev/null >>"$SVC_LOG" 2>&1 &
  local i
  for ((i = 0; i < 100; i++)); do  # the pid file appears within milliseconds
    [ -s "$SVC_PID" ] && return 0
    sleep 0.05
  done
  pp_die "could not start: no pid written to $SVC_PID"
}

# pp_stop_pid PID [SIGNAL] [TIMEOUT]: signal, wait bounded, then SIGKILL.
pp_stop_pid() {
  local pid="$1" sig="${2:-TERM}" timeout="${3:-30}" i
  pp_pid_alive "$pid" || return 0
  kill -s "$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    pp_pid_alive "$pid" || return 0
    sleep 0.1
  done
  pp_err "pid $pid did not stop within ${timeout}s after SIG$sig; sending SIGKILL"
  kill -s KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    pp_pid_alive "$pid" || return 0
    sleep 0.1
  done
  pp_err "pid $pid still alive after SIGKILL"
  return 1
}

# pp_wait_ready PID TIMEOUT: poll svc_probe until it answers. Fails early if PID dies.
pp_wait_ready() {
  local pid="$1" timeout="$2" start delay=0.1
  start=$(date +%s)
  while :; do
    if svc_probe >/dev/null 2>&1; then return 0; fi
    if [ -n "$pid" ] && ! pp_pid_alive "$pid"; then
      pp_err "process $pid exited before it became ready"
      return 1
    fi
    if (($(date +%s) - start >= timeout)); then
      pp_err "not ready after ${timeout}s"
      return 1
    fi
    sleep "$delay"
    # back off gently to at most 1s between probes
    case "$delay" in 0.1) delay=0.25 ;; 0.25) delay=0.5 ;; *) delay=1 ;; esac
  done
}

pp_has_fn() { declare -F "$1" >/dev/null; }

# pp_jmx_agent PORT RULES: print the -javaagent option of the Prometheus JMX exporter
# (ci/maven/jmx-exporter/pom.xml, fetched once into $PINPIPE_CACHE_DIR/jmx-exporter) that
# serves /metrics on 127.0.0.1:PORT with the rules file RULES; nothing when PORT is 0.
pp_jmx_agent() {
  local port="$1" rules="$2" pom="$PINPIPE_ROOT/ci/maven/jmx-exporter/pom.xml" version dir jar
  [ "$port" = 0 ] && return 0
  version=$(sed -n 's:.*<jmx.exporter.version>\(.*\)</jmx.exporter.version>.*:\1:p' "$pom")
  dir="$PINPIPE_CACHE_DIR/jmx-exporter/$version"
  jar="$dir/jmx_prometheus_javaagent-$version.jar"
  if [ ! -s "$jar" ]; then
    mkdir -p "$dir"
    mvn -B -q -f "$pom" -Dmaven.repo.local="$PINPIPE_CACHE_DIR/maven/repository" dependency:copy-dependencies \
      -DexcludeTransitive=true -DoutputDirectory="$dir" >>"$SVC_LOG" 2>&1 ||
      { pp_err "mvn could not fetch io.prometheus.jmx:jmx_prometheus_javaagent:$version"; return 1; }
    [ -s "$jar" ] || { pp_err "$jar missing after mvn"; return 1; }
  fi
  printf '%s\n' "-javaagent:$jar=127.0.0.1:$port:$rules"
}

pp_generic_status() {
  local pid info=""
  if pid=$(pp_read_pid); then
    pp_has_fn svc_info && info=" $(svc_info)"
    if svc_probe >/dev/null 2>&1; then
      pp_log "running, pid $pid, ready.$info"
      return 0
    fi
    pp_log "running, pid $pid, NOT answering (log: $SVC_LOG)"
    return 1
  fi
  if [ -s "$SVC_PID" ]; then
    pp_log "stopped (stale pid file $SVC_PID)"
    return 1
  fi
  pp_log "stopped"
  return 3
}

pp_generic_up() {
  local pid start timeout="${PINPIPE_SERVICES_TIMEOUT:-$SVC_READY_TIMEOUT}"
  start=$(pp_now)
  if pid=$(pp_read_pid); then
    if pp_wait_ready "$pid" "$timeout"; then
      pp_has_fn svc_post_ready && { svc_post_ready || pp_die "set-up after start failed"; }
      pp_log "already running (pid $pid)"
      return 0
    fi
    pp_log_tail
    pp_die "pid $pid is running but does not answer; try: bash ci/services.sh down $SVC_NAME"
  fi
  rm -f "$SVC_PID"
  pp_has_fn svc_install && { svc_install || pp_die "install failed"; }
  pp_ports_free
  pp_has_fn svc_prepare && { svc_prepare || { pp_log_tail; pp_die "prepare failed"; }; }
  svc_start || { pp_log_tail; pp_die "start failed"; }
  pid=$(pp_read_pid) || { pp_log_tail; pp_die "exited right after start"; }
  if ! pp_wait_ready "$pid" "$timeout"; then
    pp_log_tail
    pp_stop_pid "$pid" "$SVC_STOP_SIGNAL" "$SVC_STOP_TIMEOUT" || true
    rm -f "$SVC_PID"
    pp_die "failed to start (log: $SVC_LOG)"
  fi
  if pp_has_fn svc_post_ready && ! svc_post_ready; then
    pp_log_tail
    pp_die "set-up after start failed (service left running, pid $pid)"
  fi
  pp_log "started, pid $pid, ready in $(pp_since "$start")s"
}

pp_generic_down() {
  local pid
  if ! pid=$(pp_read_pid); then
    rm -f "$SVC_PID"
    pp_log "not running"
    return 0
  fi
  pp_stop_pid "$pid" "$SVC_STOP_SIGNAL" "$SVC_STOP_TIMEOUT" || pp_die "could not stop pid $pid"
  rm -f "$SVC_PID"
  pp_log "stopped (pid $pid)"
}

# pp_down_wait_ports: the generic down, then wait (bounded, 10 s) until every port of
# SVC_PORTS is closed: a JVM's main thread turns zombie while its other threads still
# hold the listening sockets for a moment, so an `up` right after `down` could otherwise
# find "port in use". A script makes it its down with: svc_down() { pp_down_wait_ports; }
pp_down_wait_ports() {
  local i p busy
  pp_read_pid >/dev/null || { pp_generic_down; return; }
  pp_generic_down
  for ((i = 0; i < 100; i++)); do
    busy=""
    for p in $SVC_PORTS; do pp_port_open "$p" && busy="$p"; done
    [ -z "$busy" ] && return 0
    sleep 0.1
  done
  pp_die "port 127.0.0.1:$busy still open 10s after the server stopped"
}

# pp_rss: the resident memory of the service's process ("N MiB"), or "?".
pp_rss() {
  local pid rss
  pid=$(pp_read_pid 2>/dev/null) || pid=""
  rss=$(awk '/^VmRSS:/ { printf "%d MiB", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null) || rss=""
  printf '%s\n' "${rss:-?}"
}

# pp_main VERB: the entry point of every service script.
pp_main() {
  local verb="${1:-}"
  case "$verb" in
    up | down | status)
      if [ "$verb" != status ]; then
        # one up/down of a service at a time (a second `up` waits, then finds it running)
        exec 7>>"$SVC_DIR/.lock"
        flock -x -w 900 7 || pp_die "another up/down of $SVC_NAME holds $SVC_DIR/.lock"
      fi
      [ "$verb" = up ] && pp_harden
      if pp_has_fn "svc_$verb"; then "svc_$verb"; else "pp_generic_$verb"; fi
      ;;
    *)
      echo "usage: bash $0 up|down|status" >&2
      exit 2
      ;;
  esac
}
