#!/usr/bin/env bash
# Creates (or replaces) pinpipe's SQL objects in Trino's `lake` catalog for one pipeline:
#
#   lake.<schema>.raw               the raw lake as a table: every JSON line of
#                                   s3://<bucket>/<prefix>dt=YYYY-MM-DD/*.jsonl[.gz], the day
#                                   `dt` a partition column (docs/lake.md)
#   lake.<schema>.day_source        per event day, which store answers: the serving rule
#   lake.<schema>.metrics_merged    the metrics of every day from the store that answers it
#   lake.<schema>.pins_side_by_side the pins of both stores joined on (event_day, unique_id)
#
# Views live in `lake` because the hive connector (file metastore) stores view
# definitions; Cassandra and PostgreSQL catalogs cannot. Re-run after new days land in
# the lake: the partition list of `raw` is synchronised from the object store each time
# (or CALL lake.system.sync_partition_metadata('<schema>', 'raw', 'FULL')).
#
#   bash ci/trino/views.sh [options]
#     --keyspace K       batch keyspace        [PINPIPE_CASSANDRA_KEYSPACE, pinpipe]
#     --stream-schema S  stream's PostgreSQL schema [PINPIPE_STREAM_SCHEMA, public]
#     --lake-prefix P    lake prefix in the bucket [PINPIPE_LAKE_PREFIX, raw/]
#     --bucket B         lake bucket           [PINPIPE_S3_BUCKET, pinpipe-lake]
#     --schema V         schema of the views in lake [the keyspace's name]
#     --print            print the SQL instead of running it
#     --build DIR        where build/pinpipe is [PINPIPE_BUILD, build]
# Runs the statements with `pinpipe sql` against PINPIPE_TRINO_URL. Docs: docs/sql.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../services/env.sh
. "$ROOT/ci/services/env.sh"

ks="${PINPIPE_CASSANDRA_KEYSPACE:-pinpipe}"
pg="${PINPIPE_STREAM_SCHEMA:-public}"
prefix="${PINPIPE_LAKE_PREFIX:-raw/}"
bucket="${PINPIPE_S3_BUCKET:-pinpipe-lake}"
vs=""
print=0
build="${PINPIPE_BUILD:-$ROOT/build}"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
while (($#)); do
  case "$1" in
    --keyspace) ks="${2:?}"; shift 2 ;;
    --stream-schema) pg="${2:?}"; shift 2 ;;
    --lake-prefix) prefix="${2:?}"; shift 2 ;;
    --bucket) bucket="${2:?}"; shift 2 ;;
    --schema) vs="${2:?}"; shift 2 ;;
    --build) build="${2:?}"; shift 2 ;;
    --print) print=1; shift ;;
    -h | --help) usage ;;
    *) echo "views.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[ -n "$vs" ] || vs="$ks"
case "$prefix" in */ | "") ;; *) prefix="$prefix/" ;; esac

# Names are spliced into SQL (identifiers and a location cannot be bound): check them.
ident() { [[ "$2" =~ ^[a-z][a-z0-9_]{0,62}$ ]] || { echo "views.sh: $1 '$2': lower-case letters, digits and _ only" >&2; exit 2; }; }
ident keyspace "$ks"
ident "stream schema" "$pg"
ident "view schema" "$vs"
[[ "$prefix" =~ ^[A-Za-z0-9_./=-]*$ ]] || { echo "views.sh: lake prefix '$prefix': letters, digits and _ . / = - only" >&2; exit 2; }
[[ "$bucket" =~ ^[a-z0-9][a-z0-9.-]{1,62}$ ]] || { echo "views.sh: bucket '$bucket' is not a bucket name" >&2; exit 2; }

