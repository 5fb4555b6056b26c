#include "batch/batch_schema.h"

#include "batch/batch_bucket.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/strbuf.h"

static const char *const TABLES[] = {
    /* pins (first, generated from the pin column table: pins_create) */
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
    /* Which run a row is (batch_shard.h): null a single-process run, "I/N" a shard
     * run, "all/N" a finalize. ADD: safe on a keyspace made before sharding. */
    "ALTER TABLE %s.batch_runs ADD IF NOT EXISTS shard text",
    /* The metric rows of each shard run ("I/N": shard I of shards N), merged into
     * `metrics` by `--finalize N`; a shard run replaces its (day, shards, shard)
     * prefix. */
    "CREATE TABLE IF NOT EXISTS %s.shard_metrics (\n"
    "  day text, shards int, shard int, metric text, key text,\n"
    "  kind text, value bigint,\n"
    "  PRIMARY KEY ((day), shards, shard, metric, key))",
    /* The cleaned geo and user events (docs/joins.md): one row per (event day, ind),
     * the first occurrence in Kafka order, with its coordinates and ingest time; a
     * day's rows are one partition, read back whole by the finalize's join.
     * coordinates: "[latitude,longitude]" (JSON) or null. */
    "CREATE TABLE IF NOT EXISTS %s.geo (\n"
    "  event_day text, ind bigint, country text, coordinates text, event_time timestamp,\n"
    "  kafka_topic text, kafka_partition int, kafka_offset bigint, ingested_at timestamp,\n"
    "  PRIMARY KEY ((event_day), ind))",
    "CREATE TABLE IF NOT EXISTS %s.users (\n"
    "  event_day text, ind bigint, user_name text, age bigint, date_joined timestamp, event_time timestamp,\n"
    "  kafka_topic text, kafka_partition int, kafka_offset bigint, ingested_at timestamp,\n"
    "  PRIMARY KEY ((event_day), ind))",
};
#define N_TABLES (sizeof TABLES / sizeof TABLES[0])

size_t pp_batch_pin_columns(const pp_pin_column *out[PP_PIN_COLUMNS_MAX]) {
    size_t n = 0;
    for (size_t i = 0; i < PP_N_PIN_COLUMNS; i++)
        if (PP_PIN_COLUMNS[i].cql_type && PP_PIN_COLUMNS[i].get) out[n++] = &PP_PIN_COLUMNS[i];
    return n;
}

/* One row per (event day, unique_id): the first occurrence in Kafka order, with the
 * coordinates and ingest time of that occurrence. The version-1 columns, and the
 * Cassandra-only bucket (batch_bucket.h) in the partition key after the day; later
 * columns come by ALTER (pins_alter). */
static void pins_create(pp_strbuf *out, const char *ks) {
    const pp_pin_column *cols[PP_PIN_COLUMNS_MAX];
    size_t n = pp_batch_pin_columns(cols), k = 0;
    pp_sb_printf(out, "CREATE TABLE IF NOT EXISTS %s.pins (\n", ks);
    for (size_t i = 0; i < n; i++) {
        if (cols[i]->since > 1) continue;
        pp_sb_printf(out, "  %s %s,\n", cols[i]->name, cols[i]->cql_type);
        if (cols[i]->key == PP_KEY_PARTITION) pp_sb_puts(out, "  bucket int,\n");
    }
    pp_sb_puts(out, "  PRIMARY KEY ((");
    for (size_t i = 0; i < n; i++)
        if (cols[i]->key == PP_KEY_PARTITION) pp_sb_printf(out, "%s%s", k++ ? ", " : "", cols[i]->name);
    pp_sb_puts(out, ", bucket)"); /* batch_bucket.h */
    for (size_t i = 0; i < n; i++)
        if (cols[i]->key == PP_KEY_CLUSTERING) pp_sb_printf(out, ", %s", cols[i]->name);
    pp_sb_puts(out, "))");
}

/* Statement i of the schema after the keyspace: pins, the other tables, then one
 * ALTER per pin column added after version 1. 0 when there is no statement i. */
static int table_stmt(pp_strbuf *out, size_t i, const char *ks) {
    pp_sb_reset(out);
    if (i == 0) {
        pins_create(out, ks);
        return 1;
    }
    if (i - 1 < N_TABLES) {
        pp_sb_printf(out, TABLES[i - 1], ks); /* checked name: pp_batch_keyspace_valid */
        return 1;
    }
    const pp_pin_column *cols[PP_PIN_COLUMNS_MAX];
    size_t n = pp_batch_pin_columns(cols), k = 1 + N_TABLES;
    for (size_t c = 0; c < n; c++) {
        if (cols[c]->since <= 1) continue;
        if (k++ == i) {
            pp_sb_printf(out, "ALTER TABLE %s.pins ADD IF NOT EXISTS %s %s", ks, cols[c]->name, cols[c]->cql_type);
            return 1;
        }
    }
    return 0;
}

