#!/usr/bin/env bash
# Specification of a day split by Kafka partition (`pinpipe batch --shard I/N`, then
# `--finalize N`; docs/batch.md "Sharding"), against real Kafka, S3, Cassandra and
# PostgreSQL:
#  1. emulator events of one day (some invalid) on a 3-partition topic, the lake
#     writer and the stream consume them; a single-process run gives the reference
#     tables;
#  2. for N in 1 2 3: the N shards (in parallel) + finalize give pins, rejects and
#     metrics identical to the reference, and parity passes;
#  3. a shard killed with SIGKILL mid-run: parity does not compare the day, finalize
#     refuses naming it; the shards re-run + finalize: identical tables again;
#  4. a shard re-run after the finalize, without a new finalize: parity skips the day
#     saying the finalize is pending; --finalize with a shard missing or another
#     layout in between: exit 1 naming it;
#  5. `lake status`: incomplete (exit 3) with the allowance in the future, complete
#     (exit 0) with --allowance-s 0; --json;
#  6. --if-lake-grew: unchanged day skipped (status=unchanged); a late event of the
#     day stored by the lake writer: the day runs again;
#  7. exit codes: Cassandra unreachable -> 4 (transient), bad --shard -> 2.
# needs: kafka s3 cassandra postgres
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../ci/services/env.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
it_init batch_shards_it
# Yesterday (UTC): Kafka's message timestamps (produce time, now) are all past its end,
# so `lake status` can say complete with --allowance-s 0 and incomplete with a day.
DAY=$(date -u -d yesterday +%F)
INGEST="$DAY 12:00:00"
run="batch_shards_$RUN"
it_isolated_run "$run"
ks="$run"

"$BIN/pinpipe-emulate" --seed 31 --count 3000 --days 1 --start-date "$DAY" --invalid-rate 0.01 \
  --out "$TMP/events.jsonl" 2>/dev/null
produce() { "$BIN/pinpipe" produce --ingest-time "$INGEST" "$@" 2>>"$TMP/produce.log" || { cat "$TMP/produce.log"; it_fail "produce $*"; }; }
consume() { # the lake writer and the stream, each until idle
  "$BIN/pinpipe" lake --exit-when-idle 2500 2>>"$TMP/lake.log" & local lake=$!
  "$BIN/pinpipe" stream --exit-when-idle 2500 2>>"$TMP/stream.log" & local stream=$!
  wait "$lake" || { tail "$TMP/lake.log"; it_fail "lake writer"; }
  wait "$stream" || { tail "$TMP/stream.log"; it_fail "stream"; }
}
produce --partitions 3 "$TMP/events.jsonl"
consume

batch() { # batch NAME ARGS...: output in $TMP/NAME.txt, exit status in $TMP/NAME.rc
  local name="$1"
  shift
  set +e
  "$BIN/pinpipe" batch --date "$DAY" "$@" >"$TMP/$name.txt" 2>"$TMP/$name.log"
  echo $? >"$TMP/$name.rc"
  set -e
}
must_batch() { batch "$@"; [ "$(cat "$TMP/$1.rc")" = 0 ] || { cat "$TMP/$1.txt" "$TMP/$1.log"; it_fail "batch ${*:2}"; }; }
parity() { # parity NAME: output in $TMP/NAME.txt (and an empty NAME.log), exit status in $TMP/NAME.rc
  set +e
  "$BIN/pinpipe" parity --date "$DAY" >"$TMP/$1.txt" 2>&1
  echo $? >"$TMP/$1.rc"
  : >"$TMP/$1.log"
  set -e
}
refused() { # refused NAME RC-PATTERN TEXT WHAT: NAME's exit status matches, its output says TEXT
  if ! grep -qx "$2" "$TMP/$1.rc" || ! cat "$TMP/$1.txt" "$TMP/$1.log" | grep -q "$3"; then
    cat "$TMP/$1.txt" "$TMP/$1.log"
    it_fail "$4 (exit $(cat "$TMP/$1.rc"))"
  fi
}
dump() { # dump DIR: the day's pins, rejects and metrics, sorted
  mkdir -p "$1"
  it_cql_rows "SELECT * FROM $ks.pins WHERE $(pins_day_where "$DAY")" >"$1/pins"
  it_cql_rows "SELECT * FROM $ks.rejects WHERE day = '$DAY'" >"$1/rejects"
  it_metrics_cql "$ks" >"$1/metrics"
}
same() { # same DIR WHAT: DIR's tables equal the reference's
  local t
  for t in pins rejects metrics; do
    cmp -s "$TMP/ref/$t" "$1/$t" || { diff "$TMP/ref/$t" "$1/$t" | head; it_fail "$2: $t differ from the single-process run's"; }
  done
}
shards() { # shards N: every shard of N in parallel, then the finalize
  local i pids=()
  for ((i = 0; i < $1; i++)); do must_batch "s$i-$1" --shard "$i/$1" & pids+=($!); done
  for i in "${pids[@]}"; do wait "$i" || it_fail "a shard of $1 failed"; done
  must_batch "fin$1" --finalize "$1"
}

# ---- 1. the reference --------------------------------------------------------------------
must_batch single
dump "$TMP/ref"
if [ "$(wc -l <"$TMP/ref/rejects")" = 0 ] || [ "$(wc -l <"$TMP/ref/pins")" -lt 2000 ]; then it_fail "reference too small"; fi
parity p0
[ "$(cat "$TMP/p0.rc")" = 0 ] || { cat "$TMP/p0.txt"; it_fail "parity after the single-process run"; }
it_ok "single-process run: $(wc -l <"$TMP/ref/pins") pins, $(wc -l <"$TMP/ref/rejects") rejects, parity passes"

