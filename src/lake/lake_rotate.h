/* lake_rotate — when an open lake object is closed and stored.
 *
 * An object is stored as soon as it holds max_records records, or max_bytes bytes
 * (of JSON lines, before any gzip: the memory it takes), or when it has been open
 * for max_age_ms — the idle flush that makes a quiet partition land too. An empty
 * object is never due. Limits are >= 1.
 */
#ifndef PINPIPE_LAKE_ROTATE_H
#define PINPIPE_LAKE_ROTATE_H

#include <stddef.h>
#include <stdint.h>

#define PP_LAKE_DEFAULT_MAX_RECORDS 50000L
#define PP_LAKE_DEFAULT_MAX_BYTES (64L * 1024 * 1024)
#define PP_LAKE_DEFAULT_MAX_AGE_MS 10000L

typedef struct {
    long max_records;
    long max_bytes;
    long max_age_ms;
} pp_lake_limits;

typedef enum {
    PP_LAKE_KEEP = 0,    /* not due */
    PP_LAKE_DUE_RECORDS, /* max_records reached */
    PP_LAKE_DUE_BYTES,   /* max_bytes reached */
    PP_LAKE_DUE_AGE,     /* open for max_age_ms */
    PP_LAKE_DUE_DRAIN,   /* not due, stored anyway (shutdown, revoke, idle exit) */
    PP_LAKE_N_REASONS
} pp_lake_reason;

void pp_lake_limits_default(pp_lake_limits *l);

/* Why an object with `records` records and `bytes` bytes, open for age_ms, is due
 * (records first, then bytes, then age), or PP_LAKE_KEEP. */
pp_lake_reason pp_lake_rotation_due(const pp_lake_limits *l, size_t records, size_t bytes, int64_t age_ms);

/* "records", "bytes", "age", "drain" (metric labels); "keep". */
const char *pp_lake_reason_name(pp_lake_reason r);

#endif
