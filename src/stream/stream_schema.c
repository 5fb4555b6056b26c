#include "stream/stream_schema.h"

#include <stdio.h>
#include <stdlib.h>

#include "common/error.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "contract/pin_columns.h"
#include "pg/pg_exec.h"
#include "pg/pg_txn.h"
#include "stream/stream_pins_sql.h"

typedef struct {
    int version;
    const char *description;
    const char *statements[12]; /* one statement each (bound execution allows no more); NULL ends */
} migration;

static const migration MIGRATIONS[] = {
    {1,
     "pins, metrics, rejects and offsets",
     /* pins, created first, is generated from the pin column table
      * (stream_pins_sql.h): one row per (event day, unique_id), the first
      * occurrence in Kafka order. Its primary key is also the set of pairs already
      * counted by the metrics. */
     {"CREATE INDEX pins_category_idx ON pins (event_day, category)",
      "CREATE INDEX pins_poster_idx ON pins (poster_name, event_day)",
      /* Mergeable aggregates: count/sum add, max keeps the larger (docs/metrics.md). */
      "CREATE TABLE metrics ("
      "  metric text NOT NULL, day text NOT NULL, key text NOT NULL,"
      "  kind text NOT NULL CHECK (kind IN ('count','sum','max')),"
      "  value bigint NOT NULL,"
      "  updated_at timestamptz NOT NULL DEFAULT now(),"
      "  PRIMARY KEY (metric, day, key))",
      "CREATE INDEX metrics_day_idx ON metrics (day, metric)",
      /* Every rejected Kafka record, once, with its reason and raw bytes. */
      "CREATE TABLE rejects ("
      "  kafka_topic text NOT NULL, kafka_partition int NOT NULL, kafka_offset bigint NOT NULL,"
      "  reason text NOT NULL, detail text NOT NULL, day text NOT NULL, errors jsonb,"
      "  raw text, raw_base64 text, ingested_at timestamptz,"
      "  stored_at timestamptz NOT NULL DEFAULT now(),"
      "  PRIMARY KEY (kafka_topic, kafka_partition, kafka_offset))",
      "CREATE INDEX rejects_day_idx ON rejects (day, reason)",
      /* The next offset to read per partition, written in the same transaction as the
      * rows: the stream resumes from here, not from Kafka's committed offsets. */
      "CREATE TABLE stream_offsets ("
      "  consumer_group text NOT NULL, topic text NOT NULL, kafka_partition int NOT NULL,"
      "  next_offset bigint NOT NULL,"
      "  updated_at timestamptz NOT NULL DEFAULT now(),"
      "  PRIMARY KEY (consumer_group, topic, kafka_partition))",
      NULL}},
    {2,
     "pins: index on ingested_at (the serving layer's live view)",
     {"CREATE INDEX pins_ingested_idx ON pins (ingested_at)", NULL}},
    /* Every micro-batch updates thousands of metric rows in place: with room left in
     * each page the new row versions stay there (HOT) and neither index is touched.
     * Pages written from now on; existing ones keep their fill. */
    {3, "metrics: fillfactor 60 (in-page updates)", {"ALTER TABLE metrics SET (fillfactor = 60)", NULL}},
    /* The other two sides of a post (docs/joins.md): first occurrence per (event day,
     * ind), in Kafka order. The join reads a post's sides back (stream_join.h): its
     * pins by (event_day, ind) too. */
    {4,
     "geo and users (the join's sides), pins by post, the kind of a reject",
     {"CREATE TABLE geo ("
      "  event_day date NOT NULL, ind bigint NOT NULL, country text,"
      "  latitude double precision, longitude double precision,"
      "  event_time timestamptz NOT NULL,"
      "  kafka_topic text NOT NULL, kafka_partition int NOT NULL, kafka_offset bigint NOT NULL,"
      "  ingested_at timestamptz, stored_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
      "  PRIMARY KEY (event_day, ind))",
      "CREATE TABLE users ("
      "  event_day date NOT NULL, ind bigint NOT NULL, user_name text, age bigint,"
      "  date_joined timestamptz, event_time timestamptz NOT NULL,"
      "  kafka_topic text NOT NULL, kafka_partition int NOT NULL, kafka_offset bigint NOT NULL,"
      "  ingested_at timestamptz, stored_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
      "  PRIMARY KEY (event_day, ind))",
      "CREATE INDEX pins_post_idx ON pins (event_day, ind)",
      "ALTER TABLE rejects ADD COLUMN kind text NOT NULL DEFAULT 'pin'", NULL}},
};
#define N_MIGRATIONS (sizeof MIGRATIONS / sizeof MIGRATIONS[0])

