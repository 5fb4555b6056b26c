# Shared helpers of the chaos soak (tests/soak/soak.sh). Source it, never run it.
#   say MSG...            a timeline line: "[  12.3s] MSG", also appended to $OUT/timeline.txt
#   note MSG...           an indented detail line (stdout and the timeline)
#   problem MSG...        records a failed check (the verdict lists them) and prints it
#   elapsed               seconds since T0, one decimal
#   now_ms                monotonic-enough milliseconds (date +%s%3N)
#   sleep_ms MS           sleeps MS milliseconds
#   pid_alive PID         the process exists and is not a zombie
#   wait_until SECS CMD   runs CMD every 0.5 s until it succeeds; 1 if it never did
#   port_answers PORT     something accepts TCP connections on 127.0.0.1:PORT
#   free_port FROM        prints the first port >= FROM nobody listens on
# shellcheck shell=bash

PROBLEMS=()

now_ms() { date +%s%3N; }

elapsed() {
  local ms=$(($(now_ms) - T0_MS))
  printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100))
}

say() {
  local line
  line=$(printf '[%7ss] %s' "$(elapsed)" "$*")
  printf '%s\n' "$line"
  printf '%s\n' "$line" >>"$OUT/timeline.txt"
}

note() {
  printf '           %s\n' "$*"
  printf '           %s\n' "$*" >>"$OUT/timeline.txt"
}

problem() {
  PROBLEMS+=("$*")
  say "PROBLEM: $*"
}

sleep_ms() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

pid_alive() {
  local state
  [[ "${1:-}" =~ ^[0-9]+$ ]] || return 1
  state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

port_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local p=$1
  while port_answers "$p"; do p=$((p + 1)); done
  echo "$p"
}
