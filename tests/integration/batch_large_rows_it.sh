#!/usr/bin/env bash
# Specification: `pinpipe batch` writes a day of large rows, bounded in bytes by the
# server's own limits (docs/batch.md "Byte limits"), against real S3 and Cassandra:
#  1. a lake day with 20 pins whose events are just under the API's largest body
#     (1 MiB, PP_API_DEFAULT_MAX_BODY), 3 rejected events of that size, 40 small pins
#     and two foreign 5 MiB events (over the node's max_mutation_size, 4 MiB here), a
#     pin and a rejected one -> the day is done: every large and small pin is in
#     `pins` with its full title, the rejects have their raw bytes, the 5 MiB pin is a
#     reject with reason cassandra_refused naming the server's refusal, the 5 MiB
#     rejected event keeps its reason without its raw bytes, and the limits were read
#     from the server (system_views.settings);
#  2. a re-run of the day is done too and gives identical pins and rejects;
#  3. an event with a 70,000-byte tag (a metric key over Cassandra's 65,535-byte key
#     limit, which failed every run of its day) is a key_too_long reject.
# The lake objects are written straight to S3 (the lake line format, contract/lake_record.h):
# Kafka is not needed.
# needs: s3 cassandra
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../ci/services/env.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
it_init batch_large_rows_it
DAY=2026-03-01
prefix="it-large-$RUN/raw/"
ks="it_large_$RUN"
it_s3_prefix "it-large-$RUN/"
it_cql_keyspace "$ks"
start=$SECONDS

# ---- the lake: two objects of partition 0 and 1 --------------------------------------------
body=$(python3 - "$TMP" "$DAY" <<'EOF'
import json, sys
tmp, day = sys.argv[1], sys.argv[2]
MAX_BODY = 1024 * 1024  # PP_API_DEFAULT_MAX_BODY

def event(uid, i, title, **drop):
    e = {"index": i, "unique_id": uid, "title": title, "description": "a large pin",
         "poster_name": "Big Poster", "follower_count": "12k", "tag_list": "Big,Rows",
         "is_image_or_video": "image", "image_src": "https://i.pinimg.com/originals/big.jpg",
         "downloaded": 1, "save_location": "Local save in /data/big", "category": "big",
         "timestamp": day + " 12:00:00"}
    for k in drop:
        del e[k]
    return e

def near_max(uid, i, **drop):  # an event body of MAX_BODY - 64 bytes
    body = json.dumps(event(uid, i, "", **drop))
    return event(uid, i, "T" * (MAX_BODY - 64 - len(body)), **drop)

lines = {0: [], 1: []}
def add(part, e):
    raw = json.dumps(e)
    lines[part].append(json.dumps({"topic": "pins", "partition": part, "offset": len(lines[part]),
                                   "ingest_time": 1772366400000, "key": e.get("unique_id", ""), "raw": raw}))
for i in range(20):
    add(i % 2, near_max("big-%02d" % i, i))
for i in range(3):  # rejected: no unique_id
    add(0, near_max("bad-%d" % i, 100 + i, unique_id=1))
for i in range(40):
    add(1, event("small-%02d" % i, 200 + i, "small pin %d" % i))
huge = event("huge-0", 300, "H" * (5 * 1024 * 1024))  # foreign: over max_mutation_size
add(1, huge)
huge_bad = event("huge-bad", 301, "H" * (5 * 1024 * 1024))  # and rejected: no unique_id
del huge_bad["unique_id"]
add(0, huge_bad)
long_tag = event("long-tag", 302, "a tag of 70,000 bytes")  # a metric key Cassandra would refuse
long_tag["tag_list"] = "ok," + "x" * 70000
add(1, long_tag)
for part, ls in lines.items():
    with open("%s/pins-%d.jsonl" % (tmp, part), "w") as f:
        f.write("\n".join(ls) + "\n")
print(max(len(json.dumps(near_max("big-%02d" % i, i))) for i in range(20)))
EOF
)
for p in 0 1; do
  "$BIN/pinpipe" s3 put "${prefix}dt=$DAY/pins-000$p-00000000000000000000.jsonl" "$TMP/pins-$p.jsonl" >/dev/null ||
    it_fail "s3 put of partition $p"
done

run_batch() { # run_batch OUT: the batch of $DAY; exit 0 and status=done expected
  "$BIN/pinpipe" batch --no-coverage --prefix "$prefix" --keyspace "$ks" --date "$DAY" >"$1" 2>"$1.log" ||
    { cat "$1" "$1.log"; it_fail "batch exited non-zero"; }
  grep -q " status=done " "$1" || { cat "$1" "$1.log"; it_fail "day not done"; }
}

# ---- 1. the day is done ----------------------------------------------------------------------
t0=$SECONDS
run_batch "$TMP/batch1.txt"
t1=$SECONDS
grep -q "from system_views.settings" "$TMP/batch1.txt.log" ||
  { cat "$TMP/batch1.txt.log"; it_fail "the byte limits were not read from the server"; }
grep -q "max_mutation_size=4194304" "$TMP/batch1.txt.log" ||
  { cat "$TMP/batch1.txt.log"; it_fail "max_mutation_size of the node (4 MiB) not seen"; }
