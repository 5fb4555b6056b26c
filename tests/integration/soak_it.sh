#!/usr/bin/env bash
# The chaos soak, short: a minute of emulator load while the api, the lake writers, the
# stream jobs, Kafka, the S3 server, PostgreSQL and Cassandra are killed and restarted
# at random; then every acknowledged event is in both stores exactly once, the metrics
# equal the offline engine's, parity passes (tests/soak/soak.sh, docs/soak.md). It
# leaves every service up and answering for the tests after it. SOAK_SEED (printed)
# replays a run; `make soak` is the 10-minute version.
# alone: kills and restarts every service, under load
# needs: kafka s3 cassandra postgres
set -euo pipefail
export SOAK_SECONDS="${SOAK_SECONDS:-60}"
exec bash "$(dirname "${BASH_SOURCE[0]}")/../soak/soak.sh" "${PINPIPE_BUILD:?run it through tests/run-integration.sh}"
