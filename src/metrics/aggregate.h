/* aggregate — a table of metric values keyed by (metric, day, key).
 *
 * Adding a value merges it with what is there (count/sum add, max keeps the
 * larger), so the table of any split of the input, merged, equals the table of
 * the whole input. The table owns its keys; values are int64.
 */
#ifndef PINPIPE_AGGREGATE_H
#define PINPIPE_AGGREGATE_H

#include <stdio.h>

#include "metrics/metrics.h"

typedef struct pp_agg pp_agg;

typedef struct {
    pp_metric_id metric;
    const char *day; /* points into the table */
    const char *key;
    size_t keylen;
    int64_t value;
} pp_agg_entry;

pp_agg *pp_agg_create(void);
void pp_agg_destroy(pp_agg *a);

void pp_agg_add(pp_agg *a, pp_metric_id metric, const char *day, const char *key, size_t keylen, int64_t value);
/* Adds every entry of src into dst. */
void pp_agg_merge(pp_agg *dst, const pp_agg *src);
/* Emit callback for pp_metrics_of_pin/reject: ctx is a pp_agg. */
void pp_agg_emit(void *agg, pp_metric_id metric, const char *day, const char *key, size_t keylen, int64_t value);
size_t pp_agg_size(const pp_agg *a);

/* The order of pp_agg_sorted: metric name, then day, then key bytes (<0, 0, >0). */
int pp_agg_entry_cmp(const pp_agg_entry *a, const pp_agg_entry *b);
/* Entries sorted by (metric name, day, key); caller frees the array (not the strings). */
pp_agg_entry *pp_agg_sorted(const pp_agg *a, size_t *n);

/* Writes the sorted table as JSON lines or CSV (with a header). */
void pp_agg_write_jsonl(const pp_agg *a, FILE *out);
void pp_agg_write_csv(const pp_agg *a, FILE *out);

#endif
