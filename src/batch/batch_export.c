#include "batch/batch_export.h"

#include <stdio.h>

#include "common/error.h"
#include "common/prom_textfile.h"
#include "event/event_time.h"

/* 00:00 UTC of day (YYYY-MM-DD) in Unix seconds; -1 when it is not a day. */
static double day_start(const char *day) {
    int64_t ms;
    if (!day[0] || pp_day_parse(day, &ms) != PP_OK) return -1;
    return (double)(ms / 1000);
}

static void gauge(pp_strbuf *out, const char *name, const char *help, double v) {
    pp_sb_printf(out, "# HELP %s %s\n# TYPE %s gauge\n%s %.3f\n", name, help, name, name, v);
}

void pp_batch_export_render(const pp_batch_report *r, int ok, double started, double finished, double prev_success,
                            double prev_day, pp_strbuf *out) {
    gauge(out, "pinpipe_batch_last_run_success", "1 when the last batch run stored every day it was asked for.",
          ok ? 1 : 0);
    gauge(out, "pinpipe_batch_last_run_duration_seconds", "Duration of the last batch run.",
          finished > started ? finished - started : 0);
    gauge(out, "pinpipe_batch_last_run_finish_timestamp_seconds", "When the last batch run ended (Unix time).",
          finished);
    gauge(out, "pinpipe_batch_last_run_records", "Lake records the last batch run read over the days it stored.",
          (double)r->records);
    pp_sb_printf(out,
                 "# HELP pinpipe_batch_last_run_days Days of the last batch run, by result.\n"
                 "# TYPE pinpipe_batch_last_run_days gauge\n"
                 "pinpipe_batch_last_run_days{result=\"done\"} %zu\n"
                 "pinpipe_batch_last_run_days{result=\"not_done\"} %zu\n",
                 r->days_done, r->days >= r->days_done ? r->days - r->days_done : 0);
    double success = ok ? finished : -1;
    if (prev_success > success) success = prev_success;
    if (success >= 0)
        gauge(out, "pinpipe_batch_last_success_timestamp_seconds",
              "When the newest successful batch run ended (Unix time).", success);
    double day = day_start(r->newest_done);
    if (prev_day > day) day = prev_day;
    if (day >= 0)
        gauge(out, "pinpipe_batch_newest_done_day_timestamp_seconds",
              "00:00 UTC of the newest event day a whole-day batch run stored (Unix time).", day);
}

int pp_batch_export_write(const char *dir, const pp_batch_report *r, int ok, double started, double finished, char *err,
                          size_t errlen) {
    double prev_success = -1, prev_day = -1;
    pp_prom_textfile_read_value(dir, PP_BATCH_TEXTFILE, "pinpipe_batch_last_success_timestamp_seconds", &prev_success);
    pp_prom_textfile_read_value(dir, PP_BATCH_TEXTFILE, "pinpipe_batch_newest_done_day_timestamp_seconds", &prev_day);
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_batch_export_render(r, ok, started, finished, prev_success, prev_day, &sb);
    int rc = pp_prom_textfile_write(dir, PP_BATCH_TEXTFILE, &sb, err, errlen);
    pp_sb_free(&sb);
    return rc;
}
