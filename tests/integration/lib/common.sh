# shellcheck shell=bash
# Helpers shared by the integration scripts. Source it after ci/services/env.sh.
#   it_init NAME     sets RUN (unique id), TMP (a temp dir removed on exit), BIN (build dir)
#   it_fail MSG      prints "NAME: FAIL: MSG" and exits 1
#   it_ok MSG        prints "NAME: ok: MSG"
#   it_pg_schema S   creates schema S and prints a DSN whose search_path is S
#   it_metrics_offline FILE INGEST   offline metrics as sorted "metric|day|key|kind|value"
#   it_metrics_pg DSN                the stream's metrics table in the same form
#   it_on_exit CMD   adds CMD to what runs on exit
#   it_cql_keyspace KS               KS is dropped on exit (the batch creates it)
#   it_metrics_cql KS                Cassandra's KS.metrics in the it_metrics_offline form
#   it_cql_rows CQL                  the rows of a SELECT as sorted JSON lines
#   it_s3_prefix PREFIX              every object under PREFIX is deleted on exit
#   it_s3_fetch PREFIX DIR           downloads every object under PREFIX to DIR/<its key>
#   it_s3_rm_prefix PREFIX           deletes every object under PREFIX
#   it_wait_until SECONDS CMD...     runs CMD every 0.5 s until it succeeds; 1 if it never did
#   it_isolated_run NAME             topic, groups, lake prefix, keyspace and schema named NAME
#                                    (exported; removed on exit); PINPIPE_PG_DSN -> the schema
#   it_isolated_kinds NAME           the same with geo and user events on NAME-geo, NAME-users
#   it_high_watermark TOPIC...       Kafka's next offsets summed over the topics' 3 partitions
#   it_lake_committed TOPIC...       the lake writer's committed offsets summed over the topics
#   it_serve_url LOG                 the base URL of the `pinpipe serve` logging to LOG, once it listens
#   pins_day_where DAY               the CQL condition of one day of the Cassandra pins (lib/pins_cql.sh)

. "$(dirname "${BASH_SOURCE[0]}")/pins_cql.sh"

it_init() {
  IT_NAME="$1"
  # shellcheck disable=SC2034 # RUN is for the scripts that source this file
  RUN="$(date +%s)_$$"
  BIN="${PINPIPE_BUILD:-$PINPIPE_ROOT/build}"
  TMP="$(mktemp -d)"
  IT_EXIT_CMDS=("rm -rf '$TMP'")
  # shellcheck disable=SC2154 # c is the trap's own loop variable
  trap 'for c in "${IT_EXIT_CMDS[@]}"; do eval "$c" || true; done' EXIT
}

it_on_exit() { IT_EXIT_CMDS=("$1" "${IT_EXIT_CMDS[@]}"); }
it_fail() { echo "$IT_NAME: FAIL: $*" >&2; exit 1; }
it_ok() { echo "$IT_NAME: ok: $*"; }

it_pg_schema() {
  psql "$PINPIPE_PG_DSN" -qAt -v ON_ERROR_STOP=1 -c "CREATE SCHEMA $1" >/dev/null || it_fail "create schema $1"
  it_on_exit "psql '$PINPIPE_PG_DSN' -qAt -c 'DROP SCHEMA IF EXISTS $1 CASCADE' >/dev/null"
  case "$PINPIPE_PG_DSN" in
    *\?*) echo "$PINPIPE_PG_DSN&options=-csearch_path%3D$1" ;;
    *) echo "$PINPIPE_PG_DSN?options=-csearch_path%3D$1" ;;
  esac
}

# it_poison FILE: messages that are not events (not JSON, not an object, no fields,
# bytes that are not UTF-8), one per line; every path must reject them, not stop.
it_poison() {
  {
    printf 'not json at all\n'
    printf '[1,2,3]\n'
    printf '{}\n'
    printf '{"index": 1, "unique_id": "p\xff\xfe"}\n'
  } > "$1"
}

it_metrics_offline() {
  "$BIN/pinpipe" metrics --ingest-time "$2" "$1" |
    jq -r '[.metric, .day, .key, .kind, (.value | tostring)] | join("|")' | LC_ALL=C sort
}

