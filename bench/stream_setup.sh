# shellcheck shell=bash disable=SC2034 # the variables set here are for the sourcing script
# Sourced by bench/stream_ab.sh and bench/stream_profile.sh: the setup both share.
#   stream_bench_setup NAME STREAM_BIN: Kafka and PostgreSQL up; a scratch schema
#   stream_NAME_<time> (dropped on exit) and its DSN; N emulator events (seed 9, 7 days)
#   in a new 3-partition topic stream-NAME-<time>; the stream's tables made first by
#   STREAM_BIN over an empty topic, so no timed run does DDL. Needs ROOT, BUILD, N, OUT.
#   Sets run, schema, dsn, topic.
stream_bench_setup() {
  local name="$1" bin="$2"
  bash "$ROOT/ci/services.sh" up kafka postgres >/dev/null
  run="$(date +%s)"
  schema="stream_${name}_$run"
  dsn="$PINPIPE_PG_DSN?options=-csearch_path%3D$schema"
  psql "$PINPIPE_PG_DSN" -qc "CREATE SCHEMA $schema"
  # shellcheck disable=SC2064 # the schema's name is fixed now
  trap "psql '$PINPIPE_PG_DSN' -qc 'SET client_min_messages = warning' -c 'DROP SCHEMA IF EXISTS $schema CASCADE'" EXIT
  "$BUILD/pinpipe-emulate" --seed 9 --count "$N" --days 7 --out "$OUT/stream-$name-events.jsonl" 2>/dev/null
  topic="stream-$name-$run"
  "$BUILD/pinpipe" produce --topic "$topic" --partitions 3 "$OUT/stream-$name-events.jsonl" 2>/dev/null
  "$BUILD/pinpipe" produce --topic "$topic-ddl" --partitions 1 /dev/null 2>/dev/null
  PINPIPE_PG_DSN="$dsn" "$bin" stream --topic "$topic-ddl" --group "g-$topic-ddl" --exit-when-idle 1 2>/dev/null
}
