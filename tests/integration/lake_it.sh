#!/usr/bin/env bash
# Specification of `pinpipe lake` against real Kafka and a real S3 server:
#  1. clean run: emulator events over 3 days (1% invalid) and poison messages,
#     produced to 3 partitions -> lake writer: every (partition, offset) is in the lake
#     exactly once, its "raw" is the produced line byte for byte, it sits in the object
#     of its event day (the day `pinpipe clean` gives it), objects are named from their
#     first record, and the group's committed offsets are the end of every partition;
#  2. crash: the writer (--gzip) is killed with SIGKILL at random points while events
#     are produced, and restarted: the lake still holds every record (a record may be
#     there twice after a crash, as identical copies; never missing);
#  3. S3 outage: the S3 server is stopped under a running writer: the group's committed
#     offsets never pass what the stopped server holds; when it is back the writer
#     stores everything by itself; /metrics counted the failures; SIGTERM exits 0;
#  4. scale-out: writers join and leave the group mid-stream (rebalances): the lake
#     holds every record exactly once, since a revoked partition is stored and
#     committed before it moves.
# alone: stops the S3 server under a running writer
# needs: kafka s3
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../ci/services/env.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
it_init lake_it
INGEST="2026-01-01 00:00:00" # fixed ingest time: events without a timestamp land on this day
INGEST_MS=1767225600000
RANDOM=4343                  # the kill points are random but repeatable
BASE="it-$RUN"               # every object of this run is under it
it_on_exit "it_s3_rm_prefix '$BASE/'"

# ---- the checker ---------------------------------------------------------------------
# check ROOT TOPIC PRODUCED PINS REJECTS MODE: every lake object under ROOT against the
#   produced lines (PINS/REJECTS: `pinpipe clean` of them, for the expected days);
#   MODE exact (each record once) or at-least-once (identical copies allowed).
# coverage ROOT TOPIC: per partition, the offset below which every record is present.
cat > "$TMP/lake_check.py" <<'PY'
import base64, collections, gzip, json, os, re, sys

def fail(msg):
    print("lake_check: " + msg, file=sys.stderr)
    sys.exit(1)

def objects(root, topic):
    name = re.compile(r"(?:^|/)dt=(\d{4}-\d\d-\d\d)/" + re.escape(topic) + r"-(\d{4,})-(\d{20})\.jsonl(\.gz)?$")
    for dirpath, _, files in os.walk(root):
        for f in sorted(files):
            if f == ".keys":
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), root)
            m = name.search(rel)
            if not m:
                fail(f"{rel}: not a lake object name")
            data = open(os.path.join(dirpath, f), "rb").read()
            if m.group(4):
                data = gzip.decompress(data)
            if not data.endswith(b"\n"):
                fail(f"{rel}: does not end with a newline")
            yield rel, m.group(1), int(m.group(2)), int(m.group(3)), data[:-1].split(b"\n")

def records(root, topic, ingest_ms):
    order = ["topic", "kind", "partition", "offset", "ingest_time"]
    for rel, day, part, first, lines in objects(root, topic):
        prev = None
        for i, line in enumerate(lines):
            r = json.loads(line)
            keys = list(r)
            if keys[:5] != order or keys[5] not in ("key", "key_base64") or keys[6] not in ("raw", "raw_base64") \
                    or len(keys) != 7 or r["kind"] != "pin":
                fail(f"{rel}:{i + 1}: members {keys}")
            if r["topic"] != topic or r["partition"] != part:
                fail(f"{rel}:{i + 1}: record of {r['topic']}[{r['partition']}] in this object")
            off = r["offset"]
            if i == 0 and off != first:
                fail(f"{rel}: named after offset {first}, first record at {off}")
            if prev is not None and off <= prev:
                fail(f"{rel}:{i + 1}: offset {off} after {prev}")
            prev = off
            if r["ingest_time"] != ingest_ms:
                fail(f"{rel}:{i + 1}: ingest_time {r['ingest_time']}")
            raw = r["raw"].encode("utf-8") if "raw" in r else base64.b64decode(r["raw_base64"])
            if "raw_base64" in r and _utf8(raw):
                fail(f"{rel}:{i + 1}: raw_base64 for a UTF-8 value")
            yield rel, day, part, off, raw

def _utf8(b):
    try:
        b.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False

def expected_days(produced, pins, rejects, ingest_day):
    lines = open(produced, "rb").read().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    rej = {}
    for l in open(rejects, "rb"):
        r = json.loads(l)
        rej[r["line"]] = r.get("day") or ingest_day
    pin_days = iter(json.loads(l)["event_day"] for l in open(pins, "rb"))
    want = {}
    for n, line in enumerate(lines, 1):
        day = rej[n] if n in rej else next(pin_days)
        if want.setdefault(line, day) != day:
            fail(f"line {n} repeats an earlier line with another day")
    return lines, want

