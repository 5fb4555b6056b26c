#!/usr/bin/env bash
# Specification: a Kafka consumer group built on Debian's librdkafka (through kcat)
# works against the local broker: committed offsets make a restarted group member
# resume where the previous one stopped, with nothing lost and nothing read twice.
#   bash tests/integration/kafka_groups_it.sh      (needs: bash ci/services.sh up kafka)
# needs: kafka
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../ci/services/env.sh"

B="$PINPIPE_KAFKA_BROKERS"
run_id="$$-$(date +%s)"
topic="pinpipe-it-groups-$run_id"
group="pinpipe-it-group-$run_id"
N=12
FIRST=5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "kafka_groups_it: FAIL: $*" >&2; exit 1; }
consume() {  # consume [-c COUNT]: one group member's life, up to the end of every partition
  # auto-commit is librdkafka's default; kcat's own legacy-property warning is dropped
  timeout 90 kcat -b "$B" -q -e -X auto.offset.reset=earliest -f '%s\n' -G "$group" "$@" "$topic" \
    2> >(grep -v CONFWARN >&2)
}

# 1. N keyed messages; the topic is auto-created with the broker's 3 partitions.
for ((i = 1; i <= N; i++)); do echo "k$i:m$i"; done |
  timeout 60 kcat -b "$B" -q -P -K: -t "$topic" -X topic.request.required.acks=all ||
  fail "produce"
parts=$(timeout 30 kcat -b "$B" -L -t "$topic" -J | jq '.topics[0].partitions | length')
[ "$parts" = 3 ] || fail "topic has $parts partitions, expected 3"

# 2. First member reads FIRST messages and leaves (closing commits its offsets).
consume -c "$FIRST" >"$tmp/first" || fail "first consumer"
[ "$(wc -l <"$tmp/first")" -eq "$FIRST" ] || fail "first consumer read $(wc -l <"$tmp/first"), expected $FIRST"

# 3. A new member of the same group resumes from the committed offsets.
consume >"$tmp/second" || fail "second consumer"
[ "$(wc -l <"$tmp/second")" -eq $((N - FIRST)) ] ||
  fail "second consumer read $(wc -l <"$tmp/second"), expected $((N - FIRST)) (offsets not resumed?)"

# 4. Together they read every message exactly once.
sort "$tmp/first" "$tmp/second" >"$tmp/all"
for ((i = 1; i <= N; i++)); do echo "m$i"; done | sort >"$tmp/want"
diff -u "$tmp/want" "$tmp/all" >&2 || fail "messages lost or duplicated"

# 5. A third member finds nothing left.
consume >"$tmp/third" || fail "third consumer"
[ ! -s "$tmp/third" ] || fail "third consumer re-read $(wc -l <"$tmp/third") messages"

echo "kafka_groups_it: ok ($(kcat -V 2>&1 | grep -o 'librdkafka [0-9.]*' | head -1), $N messages, group resumed at committed offsets)"
