/* batch_export — a batch run's outcome as a Prometheus text file, for
 * node_exporter's textfile collector (common/prom_textfile.h; docs/monitoring.md).
 * The batch is a job, not a daemon: nothing is left to scrape once it exits, so the
 * run leaves DIR/pinpipe_batch.prom behind, replaced whole at the end of each run:
 *
 *   pinpipe_batch_last_run_success                 1 every day asked for is done, else 0
 *   pinpipe_batch_last_run_duration_seconds        the run, start to end
 *   pinpipe_batch_last_run_finish_timestamp_seconds  when it ended (Unix time)
 *   pinpipe_batch_last_run_records                 lake records read over its done days
 *   pinpipe_batch_last_run_days{result}            done / not_done
 *   pinpipe_batch_last_success_timestamp_seconds   end of the newest successful run
 *   pinpipe_batch_newest_done_day_timestamp_seconds  00:00 UTC of the newest event day
 *                                                  a whole-day run stored
 *
 * The last two are carried over from the file a run replaces (the newest of the old
 * and the new value), so a failed run or a back-fill of an older day never makes
 * them go back. No label holds a day: the series set is fixed.
 */
#ifndef PINPIPE_BATCH_EXPORT_H
#define PINPIPE_BATCH_EXPORT_H

#include <stddef.h>

#include "batch/batch.h"
#include "common/strbuf.h"

#define PP_BATCH_TEXTFILE "pinpipe_batch.prom"

/* Appends the exposition of one run to out. ok: the run returned 0; started/finished
 * in Unix seconds; prev_success and prev_day are the values carried over (< 0: none). */
void pp_batch_export_render(const pp_batch_report *r, int ok, double started, double finished, double prev_success,
                            double prev_day, pp_strbuf *out);

/* Reads the old file's carried-over values, renders and replaces dir/pinpipe_batch.prom. */
int pp_batch_export_write(const char *dir, const pp_batch_report *r, int ok, double started, double finished, char *err,
                          size_t errlen);

#endif
