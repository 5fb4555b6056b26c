# shellcheck shell=bash
# Reading the batch's Cassandra pins table by day: it is keyed ((event_day, bucket),
# unique_id), a day spread over PP_PINS_BUCKETS partitions (src/batch/batch_bucket.h,
# docs/batch.md "Buckets"), so a day's rows are read with every bucket named.
# Sourced (after ci/services/env.sh: PINPIPE_ROOT) by the integration scripts
# (lib/common.sh), the soak test and ci/demo.sh.
#   pins_day_where DAY    the CQL condition of one day's pins, e.g.
#                         SELECT count(*) FROM ks.pins WHERE $(pins_day_where 2026-01-01)

pins_day_where() {
  local n
  n=$(sed -n 's/^#define PP_PINS_BUCKETS \([0-9][0-9]*\).*/\1/p' "$PINPIPE_ROOT/src/batch/batch_bucket.h")
  [ -n "$n" ] || { echo "pins_cql.sh: no PP_PINS_BUCKETS in src/batch/batch_bucket.h" >&2; return 1; }
  echo "event_day = '$1' AND bucket IN ($(seq -s ', ' 0 $((n - 1))))"
}
