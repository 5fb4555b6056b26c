#!/usr/bin/env bash
# Airflow's scheduler (LocalExecutor, parallelism $PINPIPE_AIRFLOW_PARALLELISM, default 2)
# for pinpipe's DAGs; started after airflow-api (its tasks report to the API server).
#   bash ci/services/airflow-scheduler.sh up|down|status
# --skip-serve-logs: no log server (it would bind every interface). Ready when the API
# server reports the scheduler healthy. Settings: ci/services/airflow-lib.sh.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
pp_svc_init airflow-scheduler
. "$(dirname "${BASH_SOURCE[0]}")/airflow-lib.sh"
SVC_PID_MATCH="airflow" # Airflow renames its processes (setproctitle): match the name they keep
SVC_READY_TIMEOUT=120
SVC_STOP_TIMEOUT=30
VENV=""

svc_install() { VENV="$(airflow_venv)"; }
svc_start() { pp_spawn "$VENV/bin/airflow" scheduler --skip-serve-logs; }
svc_probe() { airflow_health | jq -e '.scheduler.status == "healthy"' >/dev/null 2>&1; }
svc_info() { echo "executor=LocalExecutor parallelism=$AIRFLOW__CORE__PARALLELISM logs=$AIRFLOW_HOME/logs"; }

pp_main "$@"
