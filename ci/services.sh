#!/usr/bin/env bash
# Start, stop or inspect pinpipe's local services (all on 127.0.0.1).
#
#   bash ci/services.sh up|down|status [kafka|s3|cassandra|postgres|trino|monitoring|airflow ...]
#
# No names means all of them: the four stores, trino, then `monitoring` (an alias of
# node-exporter postgres-exporter prometheus, which may also be named one by one); `up`
# leaves trino out, with a loud warning, when its Java (22+) is missing (`bash
# ci/services/trino.sh java` says what to install). Each name runs `bash
# ci/services/<name>.sh <verb>` (the convention is described at the top of
# ci/services/lib.sh). `up` starts in the order given (default: the stores postgres s3
# kafka cassandra, cheapest first, then trino, then monitoring) and stops at the first
# failure; `down` runs in reverse order and tries every service; `status` reports all.
# `airflow` (airflow-api airflow-scheduler airflow-dag-processor: the DAGs of
# orchestration/airflow/) runs only when named: `bash ci/services.sh up airflow`.
# Exit code: 0 when every named service did what was asked (status: all ready), else 1.
# Settings (ports, credentials, dirs): ci/services/env.sh. Docs: docs/services.md.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ALL_SERVICES=(postgres s3 kafka cassandra trino node-exporter postgres-exporter prometheus)
MONITORING=(node-exporter postgres-exporter prometheus)
# Named only, never in the default set: the orchestration (docs/orchestration.md).
AIRFLOW=(airflow-api airflow-scheduler airflow-dag-processor)

usage() {
  echo "usage: bash ci/services.sh up|down|status [${ALL_SERVICES[*]} monitoring ${AIRFLOW[*]} airflow ...]" >&2
  exit 2
}

verb="${1:-}"
case "$verb" in up | down | status) shift ;; -h | --help) usage ;; *) usage ;; esac

names=()
for n in "$@"; do
  case "$n" in
    monitoring) names+=("${MONITORING[@]}") ;;
    airflow) names+=("${AIRFLOW[@]}") ;;
    *) names+=("$n") ;;
  esac
done
if ((${#names[@]} == 0)); then
  names=("${ALL_SERVICES[@]}")
  if [ "$verb" = up ] && ! bash "$here/services/trino.sh" java >/dev/null 2>&1; then
    echo "services: ***** trino NOT started: it needs Java 22+ *****" >&2
    bash "$here/services/trino.sh" java >&2 || true
    names=(postgres s3 kafka cassandra "${MONITORING[@]}")
  fi
fi
for n in "${names[@]}"; do
  case " ${ALL_SERVICES[*]} ${AIRFLOW[*]} " in
    *" $n "*) ;;
    *) echo "services: unknown service '$n' (known: ${ALL_SERVICES[*]} monitoring ${AIRFLOW[*]} airflow)" >&2; exit 2 ;;
  esac
  [ -f "$here/services/$n.sh" ] || { echo "services: $here/services/$n.sh is missing" >&2; exit 1; }
done

rc=0
case "$verb" in
  up)
    for n in "${names[@]}"; do
      bash "$here/services/$n.sh" up || { echo "services: $n failed to come up" >&2; exit 1; }
    done
    ;;
  down)
    for ((i = ${#names[@]} - 1; i >= 0; i--)); do
      bash "$here/services/${names[i]}.sh" down || rc=1
    done
    ;;
  status)
    for n in "${names[@]}"; do
      bash "$here/services/$n.sh" status || rc=1
    done
    ;;
esac
exit "$rc"
