# monitoring — the Prometheus side of pinpipe (issue 14; docs/monitoring.md).
#
#   make monitoring-check   promtool check config (the rendered template), check rules,
#                           and test rules (every alert firing and silent), the Grafana
#                           dashboard is valid JSON; part of make check (about 1 s)
#
# The PromQL of the dashboard is evaluated against a real Prometheus by the integration
# test tests/integration/monitoring_it.sh.

PROMTOOL ?= promtool
.PHONY: monitoring-check
## monitoring-check: promtool check config/rules and promtool test rules (every alert), dashboard JSON valid (about 1 s)
monitoring-check:
	@bash monitoring/check.sh
