/* batch_limits — how many bytes one Cassandra request of the batch may carry,
 * derived from the node's own settings (docs/batch.md "Byte limits").
 *
 *   pp_batch_limits l;
 *   pp_batch_limits_query(session, &l, err, sizeof err);  // or _defaults on failure
 *   pp_batch_writer_opts o = {.group_bytes = l.group_bytes, .row_bytes = l.row_bytes};
 *
 * The settings (system_views.settings, Cassandra 4.1+ names, values like "4096KiB"):
 *  - max_mutation_size: the largest mutation the node accepts ("Rejected an
 *    oversized mutation" beyond it). Unset, the node uses half of
 *    commitlog_segment_size, and so does this module.
 *  - batch_size_fail_threshold: the largest BATCH the node accepts (the node checks
 *    it only for batches over several partitions; the writer's are single-partition,
 *    but it keeps to it anyway: groups stay small and cheap to retry).
 *  - native_transport_max_frame_size: the largest request frame.
 * Derived:
 *  - group_bytes = 7/8 of min(batch_size_fail_threshold, max_mutation_size): a group
 *    of rows is sent before its bound values would pass it (the 1/8 margin covers the
 *    server's per-cell overhead); a row alone over it is sent alone.
 *  - row_bytes = native_transport_max_frame_size - 64 KiB (frame and request
 *    overhead): a row over it cannot be sent at all and is refused without asking.
 *    A row under it but over max_mutation_size is sent alone and refused by the
 *    node: the writer replaces it (batch_writer.h, PP_EREFUSED).
 * Fallbacks, when the settings cannot be read (an older node, no permission on
 * system_views): max_mutation_size 4 MiB (half of the 8 MiB commitlog segments
 * pinpipe's node uses; Cassandra's own default is 16 MiB), batch_size_fail_threshold
 * 50 KiB and native_transport_max_frame_size 16 MiB (Cassandra's defaults).
 *
 * Ownership: plain values, nothing to free.
 */
#ifndef PINPIPE_BATCH_LIMITS_H
#define PINPIPE_BATCH_LIMITS_H

#include <stddef.h>
#include <stdint.h>

#include "cql/cql_session.h"

#define PP_BATCH_FALLBACK_MAX_MUTATION ((uint64_t)4 * 1024 * 1024)
#define PP_BATCH_FALLBACK_BATCH_FAIL ((uint64_t)50 * 1024)
#define PP_BATCH_FALLBACK_MAX_FRAME ((uint64_t)16 * 1024 * 1024)
#define PP_BATCH_FRAME_OVERHEAD ((uint64_t)64 * 1024)

typedef struct {
    /* the node's settings, in bytes, as used (read or fallback) */
    uint64_t max_mutation_size;
    uint64_t batch_size_fail_threshold;
    uint64_t max_frame_size;
    const char *source; /* "system_views.settings" or "fallback" */
    /* derived */
    size_t group_bytes; /* a group's bound values at most (a row alone may pass it) */
    size_t row_bytes;   /* a row's bound values at most: larger is refused unsent */
} pp_batch_limits;

/* Cassandra's data-storage syntax: "<digits>" then B, KiB, MiB or GiB (also the
 * older KB/MB/GB spellings, powers of 1024); a bare number is taken in `unit`
 * bytes (1 for none). PP_EINVAL for anything else, an overflow or a zero. */
int pp_batch_limits_parse_size(const char *s, uint64_t unit, uint64_t *out);

/* The derivation above from the three settings; a 0 stands for one not known (a
 * 0 max_mutation_size takes half of commitlog_segment_size, when that is known). */
void pp_batch_limits_derive(uint64_t max_mutation_size, uint64_t commitlog_segment_size,
                            uint64_t batch_size_fail_threshold, uint64_t max_frame_size, pp_batch_limits *out);

/* The fallbacks, derived. */
void pp_batch_limits_defaults(pp_batch_limits *out);

/* Reads the settings from the node (one SELECT on system_views.settings, values
 * bound). On failure *out holds the fallbacks and err says why (the batch goes on
 * with them and logs a warning). */
int pp_batch_limits_query(pp_cql_session *s, pp_batch_limits *out, char *err, size_t errlen);

#endif