# groups are bounded before they are sent: the node refused no group (a refused group
# would be split and sent again row by row, logged "refused a group")
grep "refused a group" "$TMP/batch1.txt.log" && it_fail "the node refused a group: groups are not bounded in bytes"
grep -q " refused=2 " "$TMP/batch1.txt" || { cat "$TMP/batch1.txt"; it_fail "expected refused=2 in the summary"; }
it_ok "a day of 20 pins of $body bytes each (API limit 1048576), 3 such rejects, 40 small pins and two 5 MiB events: done in $((t1 - t0)) s"

"$BIN/pinpipe" cql --format json -e "SELECT unique_id, title FROM $ks.pins WHERE $(pins_day_where "$DAY")" |
  jq -r '[.unique_id, (.title | length)] | @tsv' | LC_ALL=C sort > "$TMP/pins.tsv"
[ "$(grep -c '^big-' "$TMP/pins.tsv")" = 20 ] || it_fail "expected 20 large pins, got $(grep -c '^big-' "$TMP/pins.tsv")"
[ "$(grep -c '^small-' "$TMP/pins.tsv")" = 40 ] || it_fail "expected 40 small pins"
grep -q '^huge-' "$TMP/pins.tsv" && it_fail "the 5 MiB pin is in pins"
awk -F'\t' '/^big-/ && $2 < 1040000 { bad = 1 } END { exit bad }' "$TMP/pins.tsv" ||
  it_fail "a large pin's title was cut: $(head -3 "$TMP/pins.tsv")"
it_ok "every pin of ~1 MiB is in pins with its whole title; the 5 MiB one is not"

cols="reason, detail, raw, kafka_partition, kafka_offset, lake_object, lake_line"
"$BIN/pinpipe" cql --format json -e "SELECT $cols FROM $ks.rejects WHERE day = '$DAY'" |
  jq -c '{reason, detail, raw: ((.raw // "") | length), kafka_partition, kafka_offset, lake_object, lake_line}' \
  > "$TMP/rejects.json"
[ "$(jq -r 'select(.reason == "missing_field" and .raw > 1000000) | .reason' "$TMP/rejects.json" | wc -l)" = 3 ] ||
  { cat "$TMP/rejects.json"; it_fail "the 3 large rejects are not all stored with their raw bytes"; }
refused=$(jq -c 'select(.reason == "cassandra_refused")' "$TMP/rejects.json")
[ "$(printf '%s\n' "$refused" | grep -c .)" = 1 ] || { cat "$TMP/rejects.json"; it_fail "expected one cassandra_refused reject"; }
printf '%s' "$refused" | jq -e '.kafka_partition == 1 and .kafka_offset == 50 and .lake_line == 51 and
  (.lake_object | endswith("pins-0001-00000000000000000000.jsonl")) and (.detail | test("huge-0")) and
  (.detail | test("oversized|too large|max_mutation_size"; "i"))' >/dev/null ||
  it_fail "the refused pin's reject does not name its coordinates and the server's refusal: $refused"
jq -se 'any(.[]; .reason == "missing_field" and .raw == 0 and .kafka_partition == 0 and .kafka_offset == 13
  and (.detail | test("raw bytes were refused by Cassandra.*oversized")))' "$TMP/rejects.json" >/dev/null ||
  { cat "$TMP/rejects.json"; it_fail "the 5 MiB rejected event is not a missing_field reject without its raw bytes"; }
jq -se 'any(.[]; .reason == "key_too_long" and .kafka_partition == 1 and .kafka_offset == 51)' "$TMP/rejects.json" \
  >/dev/null || { cat "$TMP/rejects.json"; it_fail "the 70,000-byte tag is not a key_too_long reject"; }
it_ok "the 5 MiB pin is a cassandra_refused reject naming its lake line, the 5 MiB reject is stored" \
  "without its raw bytes: $(printf '%s' "$refused" | jq -r .detail | cut -c1-160)"

dump_tables() {
  mkdir -p "$1"
  "$BIN/pinpipe" cql --format json -e "SELECT * FROM $ks.pins" | jq -cS '.title |= length' | LC_ALL=C sort > "$1/pins"
  "$BIN/pinpipe" cql --format json -e "SELECT * FROM $ks.rejects" | jq -cS '.raw |= (. // "" | length)' |
    LC_ALL=C sort > "$1/rejects"
  "$BIN/pinpipe" cql --format json -e "SELECT * FROM $ks.pins" | md5sum > "$1/pins.md5"
}
dump_tables "$TMP/run1"

# ---- 2. a re-run ----------------------------------------------------------------------------
t0=$SECONDS
run_batch "$TMP/batch2.txt"
t1=$SECONDS
dump_tables "$TMP/run2"
for t in pins rejects pins.md5; do
  cmp -s "$TMP/run1/$t" "$TMP/run2/$t" || { diff "$TMP/run1/$t" "$TMP/run2/$t" | head -5; it_fail "$t differ after a re-run"; }
done
runs=$("$BIN/pinpipe" cql --format json -e "SELECT status FROM $ks.batch_runs WHERE day = '$DAY'" | jq -r .status | sort | tr '\n' ' ')
[ "$runs" = "done done " ] || it_fail "batch_runs of $DAY: '$runs', expected two done runs"
it_ok "a re-run is done in $((t1 - t0)) s with identical pins and rejects (test took $((SECONDS - start)) s)"
