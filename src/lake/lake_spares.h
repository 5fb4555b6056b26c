/* lake_spares — the buffers of stored objects, kept for the next objects.
 *
 * Each rotation stores objects of tens of MiB and opens new ones of the same size:
 * freeing a stored object's buffer unmaps it, and the next object then grows a fresh
 * one by doubling (copies) and touches every page again (page faults, zeroing), all
 * in the consumer's thread. A new object takes a spare instead; the pool is bounded
 * in bytes (a buffer that would pass the bound is freed), so the memory it keeps idle
 * is at most max_bytes.
 *
 *   pp_lake_spares s;
 *   pp_lake_spares_init(&s, bound);
 *   pp_lake_spares_put(&s, &stored->data);   // kept (emptied) or freed
 *   pp_lake_spares_take(&s, &fresh->data);   // 1: fresh->data is a spare
 *   pp_lake_spares_free(&s);
 *
 * Threads: one (the writer's).
 */
#ifndef PINPIPE_LAKE_SPARES_H
#define PINPIPE_LAKE_SPARES_H

#include <stddef.h>

#include "common/strbuf.h"

#define PP_LAKE_SPARES_MAX 16

typedef struct {
    pp_strbuf bufs[PP_LAKE_SPARES_MAX];
    size_t n;
    size_t bytes;     /* capacity of bufs[0..n) */
    size_t max_bytes; /* bound on bytes */
} pp_lake_spares;

void pp_lake_spares_init(pp_lake_spares *s, size_t max_bytes);
void pp_lake_spares_free(pp_lake_spares *s);
/* Keeps b's memory when it fits the bound, else frees it; b is empty (no memory) after. */
void pp_lake_spares_put(pp_lake_spares *s, pp_strbuf *b);
/* Moves a spare (empty, len 0) into b, which holds no memory: 1, or 0 when none. */
int pp_lake_spares_take(pp_lake_spares *s, pp_strbuf *b);

#endif
