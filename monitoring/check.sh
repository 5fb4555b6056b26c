#!/usr/bin/env bash
# make monitoring-check: the monitoring files are valid and every alert is tested.
#   promtool check config   monitoring/prometheus.yml.in rendered as ci/services/prometheus.sh does
#   promtool check rules    monitoring/rules/*.yml
#   promtool test rules     monitoring/tests/*.test.yml (each alert fires when it should, not otherwise)
#   every alert of the rules has a test that expects it to fire (exp_labels under its name)
#   monitoring/grafana/*.json parse, and every panel has at least one expression
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROMTOOL="${PROMTOOL:-promtool}"
command -v "$PROMTOOL" >/dev/null || { echo "monitoring-check: promtool not found; run: bash ci/install-deps.sh" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

: >"$tmp/targets.yml"
sed -e "s|@SCRAPE_INTERVAL@|15s|g" -e "s|@SCRAPE_TIMEOUT@|10s|g" -e "s|@RULES_DIR@|$ROOT/monitoring/rules|g" \
  -e "s|@TARGETS_FILE@|$tmp/targets.yml|g" "$ROOT/monitoring/prometheus.yml.in" >"$tmp/prometheus.yml"
"$PROMTOOL" check config "$tmp/prometheus.yml" >"$tmp/out" 2>&1 || { cat "$tmp/out"; exit 1; }
"$PROMTOOL" check rules "$ROOT"/monitoring/rules/*.yml >"$tmp/out" 2>&1 || { cat "$tmp/out"; exit 1; }
(cd "$ROOT/monitoring/tests" && "$PROMTOOL" test rules ./*.test.yml) >"$tmp/out" 2>&1 || { cat "$tmp/out"; exit 1; }

# every alert is tested firing: an alert_rule_test of that name with exp_labels
missing=""
while IFS= read -r a; do
  awk -v a="$a" '$0 ~ "alertname: *" a "( |$)" { s = 1; next } s && /exp_labels:/ { f = 1 } /alertname:/ { s = 0 } END { exit !f }' \
    "$ROOT"/monitoring/tests/*.test.yml || missing+=" $a"
done < <(sed -n 's/^ *- alert: *//p' "$ROOT"/monitoring/rules/*.yml)
[ -z "$missing" ] || { echo "monitoring-check: no test expects these alerts to fire:$missing" >&2; exit 1; }

for d in "$ROOT"/monitoring/grafana/*.json; do
  jq -e '[.panels[] | select(.type != "row") | (.targets // []) | length > 0] | all' "$d" >/dev/null ||
    { echo "monitoring-check: $d: invalid JSON or a panel without an expression" >&2; exit 1; }
done

# the console page is the dashboard's panels (monitoring/console.py writes it)
python3 "$ROOT/monitoring/console.py" "$ROOT/monitoring/grafana/pinpipe.json" "$tmp/pinpipe.html"
cmp -s "$tmp/pinpipe.html" "$ROOT/monitoring/consoles/pinpipe.html" ||
  { echo "monitoring-check: monitoring/consoles/pinpipe.html is not the dashboard's; run: python3 monitoring/console.py monitoring/grafana/pinpipe.json monitoring/consoles/pinpipe.html" >&2; exit 1; }
n_alerts=$(grep -c '^ *- alert:' "$ROOT"/monitoring/rules/*.yml | awk -F: '{ s += $2 } END { print s }')
echo "monitoring-check: config and rules valid, $n_alerts alerts each tested firing and silent (promtool test rules), dashboards parse, the console page matches"
