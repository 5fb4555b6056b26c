/* stream_schema — the stream's PostgreSQL schema, created and migrated on start.
 *
 * Migrations are numbered; each runs once, in its own transaction, under an
 * advisory lock so several stream instances starting together do not race. The
 * applied versions are in pinpipe_schema_migrations. docs/stream.md shows the
 * tables and example queries.
 */
#ifndef PINPIPE_STREAM_SCHEMA_H
#define PINPIPE_STREAM_SCHEMA_H

#include <stddef.h>

#include "pg/pg_conn.h"

/* Applies every migration not applied yet; *version gets the schema version. */
int pp_stream_migrate(pp_pg *pg, int *version, char *err, size_t errlen);
/* The newest schema version this build knows. */
int pp_stream_schema_version(void);

#endif