def check(root, topic, produced, pins, rejects, ingest_ms, ingest_day, mode):
    lines, want = expected_days(produced, pins, rejects, ingest_day)
    seen, dups, objs = {}, 0, set()
    for rel, day, part, off, raw in records(root, topic, int(ingest_ms)):
        objs.add(rel)
        if (part, off) in seen:
            if mode == "exact":
                fail(f"{topic}[{part}]@{off} is in the lake twice")
            if seen[(part, off)] != (raw, day):
                fail(f"{topic}[{part}]@{off}: two different copies")
            dups += 1
        seen[(part, off)] = (raw, day)
        if raw not in want:
            fail(f"{rel}: {topic}[{part}]@{off} is not a produced line: {raw[:80]!r}")
        if want[raw] != day:
            fail(f"{rel}: {topic}[{part}]@{off} belongs to day {want[raw]}")
    per = collections.defaultdict(list)
    for p, o in seen:
        per[p].append(o)
    for p, offs in sorted(per.items()):
        offs.sort()
        if offs != list(range(len(offs))):
            gap = next(i for i, o in enumerate(offs) if o != i)
            fail(f"{topic}[{p}]: offsets not 0..{len(offs) - 1}: first gap at {gap}")
    got = collections.Counter(raw for raw, _ in seen.values())
    if got != collections.Counter(lines):
        fail(f"the lake's raw values differ from the produced lines ({sum(got.values())} vs {len(lines)})")
    days = collections.Counter(day for _, day in seen.values())
    print(f"{len(seen)} records in {len(objs)} objects, {dups} duplicate(s); partitions "
          + " ".join(f"{p}:{len(o)}" for p, o in sorted(per.items())) + "; days "
          + " ".join(f"{d}:{n}" for d, n in sorted(days.items())))

def coverage(root, topic, partitions):
    have = collections.defaultdict(set)
    for _, _, part, _, lines in objects(root, topic):
        have[part].update(json.loads(line)["offset"] for line in lines)
    for p in range(int(partitions)):
        x = 0
        while x in have[p]:
            x += 1
        print(p, x)

if sys.argv[1] == "check":
    check(*sys.argv[2:10])
else:
    coverage(*sys.argv[2:5])
PY
lake_check() { python3 "$TMP/lake_check.py" "$@"; }

committed_sum() { # TOPIC GROUP: the sum of the group's committed offsets
  "$BIN/pinpipe" lake --topic "$1" --group "$2" --print-committed | awk '{ s += ($2 == "-" ? 0 : $2) } END { print s + 0 }'
}
committed_is() { [ "$(committed_sum "$1" "$2")" = "$3" ]; }

# ---- the events ----------------------------------------------------------------------
"$BIN/pinpipe-emulate" --seed 12 --count 6000 --days 3 --invalid-rate 0.01 --out "$TMP/events.jsonl" 2>/dev/null
it_poison "$TMP/poison.jsonl"
printf '{"unique_id": "late", "timestamp": "2026-01-02 05:00:00"}\n' >> "$TMP/poison.jsonl" # a reject with a readable day
cat "$TMP/events.jsonl" "$TMP/poison.jsonl" > "$TMP/all.jsonl"
N=$(wc -l < "$TMP/all.jsonl")
"$BIN/pinpipe" clean --ingest-time "$INGEST" --no-summary --rejects "$TMP/rejects.jsonl" "$TMP/all.jsonl" \
  > "$TMP/pins.jsonl" || it_fail "pinpipe clean"
check() { lake_check check "$1" "$2" "$TMP/all.jsonl" "$TMP/pins.jsonl" "$TMP/rejects.jsonl" "$INGEST_MS" 2026-01-01 "$3"; }

# ---- 1. the clean run ------------------------------------------------------------------
topic="pinpipe-it-lake-$RUN"
"$BIN/pinpipe" produce --topic "$topic" --partitions 3 --ingest-time "$INGEST" "$TMP/all.jsonl" 2>"$TMP/produce.log" ||
  { cat "$TMP/produce.log"; it_fail "produce"; }
"$BIN/pinpipe" lake --topic "$topic" --group "g-$topic" --prefix "$BASE/clean/raw/" --exit-when-idle 2000 \
  2>"$TMP/lake1.log" || { tail -20 "$TMP/lake1.log"; it_fail "lake writer exited non-zero"; }
