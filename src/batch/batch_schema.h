/* batch_schema — the batch's Cassandra keyspace and tables (created when missing).
 *
 * Tables mirror the stream's PostgreSQL tables (src/stream/stream_schema.c) so the
 * parity command can compare them, but are keyed by day first: everything the batch
 * writes for a day is ONE partition per table — for pins one per bucket of the day
 * (batch_bucket.h) — which is what lets a re-run replace a day with partition
 * deletes (see batch_store.h and docs/batch.md):
 *
 *   pins       ((event_day, bucket), unique_id)              first occurrence per pair
 *   metrics    ((day), metric, key)                          kind, value
 *   rejects    ((day), kafka_topic, kafka_partition, kafka_offset)   reason, raw ...
 *   batch_runs ((day), run_at DESC)                          one row per run of a day
 *
 * Days are text "YYYY-MM-DD" (as the stream's metrics.day), timestamps are CQL
 * timestamps (ms). pins is generated from the pin column table
 * (contract/pin_columns.h; a column added after version 1 comes by ALTER TABLE
 * .. ADD IF NOT EXISTS) plus its bucket, the other tables are in batch_schema.c's
 * table. The
 * statements are printed by `pinpipe batch --print-schema`.
 */
#ifndef PINPIPE_BATCH_SCHEMA_H
#define PINPIPE_BATCH_SCHEMA_H

#include <stddef.h>
#include <stdio.h>

#include "contract/pin_columns.h"
#include "cql/cql_session.h"

/* The pin columns Cassandra holds and the batch writes (rows of the pin column
 * table with a Cassandra type and a getter), in table order; returns how many. */
size_t pp_batch_pin_columns(const pp_pin_column *out[PP_PIN_COLUMNS_MAX]);

/* 1..48 of [A-Za-z0-9_], starting with a letter (Cassandra's rule, unquoted). */
int pp_batch_keyspace_valid(const char *ks);

/* CREATE KEYSPACE IF NOT EXISTS ks (SimpleStrategy, replication_factor rf) — an
 * existing keyspace is left as it is, whatever its replication — then CREATE TABLE
 * IF NOT EXISTS ks.table for each table. Statements name tables with their
 * keyspace (no USE: Cassandra warns about USE with prepared statements). Then an
 * existing pins table is checked (pp_batch_pins_table_check). */
int pp_batch_schema_ensure(pp_cql_session *s, const char *keyspace, int rf, char *err, size_t errlen);

/* A column of an existing table as system_schema.columns lists it. */
typedef struct {
    const char *name, *kind, *type; /* kind: partition_key, clustering, regular, static */
    int position;                   /* in the partition key or clustering; -1 otherwise */
} pp_batch_column_info;

#define PP_PINS_TABLE_FIX                                                                                        \
    "drop that table (DROP TABLE <keyspace>.pins; Cassandra cannot rename one: copy its rows out first to keep " \
    "them) or use another --keyspace, and run the batch again for each of its days (the lake keeps them; "       \
    "docs/batch.md \"Buckets\")"

/* Is an existing pins table (cols[0..n): its columns; n 0: no table) keyed and typed
 * as this pinpipe writes it? PP_EINVAL with a message saying how to fix it when not:
 * CREATE TABLE IF NOT EXISTS would keep an older table (e.g. keyed ((event_day),
 * unique_id), before buckets) and the writes would fail on every row. ensure()
 * checks the keyspace's table with it. */
int pp_batch_pins_table_check(const char *ks, const pp_batch_column_info *cols, size_t n, char *err, size_t errlen);

/* Writes the statements ensure() runs, as a CQL script. */
void pp_batch_schema_print(FILE *out, const char *keyspace, int rf);

#endif
