#!/usr/bin/env bash
# Airflow's DAG processor: parses orchestration/airflow/dags for the scheduler.
#   bash ci/services/airflow-dag-processor.sh up|down|status
# Ready when the API server reports it healthy. Settings: ci/services/airflow-lib.sh.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
pp_svc_init airflow-dag-processor
. "$(dirname "${BASH_SOURCE[0]}")/airflow-lib.sh"
SVC_PID_MATCH="airflow" # Airflow renames its processes (setproctitle): match the name they keep
SVC_READY_TIMEOUT=120
SVC_STOP_TIMEOUT=20
VENV=""

svc_install() { VENV="$(airflow_venv)"; }
svc_start() { pp_spawn "$VENV/bin/airflow" dag-processor; }
svc_probe() { airflow_health | jq -e '.dag_processor.status == "healthy"' >/dev/null 2>&1; }
svc_info() { echo "dags=$AIRFLOW__CORE__DAGS_FOLDER"; }

pp_main "$@"