# ---- 2. N shards + finalize = the single-process run -----------------------------------------
for n in 1 2 3; do
  shards "$n"
  dump "$TMP/n$n"
  same "$TMP/n$n" "$n shard(s) + finalize"
  parity "pn$n"
  [ "$(cat "$TMP/pn$n.rc")" = 0 ] || { cat "$TMP/pn$n.txt"; it_fail "parity after $n shard(s) + finalize"; }
  grep -q "shard=all/$n" "$TMP/fin$n.txt" || { cat "$TMP/fin$n.txt"; it_fail "finalize summary"; }
done
it_ok "N = 1, 2, 3 shards + finalize: pins, rejects, metrics identical to the single-process run; parity passes"

# ---- 3. a shard killed mid-run ---------------------------------------------------------------
# shard 0/2 (partitions 0 and 2: the larger share), slowed to one row per request
"$BIN/pinpipe" batch --date "$DAY" --shard 0/2 --concurrency 1 --group-rows 1 >/dev/null 2>"$TMP/killed.log" &
victim=$!
it_on_exit "kill -9 $victim 2>/dev/null"
running() { "$BIN/pinpipe" cql --format json -e "SELECT status, shard FROM $ks.batch_runs WHERE day = '$DAY'" |
  jq -e -s 'map(select(.shard == "0/2" and .status == "running")) | length > 0' >/dev/null; }
for ((i = 0; i < 200; i++)); do running && break; sleep 0.05; done
kill -9 "$victim"
wait "$victim" 2>/dev/null || true
running || it_fail "the shard run was not 'running' when killed (it ended too soon: test is void)"
parity pk
refused pk '[1-9]' running "parity compared a day with a dead shard run"
batch fk --finalize 2
refused fk 1 "shard 0/2" "finalize over a dead shard: want exit 1 naming shard 0/2"
must_batch s0-again --shard 0/2
must_batch s1-again --shard 1/2 # (after the N = 3 runs: a finalize takes one layout's runs only)
must_batch fin-again --finalize 2
dump "$TMP/killed"
same "$TMP/killed" "shard killed, re-run, finalize"
it_ok "a shard killed mid-run: parity does not compare, finalize refuses (exit 1); re-run + finalize: identical tables"

# ---- 4. finalize pending, missing shard, mixed layouts ----------------------------------------
must_batch s0-late --shard 0/2
parity pp
refused pp '[1-9]' "finalize pending" "parity did not say finalize pending"
batch f4 --finalize 4
refused f4 1 "shard 0/4 has no run" "finalize 4 without shards"
must_batch s0-3 --shard 0/3
batch fmix --finalize 2
refused fmix 1 "another layout" "finalize 2 after a 0/3 run"
must_batch single2
it_ok "a shard re-run without finalize: parity says finalize pending; finalize with a missing shard or another layout refuses"

# ---- 5. lake status ---------------------------------------------------------------------------
status() { # status NAME ARGS...
  local name="$1"
  shift
  set +e
  "$BIN/pinpipe" lake status --date "$DAY" "$@" >"$TMP/$name.txt" 2>"$TMP/$name.log"
  echo $? >"$TMP/$name.rc"
  set -e
}
status st1 --allowance-s 172800
[ "$(cat "$TMP/st1.rc")" = 3 ] || { cat "$TMP/st1.txt" "$TMP/st1.log"; it_fail "lake status with a 2-day allowance: want 3"; }
status st2 --allowance-s 0 --json
[ "$(cat "$TMP/st2.rc")" = 0 ] || { cat "$TMP/st2.txt" "$TMP/st2.log"; it_fail "lake status --allowance-s 0: want 0"; }
jq -e '.complete == true and (.partitions | length) == 3 and .lake.objects > 0' "$TMP/st2.txt" >/dev/null ||
  { cat "$TMP/st2.txt"; it_fail "lake status --json"; }
it_ok "lake status: incomplete (3) within the allowance, complete (0) with --allowance-s 0; --json"

# ---- 6. --if-lake-grew -----------------------------------------------------------------------
must_batch g1 --if-lake-grew
grep -q "status=unchanged" "$TMP/g1.txt" || { cat "$TMP/g1.txt"; it_fail "--if-lake-grew ran an unchanged day"; }
"$BIN/pinpipe-emulate" --seed 32 --count 1 --days 1 --start-date "$DAY" --out "$TMP/late.jsonl" 2>/dev/null
produce "$TMP/late.jsonl"
consume
must_batch g2 --if-lake-grew
grep -q "status=done" "$TMP/g2.txt" || { cat "$TMP/g2.txt"; it_fail "--if-lake-grew did not run a grown day"; }
must_batch g3 --if-lake-grew
grep -q "status=unchanged" "$TMP/g3.txt" || { cat "$TMP/g3.txt"; it_fail "--if-lake-grew re-ran after its own run"; }
it_ok "--if-lake-grew: unchanged day skipped, a late event re-runs it"

# ---- 7. exit codes ----------------------------------------------------------------------------
batch down --port 1 --no-coverage
[ "$(cat "$TMP/down.rc")" = 4 ] || { cat "$TMP/down.log"; it_fail "Cassandra unreachable: exit $(cat "$TMP/down.rc"), want 4"; }
batch bad --shard 3/3
[ "$(cat "$TMP/bad.rc")" = 2 ] || it_fail "--shard 3/3: exit $(cat "$TMP/bad.rc"), want 2"
it_ok "exit 4 when Cassandra is unreachable, 2 for a bad --shard"
