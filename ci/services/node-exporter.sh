#!/usr/bin/env bash
# Prometheus node exporter (Debian's prometheus-node-exporter) as pinpipe's own process,
# for two things only: the text files the batch and parity jobs leave behind (textfile
# collector) and the disks under the stores' data (filesystem collector).
#   bash ci/services/node-exporter.sh up|down|status
# Listens on 127.0.0.1:$PINPIPE_NODE_EXPORTER_PORT. Text files: .services/node-exporter/textfile
# (give it to the jobs as PINPIPE_METRICS_TEXTFILE_DIR; docs/monitoring.md).
# Conventions: ci/services/lib.sh.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
pp_svc_init node-exporter

NODE_EXPORTER="${PINPIPE_NODE_EXPORTER_BIN:-prometheus-node-exporter}"
TEXTFILE_DIR="$SVC_DIR/textfile"
SVC_PORTS="$PINPIPE_NODE_EXPORTER_PORT"
SVC_PID_MATCH="--collector.textfile.directory=$TEXTFILE_DIR"
SVC_READY_TIMEOUT=30
SVC_STOP_TIMEOUT=10

svc_install() { pp_need "$NODE_EXPORTER" curl; }
svc_prepare() { mkdir -p "$TEXTFILE_DIR"; }

svc_start() {
  # Only the collectors pinpipe uses; overlay is kept (a container's root is one).
  pp_spawn "$NODE_EXPORTER" --web.listen-address="127.0.0.1:$PINPIPE_NODE_EXPORTER_PORT" \
    --collector.disable-defaults --collector.textfile --collector.textfile.directory="$TEXTFILE_DIR" \
    --collector.filesystem \
    --collector.filesystem.fs-types-exclude='^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs|tmpfs)$'
}

svc_probe() {
  curl -sf --max-time 5 "http://127.0.0.1:$PINPIPE_NODE_EXPORTER_PORT/metrics" | grep -q '^node_textfile_scrape_error '
}

svc_info() { echo "metrics=127.0.0.1:$PINPIPE_NODE_EXPORTER_PORT textfile_dir=$TEXTFILE_DIR"; }

pp_main "$@"
