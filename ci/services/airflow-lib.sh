# shellcheck shell=bash
# Shared settings of pinpipe's Airflow (orchestration/airflow/), sourced by
# ci/services/airflow-{api,scheduler,dag-processor}.sh after lib.sh. One AIRFLOW_HOME under
# the services dir, SQLite metadata, LocalExecutor sized for two cores, everything on
# 127.0.0.1: the API server listens there; the scheduler runs with --skip-serve-logs (its
# log server would bind every interface; logs are files under AIRFLOW_HOME); no health
# check servers. Loopback development only: every user is admin (simple auth manager).
AIRFLOW_DIR="$PINPIPE_SERVICES_DIR/airflow"
export AIRFLOW_HOME="$AIRFLOW_DIR/home"
export AIRFLOW__CORE__DAGS_FOLDER="$PINPIPE_ROOT/orchestration/airflow/dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__EXECUTOR=LocalExecutor
export AIRFLOW__CORE__PARALLELISM="${PINPIPE_AIRFLOW_PARALLELISM:-2}"
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="http://127.0.0.1:$PINPIPE_AIRFLOW_PORT/execution/"
export AIRFLOW__API__HOST=127.0.0.1 AIRFLOW__API__PORT="$PINPIPE_AIRFLOW_PORT"
export AIRFLOW__API__BASE_URL="http://127.0.0.1:$PINPIPE_AIRFLOW_PORT"
export AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK=False
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS=True
export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=30
export PINPIPE_BIN="${PINPIPE_BIN:-$PINPIPE_ROOT/build/pinpipe}"

airflow_venv() { bash "$PINPIPE_ROOT/ci/install-airflow.sh" | tail -1; }
airflow_health() { # the API server's health JSON, or nothing
  curl -sf --max-time 5 "http://127.0.0.1:$PINPIPE_AIRFLOW_PORT/api/v2/monitor/health"
}
