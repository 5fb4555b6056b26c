# The soak's faults: a plan drawn from SOAK_SEED before the load starts, then run one
# fault at a time while the emulator posts events. Source it after procs.sh.
# Needs: SOAK_SECONDS, SOAK_FAULTS, SOAK_DOWN_MAX_MS, SOAK_LAKES, SOAK_STREAMS,
# LOAD_TARGETS (array: the targets of the load phase), EMU_PID, T0_MS.
#
#   plan_make      fills PLAN_AT (ms after T0), PLAN_TARGET, PLAN_MODE, PLAN_DOWN_MS
#                  (a fixed function of the seed; only $RANDOM of this shell is used)
#   plan_print     the plan, one fault per line (to $OUT/plan.txt)
#   chaos_run      runs the plan until SOAK_SECONDS have passed (and every target was
#                  hit once) or the load is over
#   fault_run I    runs fault I: kill or stop the target, wait PLAN_DOWN_MS, bring it back
#
# Modes: a daemon (api, lake, stream) gets SIGKILL ("kill") or SIGTERM ("term") and is
# started again; a service gets SIGKILL of the pid in its pid file ("kill") or a clean
# `ci/services/<name>.sh down` ("down"), then `up`. (Cassandra is not a load-phase
# target: nothing uses it until the batch; soak.sh kills it under the batch instead.)
# shellcheck shell=bash

PLAN_AT=() PLAN_TARGET=() PLAN_MODE=() PLAN_DOWN_MS=()
declare -A FAULTS_DONE=() TARGETS_HIT=()
FAULTS_RUN=0

rand30() { RAND=$(((RANDOM << 15) | RANDOM)); }

is_daemon_target() { case "$1" in api | lake* | stream*) return 0 ;; *) return 1 ;; esac; }

plan_make() {
  local i j k tmp warm=5000 window slot round=() target
  window=$((SOAK_SECONDS * 1000 - warm - 3000))
  ((window > 0)) || window=1000
  slot=$((window / SOAK_FAULTS))
  ((slot > 1)) || slot=2
  ((${#LOAD_TARGETS[@]})) || return 0
  for ((i = 0; i < SOAK_FAULTS; i++)); do
    if ((${#round[@]} == 0)); then  # every target once per round, in a random order
      round=("${LOAD_TARGETS[@]}")
      for ((j = ${#round[@]} - 1; j > 0; j--)); do
        k=$((RANDOM % (j + 1)))
        tmp=${round[j]} round[j]=${round[k]} round[k]=$tmp
      done
    fi
    target=${round[0]}
    round=("${round[@]:1}")
    case "$target" in
      lake) target="lake$((1 + RANDOM % SOAK_LAKES))" ;;
      stream) target="stream$((1 + RANDOM % SOAK_STREAMS))" ;;
    esac
    rand30
    PLAN_AT[i]=$((warm + i * slot + RAND % (slot / 2)))
    PLAN_TARGET[i]=$target
    if is_daemon_target "$target"; then
      if ((RANDOM % 3)); then PLAN_MODE[i]='kill'; else PLAN_MODE[i]='term'; fi
    else
      if ((RANDOM % 2)); then PLAN_MODE[i]='kill'; else PLAN_MODE[i]='down'; fi
    fi
    PLAN_DOWN_MS[i]=$((RANDOM % (SOAK_DOWN_MAX_MS + 1)))
  done
}

plan_print() {
  local i
  for ((i = 0; i < ${#PLAN_AT[@]}; i++)); do
    printf '#%-3d at %6.1fs  %-9s %-4s  down %4d ms\n' $((i + 1)) \
      "$(awk -v m="${PLAN_AT[i]}" 'BEGIN { print m / 1000 }')" \
      "${PLAN_TARGET[i]}" "${PLAN_MODE[i]}" "${PLAN_DOWN_MS[i]}"
  done
}

load_running() { pid_alive "$EMU_PID"; }

chaos_run() {
  local i n=${#PLAN_AT[@]} end_ms=$((T0_MS + SOAK_SECONDS * 1000))
  for ((i = 0; i < n; i++)); do
    while (($(now_ms) < T0_MS + PLAN_AT[i])) && load_running; do sleep 0.2; done
    if ! load_running; then
      say "the load is over: $((n - i)) planned fault(s) not run"
      return 0
    fi
    # the first round (every target once) runs to its end while there is load
    if (($(now_ms) >= end_ms && i >= ${#LOAD_TARGETS[@]})); then
      say "SOAK_SECONDS are up: $((n - i)) planned fault(s) not run"
      return 0
    fi
    daemons_check
    fault_run "$i"
  done
  say "all $n planned faults run"
}

fault_run() {
  local i=$1 target=${PLAN_TARGET[$1]} mode=${PLAN_MODE[$1]} down=${PLAN_DOWN_MS[$1]}
  local tag="#$((i + 1)) $target" pid t
  FAULTS_RUN=$((FAULTS_RUN + 1))
  FAULTS_DONE[$target]=$((${FAULTS_DONE[$target]:-0} + 1))
  # shellcheck disable=SC2034 # read by soak.sh's report
  if [[ "$target" =~ ^(lake|stream)[0-9]+$ ]]; then TARGETS_HIT[${BASH_REMATCH[1]}]=1; else TARGETS_HIT[$target]=1; fi
  if is_daemon_target "$target"; then
    pid=${DPID[$target]:-}
    if [ "$mode" = kill ]; then daemon_stop "$target" KILL; else daemon_stop "$target" TERM; fi
    say "$tag: SIG${mode^^} pid $pid (exit status $DAEMON_RC)"
    if [ "$mode" = term ] && [ "$DAEMON_RC" != 0 ]; then
      problem "$target exited with status $DAEMON_RC on SIGTERM (expected 0; $OUT/$target.log)"
    fi
    sleep_ms "$down"
    daemon_start "$target"
    say "$tag: started again after $down ms down (pid ${DPID[$target]})"
    return 0
  fi
  pid=$(svc_pid "$target")
  if [ "$mode" = kill ]; then
    svc_sigkill "$target" || note "$target was not running"
    say "$tag: SIGKILL pid $pid"
  else
    t=$(now_ms)
    svc "$target" down >>"$OUT/services.log" 2>&1 || problem "$target: ci/services/$target.sh down failed"
    say "$tag: stopped (ci/services/$target.sh down, $(($(now_ms) - t)) ms)"
  fi
  sleep_ms "$down"
  t=$(now_ms)
  if svc_bring_up "$target"; then
    say "$tag: up again, pid $(svc_pid "$target"), ready in $(($(now_ms) - t)) ms"
  else
    problem "$target did not come back up ($OUT/services.log)"
  fi
}
