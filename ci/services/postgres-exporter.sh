#!/usr/bin/env bash
# Prometheus PostgreSQL exporter (Debian's prometheus-postgres-exporter 0.11) as pinpipe's
# own process, watching the cluster of ci/services/postgres.sh.
#   bash ci/services/postgres-exporter.sh up|down|status
# Listens on 127.0.0.1:$PINPIPE_PG_EXPORTER_PORT. Connects with $PINPIPE_PG_DSN: the DSN
# (with its password) reaches the exporter through its environment (DATA_SOURCE_NAME),
# never its command line. Besides the standard pg_* metrics it runs
# monitoring/postgres/queries.yml: the offsets the stream job stored, per schema,
# topic and partition (the stream's lag while the stream itself is down).
# Conventions: ci/services/lib.sh.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
pp_svc_init postgres-exporter

PG_EXPORTER="${PINPIPE_PG_EXPORTER_BIN:-prometheus-postgres-exporter}"
QUERIES="$PINPIPE_ROOT/monitoring/postgres/queries.yml"
SVC_PORTS="$PINPIPE_PG_EXPORTER_PORT"
SVC_PID_MATCH="--web.listen-address=127.0.0.1:$PINPIPE_PG_EXPORTER_PORT"
SVC_READY_TIMEOUT=30
SVC_STOP_TIMEOUT=10

svc_install() { pp_need "$PG_EXPORTER" curl; }

svc_start() {
  local dsn="$PINPIPE_PG_DSN"
  case "$dsn" in *\?*) dsn+="&sslmode=disable" ;; *) dsn+="?sslmode=disable" ;; esac
  DATA_SOURCE_NAME="$dsn" pp_spawn "$PG_EXPORTER" --web.listen-address="127.0.0.1:$PINPIPE_PG_EXPORTER_PORT" \
    --extend.query-path="$QUERIES"
}

# Ready = the exporter answers with its pg_up gauge (0 while PostgreSQL is down: the
# exporter is up, and the PostgreSQL-down alert is what says so).
svc_probe() {
  curl -sf --max-time 5 "http://127.0.0.1:$PINPIPE_PG_EXPORTER_PORT/metrics" | grep -q '^pg_up '
}

svc_info() { echo "metrics=127.0.0.1:$PINPIPE_PG_EXPORTER_PORT"; }

pp_main "$@"
