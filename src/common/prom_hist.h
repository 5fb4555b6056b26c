/* prom_hist — a Prometheus histogram updated lock-free from any thread, with bucket
 * bounds in milliseconds fixed at init, rendered as `<name>_bucket{le="<seconds>"}`,
 * `_sum` (seconds) and `_count`.
 *
 * Ownership: a pp_prom_hist is a plain struct owned by its holder; bounds points to a
 * static array that outlives it. Nothing to free.
 */
#ifndef PINPIPE_PROM_HIST_H
#define PINPIPE_PROM_HIST_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"

#define PP_PROM_HIST_MAX_BUCKETS 24

typedef struct {
    const int *bounds_ms;                                /* ascending upper bounds, ms; +Inf is implied */
    size_t n;                                            /* at most PP_PROM_HIST_MAX_BUCKETS */
    atomic_ullong buckets[PP_PROM_HIST_MAX_BUCKETS + 1]; /* per bucket, not cumulative; last = +Inf */
    atomic_ullong sum_ms, count;
} pp_prom_hist;

void pp_prom_hist_init(pp_prom_hist *h, const int *bounds_ms, size_t n);
/* One observation of ms (negative counts as 0; le is inclusive). */
void pp_prom_hist_observe(pp_prom_hist *h, int64_t ms);
/* Appends the # TYPE line (and # HELP when help is not NULL) and the series. */
void pp_prom_hist_render(const pp_prom_hist *h, const char *name, const char *help, pp_strbuf *out);

#endif