it_s3_fetch "$BASE/clean/" "$TMP/clean"
summary=$(check "$TMP/clean" "$topic" exact) || it_fail "clean run"
it_ok "clean run: $summary"
"$BIN/pinpipe" lake --topic "$topic" --group "g-$topic" --print-committed > "$TMP/committed1.txt"
[ "$(wc -l < "$TMP/committed1.txt")" = 3 ] || it_fail "--print-committed: $(cat "$TMP/committed1.txt")"
[ "$(committed_sum "$topic" "g-$topic")" = "$N" ] || it_fail "committed offsets $(tr '\n' ' ' < "$TMP/committed1.txt") do not add up to $N"
it_ok "the group's committed offsets are the end of every partition ($(tr '\n' ' ' < "$TMP/committed1.txt"))"
# a second run of the same group finds nothing new and writes nothing
"$BIN/pinpipe" lake --topic "$topic" --group "g-$topic" --prefix "$BASE/clean-again/raw/" --exit-when-idle 1500 \
  2>"$TMP/lake1b.log" || it_fail "second run exited non-zero"
[ -z "$("$BIN/pinpipe" s3 ls "$BASE/clean-again/")" ] || it_fail "a restart from committed offsets wrote objects again"
it_ok "a restart resumes from the committed offsets (nothing rewritten)"

# ---- 2. SIGKILL at random points -------------------------------------------------------
topic2="pinpipe-it-lake-crash-$RUN"
split -n l/6 -d "$TMP/all.jsonl" "$TMP/chunk."
writer_pid=""
it_on_exit '[ -n "$writer_pid" ] && kill -9 $writer_pid 2>/dev/null'
start_crash_writer() {
  # static membership: each restart takes the killed writer's place (and partitions) at
  # once; a new dynamic member would share them with the dead one until its session ends
  "$BIN/pinpipe" lake --topic "$topic2" --group "g-$topic2" --instance-id crash-writer --prefix "$BASE/crash/raw/" \
    --gzip --max-records 300 --max-age-ms 200 "$@" 2>>"$TMP/lake2.log" &
  writer_pid=$!
}
kills=0
for chunk in "$TMP"/chunk.*; do
  start_crash_writer
  "$BIN/pinpipe" produce --topic "$topic2" --partitions 3 --ingest-time "$INGEST" "$chunk" 2>>"$TMP/produce2.log" ||
    it_fail "produce $chunk"
  sleep "$((RANDOM % 3)).$((RANDOM % 10))"
  kill -9 "$writer_pid"; wait "$writer_pid" 2>/dev/null || true
  writer_pid=""
  kills=$((kills + 1))
done
# the last instance drains, then stops by itself
start_crash_writer --exit-when-idle 3000
wait_rc=0
wait "$writer_pid" || wait_rc=$?
writer_pid=""
[ "$wait_rc" = 0 ] || { tail -20 "$TMP/lake2.log"; it_fail "the last crash-run writer exited $wait_rc"; }
[ "$(committed_sum "$topic2" "g-$topic2")" = "$N" ] ||
  { tail -20 "$TMP/lake2.log"; it_fail "crash run: committed offsets do not add up to $N"; }
it_s3_fetch "$BASE/crash/" "$TMP/crash"
summary=$(check "$TMP/crash" "$topic2" at-least-once) || it_fail "crash run"
it_ok "after $kills SIGKILLs: $summary"

# ---- 3. the S3 server goes away under a running writer ---------------------------------
topic3="pinpipe-it-lake-s3-$RUN"
prefix3="$BASE/outage/raw/"
split -n l/2 -d "$TMP/all.jsonl" "$TMP/half."
n_first=$(wc -l < "$TMP/half.00")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN/pinpipe" produce --topic "$topic3" --partitions 3 --ingest-time "$INGEST" "$TMP/half.00" 2>>"$TMP/produce3.log" ||
  it_fail "produce"
"$BIN/pinpipe" lake --topic "$topic3" --group "g-$topic3" --prefix "$prefix3" --max-records 400 --max-age-ms 300 \
  --metrics-port "$port" 2>"$TMP/lake3.log" &
writer_pid=$!
it_wait_until 60 committed_is "$topic3" "g-$topic3" "$n_first" || it_fail "the first half was not committed"
s3_back=0
it_on_exit '[ "$s3_back" = 1 ] || bash "$PINPIPE_ROOT/ci/services/s3.sh" up >/dev/null 2>&1'
bash "$PINPIPE_ROOT/ci/services/s3.sh" down >/dev/null
"$BIN/pinpipe" produce --topic "$topic3" --partitions 3 --ingest-time "$INGEST" "$TMP/half.01" 2>>"$TMP/produce3.log" ||
  it_fail "produce"
