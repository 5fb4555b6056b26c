#!/usr/bin/env bash
# Specification: a batch host whose clock runs ahead cannot block parity, and a dead
# run is said to be dead (issue 10, defect 8).
#  1. a day fully consumed by both paths and batched: parity PASSes;
#  2. a 'running' batch_runs row from a host 5 hours ahead (run_at and write_ts from its
#     clock, as its run would have written them before dying), then a batch run on a
#     correct clock: parity PASSes — runs are ordered by write_ts, which each run claims
#     above every earlier one, not by run_at (which put the dead row on top for 5 hours);
#  3. a 'running' row newer than every run whose last write is 7 hours old (by
#     Cassandra's clock): the day is skipped as "presumed dead" (re-run the batch), and
#     with --run-timeout above 7 hours as still 'running'.
# needs: kafka s3 cassandra postgres
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../ci/services/env.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
it_init parity_run_clock_it
DAY=2026-01-01
run="parity_clock_$RUN"
it_isolated_run "$run"

"$BIN/pinpipe-emulate" --seed 51 --count 300 --days 1 --start-date "$DAY" --out "$TMP/events.jsonl" 2>/dev/null
"$BIN/pinpipe" produce --partitions 2 --ingest-time "$DAY 00:00:00" "$TMP/events.jsonl" 2>"$TMP/produce.log" ||
  { cat "$TMP/produce.log"; it_fail "produce"; }
"$BIN/pinpipe" lake --exit-when-idle 3000 2>"$TMP/lake.log" || { tail "$TMP/lake.log"; it_fail "lake writer"; }
"$BIN/pinpipe" stream --exit-when-idle 3000 2>"$TMP/stream.log" || { tail "$TMP/stream.log"; it_fail "stream"; }
batch() { "$BIN/pinpipe" batch --date "$DAY" >"$TMP/batch.txt" 2>"$TMP/batch.log" || { cat "$TMP/batch.log"; it_fail "batch"; }; }
parity() { # parity NAME ARGS...: output to $TMP/NAME.txt, exit status to $TMP/NAME.rc
  set +e
  "$BIN/pinpipe" parity --date "$DAY" "${@:2}" >"$TMP/$1.txt" 2>&1
  echo $? >"$TMP/$1.rc"
  set -e
}
cql() { "$BIN/pinpipe" cql -e "$1" >/dev/null || it_fail "cql: $1"; }

# ---- 1. --------------------------------------------------------------------------------
batch
parity first
[ "$(cat "$TMP/first.rc")" = 0 ] || { cat "$TMP/first.txt"; it_fail "before any clock trouble: parity exit $(cat "$TMP/first.rc")"; }
it_ok "a batched, fully consumed day: parity PASS"

# ---- 2. a dead run from a host 5 hours ahead, then a correct run ---------------------------
ahead_ms=$(( $(date +%s%3N) + 5 * 3600 * 1000 ))
cql "INSERT INTO $run.batch_runs (day, run_at, status, host, write_ts) VALUES ('$DAY', $ahead_ms, 'running', 'fast-host', $((ahead_ms * 1000)))"
batch
parity after_fast
[ "$(cat "$TMP/after_fast.rc")" = 0 ] ||
  { cat "$TMP/after_fast.txt"; it_fail "a run after a fast host's dead 'running' row: parity exit $(cat "$TMP/after_fast.rc"), not 0"; }
wts=$("$BIN/pinpipe" cql --format json -e "SELECT write_ts, host FROM $run.batch_runs WHERE day = '$DAY'" |
  jq -s 'map(select(.host != "fast-host")) | max_by(.write_ts) | .write_ts')
[ "$wts" -gt $((ahead_ms * 1000)) ] || it_fail "the correct run's write_ts $wts is not above the fast host's $((ahead_ms * 1000))"
it_ok "a fast host's 'running' row (5 h ahead) does not hide the run after it: parity PASS"

# ---- 3. a 'running' row that stopped writing 7 hours ago (Cassandra's clock) ----------------
old_us=$(( ($(date +%s%3N) - 7 * 3600 * 1000) * 1000 ))
cql "INSERT INTO $run.batch_runs (day, run_at, status, host, write_ts) VALUES ('$DAY', $(date +%s%3N), 'running', 'dead-host', $((wts + 1000))) USING TIMESTAMP $old_us"
parity dead
[ "$(cat "$TMP/dead.rc")" = 3 ] || { cat "$TMP/dead.txt"; it_fail "a dead newest run: parity exit $(cat "$TMP/dead.rc"), not 3"; }
grep -q "^SKIP  $DAY  .*'running' past the run timeout.*on host dead-host: presumed dead" "$TMP/dead.txt" ||
  { cat "$TMP/dead.txt"; it_fail "the dead run is not called presumed dead"; }
parity dead_long --run-timeout 30000
grep -q "^SKIP  $DAY  the newest batch run of the day is 'running', started" "$TMP/dead_long.txt" ||
  { cat "$TMP/dead_long.txt"; it_fail "under a longer run timeout the run is not still 'running'"; }
it_ok "a 'running' row 7 h without a write: $(grep -m1 '^SKIP' "$TMP/dead.txt" | cut -c1-120)..."
