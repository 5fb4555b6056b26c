/* pin_columns — the pin as both stores hold it, spelled once.
 *
 * PP_PIN_COLUMNS is the one list of the pins table's columns, in table order:
 * name, kind, PostgreSQL type and constraint, Cassandra type, key role, the
 * schema version that added it, and a getter that reads the value from a stored
 * pin (the cleaned pin plus its Kafka coordinates and ingest time). Everything
 * that names the pin's columns is generated from it:
 *   stream (PostgreSQL): pins in migration 1 and an ADD COLUMN migration per later
 *     version (stream/stream_schema.c), the COPY into pins and the query of the
 *     keys already stored (stream/stream_pins_sql.c, stream/stream_sink.c);
 *   batch (Cassandra): CREATE TABLE pins and ALTER .. ADD per later version
 *     (batch/batch_schema.c, which adds the Cassandra-only bucket of batch/batch_bucket.h
 *     to the partition key), the INSERT and its bound values (batch/batch_store.c).
 *
 * Adding a field to the pin: one row here (since = the next stream schema
 * version), its getter, and tests. Columns of an existing version never change:
 * deployments already have those tables. (Cassandra's pins changed once, to a
 * bucketed key and frozen tags; the batch refuses an older table with how to
 * replace it: batch/batch_schema.h.)
 *
 * Values: each store turns a pp_col_value into its own form (COPY text, a bound
 * CQL value) by the column's kind. Nothing here allocates.
 */
#ifndef PINPIPE_CONTRACT_PIN_COLUMNS_H
#define PINPIPE_CONTRACT_PIN_COLUMNS_H

#include <stddef.h>
#include <stdint.h>

#include "clean/pin.h"

/* A pin as stored: the cleaned pin and the occurrence it was taken from. */
typedef struct {
    const pp_pin *pin;
    const char *topic;
    int32_t partition;
    int64_t offset;
    int64_t ingest_time_ms; /* -1: unknown */
} pp_pin_row;

typedef enum {
    PP_COL_TEXT,   /* v.text */
    PP_COL_BIGINT, /* v.i */
    PP_COL_INT,    /* v.i, 32 bits */
    PP_COL_BOOL,   /* v.i, 0 or 1 */
    PP_COL_TIME,   /* v.i, ms since the epoch, UTC */
    PP_COL_TAGS    /* v.list[0..v.n): a list of text (may be empty) */
} pp_col_kind;

typedef struct {
    int null;
    const char *text;
    int64_t i;
    const char *const *list;
    size_t n;
} pp_col_value;

typedef enum { PP_KEY_NONE = 0, PP_KEY_PARTITION, PP_KEY_CLUSTERING } pp_col_key;

typedef struct {
    const char *name; /* the column in both stores */
    pp_col_kind kind;
    const char *sql_type;  /* PostgreSQL type */
    const char *sql_extra; /* its constraints in pins ("" for none), e.g. " NOT NULL" */
    const char *cql_type;  /* Cassandra type; NULL: not in Cassandra */
    pp_col_key key;        /* part of the primary key (PostgreSQL: in this order) */
    int since;             /* the stream schema version that added it (1: the first) */
    int arg;               /* the getter's argument (a pp_field for text fields) */
    /* Reads the value; NULL for a column the store fills itself (a default). */
    void (*get)(const pp_pin_row *r, int arg, pp_col_value *v);
} pp_pin_column;

#define PP_PIN_COLUMNS_MAX 64 /* bound for callers' per-column arrays */

extern const pp_pin_column PP_PIN_COLUMNS[];
extern const size_t PP_N_PIN_COLUMNS;

/* The newest version any column has (stream_schema.c takes the larger of it and
 * its own migrations'). */
int pp_pin_columns_version(void);

/* Reads column c of row r. */
void pp_pin_column_get(const pp_pin_column *c, const pp_pin_row *r, pp_col_value *v);

#endif