it_wait_until 30 grep -q "storing an object failed" "$TMP/lake3.log" || it_fail "the writer never hit the outage"
sleep 2
# With the server stopped, its data directory is exactly what is stored.
"$BIN/pinpipe" lake --topic "$topic3" --group "g-$topic3" --print-committed > "$TMP/committed3.txt"
lake_check coverage "$PINPIPE_SERVICES_DIR/s3/data/$PINPIPE_S3_BUCKET/$prefix3" "$topic3" 3 > "$TMP/stored3.txt"
while read -r p c; do
  s=$(awk -v p="$p" '$1 == p { print $2 }' "$TMP/stored3.txt")
  [ "$c" = - ] || [ "$c" -le "$s" ] || it_fail "partition $p committed at $c while only offsets below $s are stored"
done < "$TMP/committed3.txt"
kill -0 "$writer_pid" 2>/dev/null || it_fail "the writer died during the outage"
it_ok "during the outage the committed offsets ($(tr '\n' ' ' < "$TMP/committed3.txt")) stay within what is stored ($(tr '\n' ' ' < "$TMP/stored3.txt"))"
bash "$PINPIPE_ROOT/ci/services/s3.sh" up >/dev/null || it_fail "the S3 server did not come back"
# shellcheck disable=SC2034 # read by the on-exit command set above
s3_back=1
it_wait_until 90 committed_is "$topic3" "g-$topic3" "$N" || it_fail "the writer did not recover after the outage"
curl -sf "http://127.0.0.1:$port/metrics" > "$TMP/metrics.txt" || it_fail "GET /metrics"
awk '$1 == "pinpipe_lake_upload_failures_total" && $2 > 0 { ok = 1 } END { exit !ok }' "$TMP/metrics.txt" ||
  it_fail "/metrics did not count the failed uploads"
awk -v n="$N" '$1 == "pinpipe_lake_records_total" && $2 == n { ok = 1 } END { exit !ok }' "$TMP/metrics.txt" ||
  it_fail "/metrics: records_total is not $N"
grep -q '^pinpipe_lake_consumer_lag{topic="'"$topic3"'",partition="0"} ' "$TMP/metrics.txt" ||
  it_fail "/metrics has no consumer lag"
kill -TERM "$writer_pid"
wait_rc=0
wait "$writer_pid" || wait_rc=$?
writer_pid=""
[ "$wait_rc" = 0 ] || { tail -20 "$TMP/lake3.log"; it_fail "the writer exited $wait_rc on SIGTERM"; }
it_s3_fetch "$BASE/outage/" "$TMP/outage"
summary=$(check "$TMP/outage" "$topic3" exact) || it_fail "outage run"
it_ok "after the outage the writer recovered by itself, exited 0 on SIGTERM: $summary"

# ---- 4. writers join and leave the group -----------------------------------------------
topic4="pinpipe-it-lake-scale-$RUN"
split -n l/4 -d "$TMP/all.jsonl" "$TMP/quarter."
pids=()
it_on_exit 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done'
start_member() {
  "$BIN/pinpipe" lake --topic "$topic4" --group "g-$topic4" --prefix "$BASE/scale/raw/" --max-records 250 \
    --max-age-ms 500 2>>"$TMP/lake4-$1.log" &
  pids+=($!)
}
produce4() {
  "$BIN/pinpipe" produce --topic "$topic4" --partitions 3 --ingest-time "$INGEST" "$1" 2>>"$TMP/produce4.log" ||
    it_fail "produce $1"
}
produce4 "$TMP/quarter.00"
start_member a
sleep 1
produce4 "$TMP/quarter.01" &
producer=$!
start_member b
wait "$producer" || it_fail "produce while b joins"
it_wait_until 30 grep -q "revoked" "$TMP/lake4-a.log" || it_fail "no rebalance when b joined"
kill -TERM "${pids[0]}"
wait "${pids[0]}" || it_fail "member a exited non-zero on SIGTERM"
produce4 "$TMP/quarter.02"
start_member c
produce4 "$TMP/quarter.03"
it_wait_until 90 committed_is "$topic4" "g-$topic4" "$N" || it_fail "the group did not commit everything"
for p in "${pids[@]:1}"; do kill -TERM "$p"; done
for p in "${pids[@]:1}"; do wait "$p" || it_fail "a member exited non-zero on SIGTERM"; done
pids=()
it_s3_fetch "$BASE/scale/" "$TMP/scale"
summary=$(check "$TMP/scale" "$topic4" exact) || it_fail "scale-out run"
revokes=$(cat "$TMP"/lake4-*.log | grep -c "revoked" || true)
it_ok "with members joining and leaving ($revokes revokes): $summary"
