#!/usr/bin/env bash
# Install the benchmarks' Python baselines into one virtualenv, pinned versions:
#   DuckDB and PySpark (make bench: the same cleaning and metrics in SQL and Spark),
#   FastAPI + uvicorn + pydantic + aiokafka (make bench-api: the ingest API as people
#   deploy it in Python).
# Idempotent and cached: the venv is $PINPIPE_CACHE_DIR/bench-venv and records the
# package list it was built with (.pinpipe-pkgs); a second run with the same list
# only prints the path. PySpark needs a Java 17+ `java` on PATH (openjdk-17,
# ci/install-deps.sh).
# Usage: bash ci/install-bench.sh     (prints the venv's python on the last line)
set -euo pipefail
CACHE="${PINPIPE_CACHE_DIR:-$HOME/.cache/pinpipe}"
VENV="$CACHE/bench-venv"
PY_PKGS=(
  duckdb==2.0.1
  pyspark==4.1.1
  fastapi==0.165.0 pydantic==2.14.4 uvicorn==0.54.0 uvloop==0.23.0 httptools==0.9.0
  aiokafka==0.14.0
)
want="${PY_PKGS[*]}"
if [ "$(cat "$VENV/.pinpipe-pkgs" 2>/dev/null)" != "$want" ]; then
  echo "install-bench: installing into $VENV: $want" >&2
  mkdir -p "$CACHE"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "${PY_PKGS[@]}"
  echo "$want" >"$VENV/.pinpipe-pkgs"
fi
echo "$VENV/bin/python"