it_metrics_pg() {
  psql "$1" -qAt -F'|' -c "SELECT metric, day, key, kind, value FROM metrics" | LC_ALL=C sort
}

it_s3_fetch() {
  local key
  mkdir -p "$2"
  "$BIN/pinpipe" s3 ls "$1" > "$2/.keys" || it_fail "s3 ls $1"
  cut -f3- "$2/.keys" | while IFS= read -r key; do
    mkdir -p "$2/$(dirname "$key")"
    "$BIN/pinpipe" s3 get "$key" "$2/$key" || it_fail "s3 get $key"
  done
}

it_s3_rm_prefix() {
  "$BIN/pinpipe" s3 ls "$1" 2>/dev/null | cut -f3- | while IFS= read -r key; do
    "$BIN/pinpipe" s3 rm "$key" >/dev/null 2>&1 || true
  done
}

it_wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

it_cql_keyspace() {
  it_on_exit "'$BIN/pinpipe' cql -e 'DROP KEYSPACE IF EXISTS $1' >/dev/null 2>&1"
}

it_metrics_cql() {
  "$BIN/pinpipe" cql --format json -e "SELECT metric, day, key, kind, value FROM $1.metrics" |
    jq -r '[.metric, .day, .key, .kind, (.value | tostring)] | join("|")' | LC_ALL=C sort
}

it_cql_rows() {
  "$BIN/pinpipe" cql --format json -e "$1" | jq -cS . | LC_ALL=C sort
}

it_s3_prefix() { it_on_exit "it_s3_rm_prefix '$1'"; }

# it_isolated_kinds NAME: it_isolated_run NAME, carrying geo and user events too on
# NAME-geo and NAME-users (docs/joins.md), each created with 3 partitions.
it_isolated_kinds() {
  it_isolated_run "$1"
  export PINPIPE_GEO_TOPIC="$1-geo" PINPIPE_USERS_TOPIC="$1-users"
  local t
  for t in "$1" "$1-geo" "$1-users"; do
    "$BIN/pinpipe" produce --topic "$t" --partitions 3 /dev/null 2>/dev/null || it_fail "creating topic $t"
  done
}

# it_serve_url LOG: waits (20 s) for the `pinpipe serve` logging to LOG to listen, prints
# its base URL (http://HOST:PORT); fails the test when it does not start
it_serve_url() {
  it_wait_until 20 grep -qs "listening on" "$1" || { cat "$1" >&2; it_fail "serve did not start ($1)"; }
  sed -n 's|.*listening on \(http://[0-9.:]*\)/.*|\1|p' "$1" | sed -n 1p
}

# it_lake_committed TOPIC...: the lake writer's committed offsets summed over the topics
it_lake_committed() {
  local t sum=0 c
  for t in "$@"; do
    c=$("$BIN/pinpipe" lake --print-committed --topic "$t" 2>/dev/null | awk '$2 != "-" {s += $2} END {print s + 0}')
    sum=$((sum + c))
  done
  echo "$sum"
}

# it_high_watermark TOPIC...: the sum over the topics' partitions of Kafka's next offset
it_high_watermark() {
  local args=() t p
  for t in "$@"; do for p in 0 1 2; do args+=(-t "$t:$p:-1"); done; done
  kcat -b "$PINPIPE_KAFKA_BROKERS" -Q "${args[@]}" | awk '{s += $NF} END {print s + 0}'
}

it_isolated_run() {
  export PINPIPE_TOPIC="$1" PINPIPE_LAKE_GROUP="$1-lake" PINPIPE_STREAM_GROUP="$1-stream"
  export PINPIPE_LAKE_PREFIX="it-$1/raw/" PINPIPE_CASSANDRA_KEYSPACE="$1"
  it_s3_prefix "$PINPIPE_LAKE_PREFIX"
  it_cql_keyspace "$1"
  it_on_exit "psql '$PINPIPE_PG_DSN' -qAt -c 'DROP SCHEMA IF EXISTS $1 CASCADE' >/dev/null"
  PINPIPE_PG_DSN=$(it_pg_schema "$1")
  export PINPIPE_PG_DSN
}
