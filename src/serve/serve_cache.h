/* serve_cache — a day's metric rows as read from one store, kept while they cannot
 * have changed.
 *
 * The caller names an entry by what would change it: the store, the day, the metric
 * and the store's version of the day (the newest batch run's write timestamp; the
 * stream's offsets, which it commits with its rows). A new run or a new stream commit
 * thus makes a new key and the old entry is never read again; when the entries'
 * bytes pass the cap the whole cache is emptied (simple, and a re-read is one query
 * per day).
 * Not thread-safe: the caller locks. Entries stay valid until the next put.
 */
#ifndef PINPIPE_SERVE_CACHE_H
#define PINPIPE_SERVE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "metrics/aggregate.h"

typedef struct {
    size_t n;
    const char **keys;
    const size_t *keylens;
    const int64_t *values;
} pp_serve_rows;

typedef struct pp_serve_cache pp_serve_cache;

typedef struct {
    unsigned long hits, misses, flushes;
    size_t bytes, entries;
} pp_serve_cache_stats;

pp_serve_cache *pp_serve_cache_create(size_t cap_bytes);
void pp_serve_cache_destroy(pp_serve_cache *c);

/* The entry named key, or NULL (counted as a miss). */
const pp_serve_rows *pp_serve_cache_get(pp_serve_cache *c, const char *key);
/* Stores a copy of agg's (key, value) pairs as the entry named key, and returns it. */
const pp_serve_rows *pp_serve_cache_put(pp_serve_cache *c, const char *key, const pp_agg *agg);
void pp_serve_cache_stats_get(const pp_serve_cache *c, pp_serve_cache_stats *out);

#endif
