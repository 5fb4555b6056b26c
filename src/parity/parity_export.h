/* parity_export — a parity run's verdicts as a Prometheus text file, for
 * node_exporter's textfile collector (common/prom_textfile.h; docs/monitoring.md).
 * `pinpipe parity` leaves DIR/pinpipe_parity.prom behind, replaced whole by each run:
 *
 *   pinpipe_parity_last_run_timestamp_seconds   when it ran (Unix time)
 *   pinpipe_parity_last_run_success             1 when it exited 0 (no difference,
 *                                               every compared day complete)
 *   pinpipe_parity_last_run_differences         differences over every day
 *   pinpipe_parity_last_run_days{status}        equal, different, incomplete, skipped
 *   pinpipe_parity_day_ok{day}                  1 equal, 0 different or incomplete,
 *                                               -1 skipped (not comparable yet)
 *   pinpipe_parity_day_differences{day}         differences of that day
 *
 * The per-day series are bounded: the newest PP_PARITY_EXPORT_MAX_DAYS days of the run
 * only (a run over a year is summed up in the last_run_* series).
 */
#ifndef PINPIPE_PARITY_EXPORT_H
#define PINPIPE_PARITY_EXPORT_H

#include <stddef.h>

#include "common/strbuf.h"

#define PP_PARITY_TEXTFILE "pinpipe_parity.prom"
#define PP_PARITY_EXPORT_MAX_DAYS 31

typedef enum {
    PP_PARITY_DAY_EQUAL,
    PP_PARITY_DAY_DIFFERENT,
    PP_PARITY_DAY_INCOMPLETE,
    PP_PARITY_DAY_SKIPPED
} pp_parity_day_status;

typedef struct {
    char day[11];
    pp_parity_day_status status;
    size_t differences;
} pp_parity_day_verdict;

/* days in ascending order. */
void pp_parity_export_render(const pp_parity_day_verdict *days, size_t n, int exit_code, double now, pp_strbuf *out);
int pp_parity_export_write(const char *dir, const pp_parity_day_verdict *days, size_t n, int exit_code, double now,
                           char *err, size_t errlen);

#endif
