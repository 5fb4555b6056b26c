#!/usr/bin/env bash
# Install every Debian package pinpipe needs to build, test and run its services.
# Idempotent: packages already present are skipped, so a second run takes seconds.
set -euo pipefail

PACKAGES=(
  gcc make pkg-config git curl ca-certificates procps psmisc
  librdkafka-dev libmicrohttpd-dev libjansson-dev libpq-dev
  libcurl4-openssl-dev libcmocka-dev zlib1g-dev libexpat1-dev libssl-dev
  postgresql-15 postgresql-client-15 openjdk-17-jre-headless maven golang-go
  kcat wrk jq bc python3 python3-venv time valgrind
  clang libclang-rt-14-dev
  clang-format-14 shellcheck
  chromium
  prometheus prometheus-postgres-exporter prometheus-node-exporter
)
# clang + libclang-rt-14-dev: `make fuzz` (libFuzzer targets with ASan/UBSan; the
# compiler-rt package holds libFuzzer and the sanitizer runtimes clang links).
# chromium: the dashboard's browser test (serve_it.sh, with ci/install-browser.sh).
# clang-format-14 + shellcheck: `make check` (format-check, shellcheck); gcc's own
# -fanalyzer and libtsan (make analyze, make tsan) come with gcc.
# prometheus (2.42, with promtool) + prometheus-postgres-exporter + prometheus-node-exporter:
# the monitoring service (ci/services/monitoring.sh, docs/monitoring.md). pinpipe runs
# them as its own processes on 127.0.0.1; the system services these packages install
# (ports 9090, 9100, 9187) are stopped and disabled below, so none is left running.
SYSTEM_SERVICES=(prometheus prometheus-node-exporter prometheus-postgres-exporter)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

# java/mvn/go may come from elsewhere on the machine (the base image has them); only
# ask apt for them when the command itself is missing.
filtered=()
for p in "${missing[@]}"; do
  case "$p" in
    openjdk-17-jre-headless) command -v java >/dev/null || filtered+=("$p") ;;
    maven) command -v mvn >/dev/null || filtered+=("$p") ;;
    golang-go) command -v go >/dev/null || filtered+=("$p") ;;
    *) filtered+=("$p") ;;
  esac
done

if ((${#filtered[@]})); then
  echo "install-deps: installing ${filtered[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${filtered[@]}"
else
  echo "install-deps: all packages present"
fi

# The monitoring packages' own system services: stopped and disabled, whatever the
# machine's service policy let the install start (systemd, or sysvinit scripts).
stop_system_services() {
  local s SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  for s in "${SYSTEM_SERVICES[@]}"; do
    dpkg-query -W -f='${Status}' "$s" 2>/dev/null | grep -q 'install ok installed' || continue
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
      if systemctl is-enabled --quiet "$s" 2>/dev/null || systemctl is-active --quiet "$s" 2>/dev/null; then
        echo "install-deps: stopping and disabling the system service $s (pinpipe runs its own)"
        $SUDO systemctl disable --now "$s" >/dev/null 2>&1 || true
      fi
    elif [ -x "/etc/init.d/$s" ]; then
      if "/etc/init.d/$s" status >/dev/null 2>&1; then
        echo "install-deps: stopping the system service $s (pinpipe runs its own)"
        $SUDO /etc/init.d/"$s" stop >/dev/null 2>&1 || true
      fi
      $SUDO update-rc.d "$s" disable >/dev/null 2>&1 || true
    fi
  done
}
stop_system_services
