/* parity_diff — compares two metric tables entry by entry.
 *
 * Both sides are pp_agg tables (aggregate.h) loaded from the stores. A difference
 * is a (metric, day, key) whose value differs, or that one side lacks (its value
 * is then reported as missing). The result is sorted like pp_agg_sorted.
 * Ownership: the diff owns copies of its strings; pp_parity_diff_free frees them.
 */
#ifndef PINPIPE_PARITY_DIFF_H
#define PINPIPE_PARITY_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "metrics/aggregate.h"

typedef struct {
    pp_metric_id metric;
    char *day;
    char *key;
    int has_batch, has_stream;
    int64_t batch, stream;
} pp_parity_difference;

typedef struct {
    pp_parity_difference *items;
    size_t n, cap;
    size_t compared; /* (metric, day, key) entries looked at */
} pp_parity_diff;

/* Compares every entry of both tables. */
void pp_parity_compare(const pp_agg *batch, const pp_agg *stream, pp_parity_diff *out);
void pp_parity_diff_free(pp_parity_diff *d);

#endif
