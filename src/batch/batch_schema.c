#include "batch/batch_schema.h"

#include <ctype.h>
#include <string.h>

#include "common/error.h"
#include "common/log.h"

static const char *const TABLES[] = {
    /* One row per (event day, unique_id): the first occurrence in Kafka order, with
     * the coordinates and ingest time of that occurrence. */
    "CREATE TABLE IF NOT EXISTS %s.pins (\n"
    "  event_day text, unique_id text,\n"
    "  ind bigint, title text, description text, poster_name text,\n"
    "  follower_count bigint, tag_list list<text>, is_image_or_video text,\n"
    "  image_src text, downloaded boolean, save_location text, category text,\n"
    "  event_time timestamp,\n"
    "  kafka_topic text, kafka_partition int, kafka_offset bigint, ingested_at timestamp,\n"
    "  PRIMARY KEY ((event_day), unique_id))",
    /* Mergeable aggregates (docs/metrics.md), recomputed from scratch per day. */
    "CREATE TABLE IF NOT EXISTS %s.metrics (\n"
    "  day text, metric text, key text,\n"
    "  kind text, value bigint,\n"
    "  PRIMARY KEY ((day), metric, key))",
    /* Every rejected record of the day once, with its reason and raw bytes; a lake
     * line that could not be read (reason lake_corrupt_line) has kafka_topic = the
     * object's key, kafka_partition = -1, kafka_offset = its line number. */
    "CREATE TABLE IF NOT EXISTS %s.rejects (\n"
    "  day text, kafka_topic text, kafka_partition int, kafka_offset bigint,\n"
    "  reason text, detail text, errors text, raw text, raw_base64 text,\n"
    "  ingested_at timestamp, lake_object text, lake_line int,\n"
    "  PRIMARY KEY ((day), kafka_topic, kafka_partition, kafka_offset))",
    /* One row per run of a day: status 'running' from the start,
     * 'done' (or 'failed') with the counts at the end. write_ts is the write
     * timestamp (microseconds) of the run's rows; the next run of the day deletes
     * at a larger one, so write_ts (not run_at, a host's clock) orders the runs
     * (parity/parity_runs.h). lake_coverage / lake_read are JSON (docs/batch.md). */
    "CREATE TABLE IF NOT EXISTS %s.batch_runs (\n"
    "  day text, run_at timestamp,\n"
    "  status text, metric text, host text, write_ts bigint,\n"
    "  objects bigint, bytes bigint, records_read bigint,\n"
    "  duplicate_coordinates bigint, conflicting_duplicates bigint,\n"
    "  duplicate_pins bigint, rejects bigint, corrupt_lines bigint, misplaced bigint,\n"
    "  pins_written bigint, rejects_written bigint, metrics_written bigint,\n"
    "  duration_ms bigint, read_ms bigint, clean_ms bigint, write_ms bigint,\n"
    "  lake_coverage text, lake_read text, error text,\n"
    "  PRIMARY KEY ((day), run_at)) WITH CLUSTERING ORDER BY (run_at DESC)",
};
#define N_TABLES (sizeof TABLES / sizeof TABLES[0])

int pp_batch_keyspace_valid(const char *ks) {
    size_t n = ks ? strlen(ks) : 0;
    if (n == 0 || n > 48 || !isalpha((unsigned char)ks[0])) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)ks[i]) && ks[i] != '_') return 0;
    return 1;
}

static void keyspace_stmt(char *buf, size_t n, const char *ks, int rf) {
    /* Identifiers cannot be bound: the name was checked by pp_batch_keyspace_valid. */
    snprintf(buf, n,
             "CREATE KEYSPACE IF NOT EXISTS %s WITH replication = "
             "{'class': 'SimpleStrategy', 'replication_factor': %d}",
             ks, rf);
}

int pp_batch_schema_ensure(pp_cql_session *s, const char *keyspace, int rf, char *err, size_t errlen) {
    char sql[512], why[512];
    if (!pp_batch_keyspace_valid(keyspace)) {
        pp_errf(err, errlen, "keyspace '%s': 1 to 48 letters, digits or '_', starting with a letter",
                keyspace ? keyspace : "");
        return PP_EINVAL;
    }
    if (rf < 1) rf = 1;
    keyspace_stmt(sql, sizeof sql, keyspace, rf);
    int rc = pp_cql_query(s, sql, NULL, 0, NULL, why, sizeof why);
    for (size_t i = 0; rc == PP_OK && i < N_TABLES; i++) {
        char table[2048];
        snprintf(table, sizeof table, TABLES[i], keyspace); /* checked name, see above */
        rc = pp_cql_query(s, table, NULL, 0, NULL, why, sizeof why);
    }
    if (rc) pp_errf(err, errlen, "Cassandra: creating keyspace %s and its tables: %s", keyspace, why);
    return rc;
}

void pp_batch_schema_print(FILE *out, const char *keyspace, int rf) {
    char sql[512];
    keyspace_stmt(sql, sizeof sql, keyspace, rf < 1 ? 1 : rf);
    fprintf(out, "%s;\n", sql);
    for (size_t i = 0; i < N_TABLES; i++) {
        char table[2048];
        snprintf(table, sizeof table, TABLES[i], keyspace);
        fprintf(out, "\n%s;\n", table);
    }
}