/* The role and type each column of pins has as this pinpipe creates it. */
static int pins_expected(const char *name, const char **kind, const char **type, int *position) {
    if (strcmp(name, "bucket") == 0) {
        *kind = "partition_key", *type = "int", *position = 1;
        return 1;
    }
    const pp_pin_column *cols[PP_PIN_COLUMNS_MAX];
    size_t n = pp_batch_pin_columns(cols);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(cols[i]->name, name) != 0) continue;
        *kind = cols[i]->key == PP_KEY_PARTITION ? "partition_key"
            : cols[i]->key == PP_KEY_CLUSTERING  ? "clustering"
                                                 : "regular";
        *type = cols[i]->cql_type;
        *position = cols[i]->key == PP_KEY_NONE ? -1 : 0;
        return 1;
    }
    return 0;
}

int pp_batch_pins_table_check(const char *ks, const pp_batch_column_info *cols, size_t n, char *err, size_t errlen) {
    int bucket = 0;
    for (size_t i = 0; i < n; i++)
        bucket |= strcmp(cols[i].name, "bucket") == 0 && strcmp(cols[i].kind, "partition_key") == 0;
    if (n > 0 && !bucket) {
        pp_errf(err, errlen,
                "Cassandra: %s.pins is keyed ((event_day), unique_id), from before the pins were bucketed; this "
                "pinpipe writes ((event_day, bucket), unique_id); %s",
                ks, PP_PINS_TABLE_FIX);
        return PP_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        const char *kind, *type;
        int position;
        if (!pins_expected(cols[i].name, &kind, &type, &position)) continue; /* not ours: left alone */
        if (strcmp(cols[i].kind, kind) != 0 || strcmp(cols[i].type, type) != 0 ||
            (position >= 0 && cols[i].position != position)) {
            pp_errf(err, errlen,
                    "Cassandra: %s.pins has column %s as %s %s (position %d), this pinpipe writes it as %s %s; %s", ks,
                    cols[i].name, cols[i].kind, cols[i].type, cols[i].position, kind, type, PP_PINS_TABLE_FIX);
            return PP_EINVAL;
        }
    }
    return PP_OK;
}

/* An existing pins table, as system_schema lists it, against pins_create's. */
static int pins_table_check(pp_cql_session *s, const char *ks, char *err, size_t errlen) {
    char why[512];
    pp_cql_result *res = NULL;
    pp_cql_value v[1] = {pp_cql_text(ks)};
    int rc = pp_cql_query(s,
                          "SELECT column_name, kind, type, position FROM system_schema.columns"
                          " WHERE keyspace_name = ? AND table_name = 'pins'",
                          v, 1, &res, why, sizeof why);
    if (rc) {
        pp_errf(err, errlen, "Cassandra: reading the columns of %s.pins: %s", ks, why);
        return rc;
    }
    size_t n = pp_cql_result_nrows(res);
    pp_batch_column_info *cols = pp_xcalloc(n ? n : 1, sizeof *cols);
    for (size_t i = 0; i < n; i++) {
        cols[i].name = cols[i].kind = cols[i].type = "";
        pp_cql_result_get_text(res, i, 0, &cols[i].name, NULL);
        pp_cql_result_get_text(res, i, 1, &cols[i].kind, NULL);
        pp_cql_result_get_text(res, i, 2, &cols[i].type, NULL);
        int32_t pos = -1;
        pp_cql_result_get_int(res, i, 3, &pos);
        cols[i].position = pos;
    }
    rc = pp_batch_pins_table_check(ks, cols, n, err, errlen);
    free(cols);
    pp_cql_result_destroy(res);
    return rc;
}

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
    pp_strbuf table;
    pp_sb_init(&table);
    for (size_t i = 0; rc == PP_OK && table_stmt(&table, i, keyspace); i++)
        rc = pp_cql_query(s, table.data, NULL, 0, NULL, why, sizeof why);
    pp_sb_free(&table);
    if (rc) {
        pp_errf(err, errlen, "Cassandra: creating keyspace %s and its tables: %s", keyspace, why);
        return rc;
    }
    /* CREATE TABLE IF NOT EXISTS keeps a pins table of an older key as it is */
    return pins_table_check(s, keyspace, err, errlen);
}

void pp_batch_schema_print(FILE *out, const char *keyspace, int rf) {
    char sql[512];
    keyspace_stmt(sql, sizeof sql, keyspace, rf < 1 ? 1 : rf);
    fprintf(out, "%s;\n", sql);
    pp_strbuf table;
    pp_sb_init(&table);
    for (size_t i = 0; table_stmt(&table, i, keyspace); i++) fprintf(out, "\n%s;\n", table.data);
    pp_sb_free(&table);
}
