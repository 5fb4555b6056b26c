#include "parity/parity_export.h"

#include "common/prom_textfile.h"

static const char *const STATUS[] = {"equal", "different", "incomplete", "skipped"};

void pp_parity_export_render(const pp_parity_day_verdict *days, size_t n, int exit_code, double now, pp_strbuf *out) {
    size_t count[4] = {0, 0, 0, 0}, diffs = 0;
    for (size_t i = 0; i < n; i++) {
        count[days[i].status]++;
        diffs += days[i].differences;
    }
    pp_sb_printf(out,
                 "# HELP pinpipe_parity_last_run_timestamp_seconds When the last parity check ran (Unix time).\n"
                 "# TYPE pinpipe_parity_last_run_timestamp_seconds gauge\n"
                 "pinpipe_parity_last_run_timestamp_seconds %.3f\n"
                 "# HELP pinpipe_parity_last_run_success 1 when the last parity check passed (exit 0).\n"
                 "# TYPE pinpipe_parity_last_run_success gauge\n"
                 "pinpipe_parity_last_run_success %d\n"
                 "# HELP pinpipe_parity_last_run_differences Differences between batch and stream metrics found by "
                 "the last parity check.\n"
                 "# TYPE pinpipe_parity_last_run_differences gauge\n"
                 "pinpipe_parity_last_run_differences %zu\n"
                 "# HELP pinpipe_parity_last_run_days Days of the last parity check, by status.\n"
                 "# TYPE pinpipe_parity_last_run_days gauge\n",
                 now, exit_code == 0, diffs);
    for (int s = 0; s < 4; s++)
        pp_sb_printf(out, "pinpipe_parity_last_run_days{status=\"%s\"} %zu\n", STATUS[s], count[s]);
    size_t first = n > PP_PARITY_EXPORT_MAX_DAYS ? n - PP_PARITY_EXPORT_MAX_DAYS : 0;
    pp_sb_puts(out,
               "# HELP pinpipe_parity_day_ok Parity of a day: 1 equal, 0 different or incomplete, -1 skipped.\n"
               "# TYPE pinpipe_parity_day_ok gauge\n");
    for (size_t i = first; i < n; i++)
        pp_sb_printf(out, "pinpipe_parity_day_ok{day=\"%s\"} %d\n", days[i].day,
                     days[i].status == PP_PARITY_DAY_EQUAL         ? 1
                         : days[i].status == PP_PARITY_DAY_SKIPPED ? -1
                                                                   : 0);
    pp_sb_puts(out,
               "# HELP pinpipe_parity_day_differences Differences between batch and stream metrics of a day.\n"
               "# TYPE pinpipe_parity_day_differences gauge\n");
    for (size_t i = first; i < n; i++)
        pp_sb_printf(out, "pinpipe_parity_day_differences{day=\"%s\"} %zu\n", days[i].day, days[i].differences);
}

int pp_parity_export_write(const char *dir, const pp_parity_day_verdict *days, size_t n, int exit_code, double now,
                           char *err, size_t errlen) {
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_parity_export_render(days, n, exit_code, now, &sb);
    int rc = pp_prom_textfile_write(dir, PP_PARITY_TEXTFILE, &sb, err, errlen);
    pp_sb_free(&sb);
    return rc;
}