int pp_stream_schema_version(void) {
    int v = MIGRATIONS[N_MIGRATIONS - 1].version, pins = pp_pin_columns_version();
    return pins > v ? pins : v;
}

static const migration *migration_of(int version) {
    for (size_t i = 0; i < N_MIGRATIONS; i++)
        if (MIGRATIONS[i].version == version) return &MIGRATIONS[i];
    return NULL;
}

/* Version v: the generated pins statement (CREATE in 1, ALTER .. ADD COLUMN later),
 * then the migration's own statements. */
static int apply(pp_pg *pg, int v, const migration *m, char *err, size_t errlen) {
    pp_strbuf sql;
    pp_sb_init(&sql);
    int rc = PP_OK;
    if (v == 1)
        pp_stream_pins_create(&sql);
    else
        pp_stream_pins_alter(&sql, v);
    if (sql.len) rc = pp_pg_exec(pg, sql.data, 0, NULL, NULL, err, errlen);
    pp_sb_free(&sql);
    for (const char *const *stmt = m ? m->statements : NULL; rc == PP_OK && stmt && *stmt; stmt++)
        rc = pp_pg_exec(pg, *stmt, 0, NULL, NULL, err, errlen);
    return rc;
}

typedef struct {
    int version;
} migrate_state;

static int migrate_txn(pp_pg *pg, void *arg, char *err, size_t errlen) {
    migrate_state *st = arg;
    long long current = 0;
    int rc =
        pp_pg_exec(pg, "SELECT pg_advisory_xact_lock(hashtext('pinpipe_stream_schema'))", 0, NULL, NULL, err, errlen);
    if (rc == PP_OK) /* no "already exists, skipping" notice on every start */
        rc = pp_pg_exec(pg, "SET LOCAL client_min_messages = warning", 0, NULL, NULL, err, errlen);
    if (rc) return rc;
    rc = pp_pg_exec(pg,
                    "CREATE TABLE IF NOT EXISTS pinpipe_schema_migrations ("
                    " version int PRIMARY KEY, description text NOT NULL,"
                    " applied_at timestamptz NOT NULL DEFAULT now())",
                    0, NULL, NULL, err, errlen);
    if (rc) return rc;
    rc = pp_pg_query_int64(pg, "SELECT coalesce(max(version), 0) FROM pinpipe_schema_migrations", 0, NULL, &current,
                           err, errlen);
    if (rc) return rc;
    for (int v = (int)current + 1; v <= pp_stream_schema_version(); v++) {
        const migration *m = migration_of(v);
        const char *description = m ? m->description : "pins: new columns";
        PP_INFO("stream", "schema: applying migration %d (%s)", v, description);
        if ((rc = apply(pg, v, m, err, errlen))) return rc;
        char ver[16];
        snprintf(ver, sizeof ver, "%d", v);
        const char *params[] = {ver, description};
        rc = pp_pg_exec(pg, "INSERT INTO pinpipe_schema_migrations (version, description) VALUES ($1, $2)", 2, params,
                        NULL, err, errlen);
        if (rc) return rc;
        current = v;
    }
    st->version = (int)current;
    return PP_OK;
}

int pp_stream_migrate(pp_pg *pg, int *version, char *err, size_t errlen) {
    migrate_state st = {0};
    int rc = pp_pg_run_txn(pg, NULL, migrate_txn, &st, NULL, err, errlen);
    if (rc == PP_OK && version) *version = st.version;
    return rc;
}
