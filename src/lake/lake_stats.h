/* lake_stats — the lake writer's counters and their Prometheus text.
 *
 * The writer's thread updates them; the /metrics thread (http/stats_http.h)
 * reads them: every field is atomic. Consumer lag is not here: it is asked of the
 * consumer when /metrics is rendered (lake.c).
 */
#ifndef PINPIPE_LAKE_STATS_H
#define PINPIPE_LAKE_STATS_H

#include <stdatomic.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "lake/lake_rotate.h"

/* Upper bounds (ms) of the upload-latency histogram buckets. */
#define PP_LAKE_LATENCY_BUCKETS \
    { 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000 }
#define PP_LAKE_N_BUCKETS 11

typedef struct {
    atomic_ullong records;                    /* consumed and buffered */
    atomic_ullong skipped;                    /* not buffered: partition not ours, offset already taken */
    atomic_ullong stored_records;             /* in stored objects */
    atomic_ullong dropped_records;            /* dropped unstored (revoke, lost, failed shutdown) */
    atomic_ullong objects[PP_LAKE_N_REASONS]; /* stored objects by reason */
    atomic_ullong object_bytes;               /* bytes stored (after gzip) */
    atomic_ullong upload_failures;            /* PUTs that failed (each is retried) */
    atomic_ullong upload_ms_sum, upload_count, upload_buckets[PP_LAKE_N_BUCKETS];
    atomic_ullong commits, commit_failures;
    atomic_llong open_objects, open_bytes; /* gauges */
    atomic_llong oldest_open_mono_ms;      /* when the oldest open object got its first record; -1 none */
    atomic_llong max_age_ms;               /* the writer's --max-age-ms (what the age is measured against) */
} pp_lake_stats;

void pp_lake_stats_init(pp_lake_stats *s);
/* One successful upload that took ms. */
void pp_lake_stats_upload(pp_lake_stats *s, int64_t ms);
/* Appends every counter as Prometheus text (pinpipe_lake_*), with
 * pinpipe_lake_oldest_unflushed_age_seconds (0 when nothing is open) measured on the
 * monotonic clock now, and pinpipe_lake_max_object_age_seconds (the setting). */
void pp_lake_stats_render(const pp_lake_stats *s, pp_strbuf *out);

#endif
