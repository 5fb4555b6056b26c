#include "stream/stream_schema.h"

#include <stdio.h>
#include <stdlib.h>

#include "common/error.h"
#include "common/log.h"
#include "pg/pg_exec.h"
#include "pg/pg_txn.h"

typedef struct {
    int version;
    const char *description;
    const char *statements[12]; /* one statement each (bound execution allows no more); NULL ends */
} migration;

static const migration MIGRATIONS[] = {
    {1, "pins, metrics, rejects and offsets",
     /* One row per (event day, unique_id): the first occurrence in Kafka order.
      * Its primary key is also the set of pairs already counted by the metrics. */
     {"CREATE TABLE pins ("
     "  event_day date NOT NULL,"
     "  unique_id text NOT NULL,"
     "  ind bigint NOT NULL,"
     "  title text, description text, poster_name text,"
     "  follower_count bigint,"
     "  tag_list text[],"
     "  is_image_or_video text CHECK (is_image_or_video IN ('image','video')),"
     "  image_src text, downloaded boolean, save_location text, category text,"
     "  event_time timestamptz NOT NULL,"
     "  kafka_topic text NOT NULL, kafka_partition int NOT NULL, kafka_offset bigint NOT NULL,"
     "  ingested_at timestamptz,"
     "  stored_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
     "  PRIMARY KEY (event_day, unique_id))",
     "CREATE INDEX pins_category_idx ON pins (event_day, category)",
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
};
#define N_MIGRATIONS (sizeof MIGRATIONS / sizeof MIGRATIONS[0])

int pp_stream_schema_version(void) { return MIGRATIONS[N_MIGRATIONS - 1].version; }

typedef struct {
    int version;
} migrate_state;

static int migrate_txn(pp_pg *pg, void *arg, char *err, size_t errlen) {
    migrate_state *st = arg;
    long long current = 0;
    int rc = pp_pg_exec(pg, "SELECT pg_advisory_xact_lock(hashtext('pinpipe_stream_schema'))", 0, NULL, NULL, err,
                        errlen);
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
    for (size_t i = 0; i < N_MIGRATIONS; i++) {
        const migration *m = &MIGRATIONS[i];
        if (m->version <= current) continue;
        PP_INFO("stream", "schema: applying migration %d (%s)", m->version, m->description);
        for (const char *const *sql = m->statements; *sql; sql++)
            if ((rc = pp_pg_exec(pg, *sql, 0, NULL, NULL, err, errlen))) return rc;
        char v[16];
        snprintf(v, sizeof v, "%d", m->version);
        const char *params[] = {v, m->description};
        rc = pp_pg_exec(pg, "INSERT INTO pinpipe_schema_migrations (version, description) VALUES ($1, $2)", 2,
                        params, NULL, err, errlen);
        if (rc) return rc;
        current = m->version;
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
