#!/usr/bin/env bash
# Apache Airflow for pinpipe's DAGs (orchestration/airflow/), from PyPI into a virtualenv
# in the cache, pinned by the constraints file the project keeps. Idempotent: a venv that
# already holds these exact pins is left alone (a marker records the constraints' hash).
#   bash ci/install-airflow.sh        prints the venv's path on its last line
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/ci/services/env.sh"
AIRFLOW_VERSION=3.3.2
constraints="$ROOT/orchestration/airflow/constraints.txt"
venv="$PINPIPE_CACHE_DIR/airflow-venv"
want="$AIRFLOW_VERSION $(sha256sum "$constraints" | cut -d' ' -f1)"
if [ "$(cat "$venv/.pinpipe-installed" 2>/dev/null)" != "$want" ]; then
  echo "install-airflow: apache-airflow $AIRFLOW_VERSION into $venv (constraints: $constraints)" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -c "$constraints" "apache-airflow==$AIRFLOW_VERSION" pytest
  echo "$want" >"$venv/.pinpipe-installed"
fi
echo "$venv"