sql() {
  cat <<EOF
CREATE SCHEMA IF NOT EXISTS lake.$vs;

-- The raw lake: one row per JSON line, as the lake writer stored it (docs/lake.md);
-- kind is pin, geo or user (null in lines written before kinds existed: pins).
-- Dropping an external table leaves its objects alone.
DROP TABLE IF EXISTS lake.$vs.raw;
CREATE TABLE lake.$vs.raw (
  topic varchar, kind varchar, "partition" integer, "offset" bigint, ingest_time bigint,
  key varchar, key_base64 varchar, raw varchar, raw_base64 varchar,
  dt varchar)
WITH (external_location = 's3://$bucket/$prefix', format = 'JSON', partitioned_by = ARRAY['dt']);
CALL lake.system.sync_partition_metadata('$vs', 'raw', 'FULL');

-- Which store answers for each day: the batch when its newest full run is 'done' with
-- lake coverage and that coverage reaches the stream's stored offset on every
-- partition the stream has read; else the stream (src/parity/day_rule.h; a done
-- --metric back-fill is passed over, as parity_runs.h does).
CREATE OR REPLACE VIEW lake.$vs.day_source AS
WITH runs AS (
  SELECT day, status, lake_coverage,
         row_number() OVER (PARTITION BY day ORDER BY coalesce(write_ts, -1) DESC, run_at DESC) AS rn
  FROM batch.$ks.batch_runs
  WHERE NOT (status = 'done' AND coalesce(metric, '') <> '')
), newest AS (
  SELECT day, status, lake_coverage IS NOT NULL AS has_coverage,
         json_extract_scalar(lake_coverage, '\$.topic') AS topic,
         CAST(json_extract(lake_coverage, '\$.next_offsets') AS map(varchar, bigint)) AS covered
  FROM runs WHERE rn = 1
), stream_at AS (
  SELECT topic, kafka_partition, max(next_offset) AS next_offset
  FROM stream.$pg.stream_offsets GROUP BY topic, kafka_partition
), behind AS (
  SELECT n.day,
         count(s.kafka_partition) FILTER (
           WHERE coalesce(element_at(n.covered, CAST(s.kafka_partition AS varchar)), 0) < s.next_offset
         ) AS partitions_behind
  FROM newest n LEFT JOIN stream_at s ON s.topic = n.topic
  GROUP BY n.day
), days AS (
  SELECT DISTINCT day FROM batch.$ks.metrics
  UNION
  SELECT DISTINCT day FROM stream.$pg.metrics
)
SELECT d.day,
       CASE WHEN n.status = 'done' AND n.has_coverage AND b.partitions_behind = 0 THEN 'batch' ELSE 'stream' END
         AS source,
       n.status AS batch_status,
       b.partitions_behind AS batch_partitions_behind
FROM days d
LEFT JOIN newest n ON n.day = d.day
LEFT JOIN behind b ON b.day = d.day;

-- One answer per (metric, day, key): the rows of the store day_source names.
CREATE OR REPLACE VIEW lake.$vs.metrics_merged AS
SELECT m.metric, m.day, m.key, m.kind, m.value, 'batch' AS source
FROM batch.$ks.metrics m JOIN lake.$vs.day_source d ON d.day = m.day AND d.source = 'batch'
UNION ALL
SELECT m.metric, m.day, m.key, m.kind, m.value, 'stream' AS source
FROM stream.$pg.metrics m JOIN lake.$vs.day_source d ON d.day = m.day AND d.source = 'stream';

-- The pins of a day from both stores side by side; in_store says where each one is.
CREATE OR REPLACE VIEW lake.$vs.pins_side_by_side AS
SELECT coalesce(CAST(b.event_day AS date), s.event_day) AS event_day,
       coalesce(b.unique_id, s.unique_id) AS unique_id,
       CASE WHEN b.unique_id IS NULL THEN 'stream only' WHEN s.unique_id IS NULL THEN 'batch only' ELSE 'both' END
         AS in_store,
       b.category AS batch_category, s.category AS stream_category,
       b.is_image_or_video AS batch_media, s.is_image_or_video AS stream_media,
       b.poster_name AS batch_poster, s.poster_name AS stream_poster,
       b.follower_count AS batch_follower_count, s.follower_count AS stream_follower_count,
       b.kafka_partition AS batch_partition, s.kafka_partition AS stream_partition,
       b.kafka_offset AS batch_offset, s.kafka_offset AS stream_offset
FROM batch.$ks.pins b
FULL OUTER JOIN stream.$pg.pins s
  ON CAST(b.event_day AS date) = s.event_day AND b.unique_id = s.unique_id;
EOF
}

if ((print)); then
  sql
  exit 0
fi
[ -x "$build/pinpipe" ] || { echo "views.sh: no $build/pinpipe (make all)" >&2; exit 1; }
# A keyspace made seconds ago may not be in the Cassandra driver's metadata yet (schema
# events are debounced): wait for both stores' schemas, bounded.
visible() {
  "$build/pinpipe" sql --format csv -e "SHOW SCHEMAS FROM $1 LIKE '$2'" 2>/dev/null | tr -d '\r' | grep -qx "$2"
}
for where in "batch $ks" "stream $pg"; do
  for ((i = 0; ; i++)); do
    # shellcheck disable=SC2086 # "catalog schema"
    visible $where && break
    if ((i >= 60)); then
      echo "views.sh: Trino does not see schema ${where#* } in catalog ${where%% *} (after 30 s); it sees:" >&2
      "$build/pinpipe" sql --format csv -e "SHOW SCHEMAS FROM ${where%% *}" >&2 || true
      exit 1
    fi
    sleep 0.5
  done
done
sql | "$build/pinpipe" sql --format csv -f - >/dev/null
echo "views.sh: lake.$vs.{raw,day_source,metrics_merged,pins_side_by_side} over keyspace $ks, stream schema $pg, s3://$bucket/$prefix"
