#!/usr/bin/env bash
# Airflow's API server and UI for pinpipe's DAGs, on 127.0.0.1:$PINPIPE_AIRFLOW_PORT.
#   bash ci/services/airflow-api.sh up|down|status
# Also creates/migrates the SQLite metadata database. Settings: ci/services/airflow-lib.sh.
# Conventions: ci/services/lib.sh. docs/orchestration.md.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
pp_svc_init airflow-api
. "$(dirname "${BASH_SOURCE[0]}")/airflow-lib.sh"
SVC_PORTS="$PINPIPE_AIRFLOW_PORT"
SVC_PID_MATCH="airflow" # Airflow renames its processes (setproctitle): match the name they keep
SVC_READY_TIMEOUT=120
SVC_STOP_TIMEOUT=20
VENV=""

svc_install() { VENV="$(airflow_venv)"; }
svc_prepare() { mkdir -p "$AIRFLOW_HOME" && "$VENV/bin/airflow" db migrate >"$SVC_DIR/migrate.log" 2>&1; }
svc_start() { pp_spawn "$VENV/bin/airflow" api-server --host 127.0.0.1 --port "$PINPIPE_AIRFLOW_PORT"; }
svc_probe() { airflow_health | grep -q '"metadatabase"'; }
svc_info() { echo "ui=http://127.0.0.1:$PINPIPE_AIRFLOW_PORT/ home=$AIRFLOW_HOME"; }

pp_main "$@"
