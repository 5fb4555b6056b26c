#include "lake/lake_stats.h"

#include <string.h>

#include "common/clock.h"

static const int BUCKETS[PP_LAKE_N_BUCKETS] = PP_LAKE_LATENCY_BUCKETS;

#define LOAD(x) atomic_load(&(x))

void pp_lake_stats_init(pp_lake_stats *s) {
    memset(s, 0, sizeof *s);
    atomic_store(&s->oldest_open_mono_ms, -1);
}

void pp_lake_stats_upload(pp_lake_stats *s, int64_t ms) {
    if (ms < 0) ms = 0;
    atomic_fetch_add(&s->upload_ms_sum, (unsigned long long)ms);
    atomic_fetch_add(&s->upload_count, 1);
    for (size_t i = 0; i < PP_LAKE_N_BUCKETS; i++)
        if (ms <= BUCKETS[i]) {
            atomic_fetch_add(&s->upload_buckets[i], 1);
            break;
        }
}

void pp_lake_stats_render(const pp_lake_stats *s, pp_strbuf *out) {
    pp_sb_printf(out,
                 "# HELP pinpipe_lake_records_total Kafka records consumed into lake objects.\n"
                 "# TYPE pinpipe_lake_records_total counter\npinpipe_lake_records_total %llu\n"
                 "# TYPE pinpipe_lake_records_stored_total counter\npinpipe_lake_records_stored_total %llu\n"
                 "# TYPE pinpipe_lake_records_skipped_total counter\npinpipe_lake_records_skipped_total %llu\n"
                 "# HELP pinpipe_lake_records_dropped_total Unstored records let go (revoke, lost partition); "
                 "re-read from the committed offset.\n"
                 "# TYPE pinpipe_lake_records_dropped_total counter\npinpipe_lake_records_dropped_total %llu\n"
                 "# TYPE pinpipe_lake_objects_total counter\n",
                 LOAD(s->records), LOAD(s->stored_records), LOAD(s->skipped), LOAD(s->dropped_records));
    for (int r = PP_LAKE_DUE_RECORDS; r < PP_LAKE_N_REASONS; r++)
        pp_sb_printf(out, "pinpipe_lake_objects_total{reason=\"%s\"} %llu\n", pp_lake_reason_name((pp_lake_reason)r),
                     LOAD(s->objects[r]));
    pp_sb_printf(out,
                 "# TYPE pinpipe_lake_object_bytes_total counter\npinpipe_lake_object_bytes_total %llu\n"
                 "# TYPE pinpipe_lake_upload_failures_total counter\npinpipe_lake_upload_failures_total %llu\n"
                 "# TYPE pinpipe_lake_commits_total counter\npinpipe_lake_commits_total %llu\n"
                 "# TYPE pinpipe_lake_commit_failures_total counter\npinpipe_lake_commit_failures_total %llu\n"
                 "# TYPE pinpipe_lake_open_objects gauge\npinpipe_lake_open_objects %lld\n"
                 "# TYPE pinpipe_lake_open_bytes gauge\npinpipe_lake_open_bytes %lld\n"
                 "# TYPE pinpipe_lake_upload_seconds histogram\n",
                 LOAD(s->object_bytes), LOAD(s->upload_failures), LOAD(s->commits), LOAD(s->commit_failures),
                 LOAD(s->open_objects), LOAD(s->open_bytes));
    unsigned long long cum = 0;
    for (size_t i = 0; i < PP_LAKE_N_BUCKETS; i++) {
        cum += LOAD(s->upload_buckets[i]);
        pp_sb_printf(out, "pinpipe_lake_upload_seconds_bucket{le=\"%g\"} %llu\n", BUCKETS[i] / 1000.0, cum);
    }
    pp_sb_printf(out,
                 "pinpipe_lake_upload_seconds_bucket{le=\"+Inf\"} %llu\n"
                 "pinpipe_lake_upload_seconds_sum %g\npinpipe_lake_upload_seconds_count %llu\n",
                 LOAD(s->upload_count), LOAD(s->upload_ms_sum) / 1000.0, LOAD(s->upload_count));
    long long oldest = LOAD(s->oldest_open_mono_ms);
    long long age = oldest >= 0 ? pp_mono_ms() - oldest : 0;
    pp_sb_printf(out,
                 "# HELP pinpipe_lake_oldest_unflushed_age_seconds Age of the oldest record held in an open "
                 "(not yet stored) object; 0 when none is open.\n"
                 "# TYPE pinpipe_lake_oldest_unflushed_age_seconds gauge\n"
                 "pinpipe_lake_oldest_unflushed_age_seconds %g\n"
                 "# HELP pinpipe_lake_max_object_age_seconds The writer's --max-age-ms: an object is stored this long "
                 "after its first record at the latest.\n"
                 "# TYPE pinpipe_lake_max_object_age_seconds gauge\n"
                 "pinpipe_lake_max_object_age_seconds %g\n",
                 (age > 0 ? age : 0) / 1000.0, LOAD(s->max_age_ms) / 1000.0);
}
