/* metrics — the metric definitions, once, for batch, stream and the CLI.
 *
 * Every metric is a mergeable aggregate keyed by (metric, event day, key):
 * a count or sum adds, a max keeps the larger. A cleaned pin contributes to the
 * pin metrics once per (event day, unique_id): de-duplication is the caller's
 * job (dedup.h offline and in the batch; a table of seen pairs in the stream),
 * so these functions only say what ONE pin or ONE reject contributes.
 * docs/metrics.md defines each metric precisely.
 */
#ifndef PINPIPE_METRICS_H
#define PINPIPE_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "clean/clean.h"
#include "clean/pin.h"

typedef enum { PP_AGG_COUNT, PP_AGG_SUM, PP_AGG_MAX } pp_agg_kind;

typedef enum {
    PP_M_PINS_TOTAL,
    PP_M_PINS_BY_CATEGORY,
    PP_M_PINS_BY_MEDIA_TYPE,
    PP_M_PINS_BY_TAG,
    PP_M_PINS_BY_POSTER,
    PP_M_MAX_FOLLOWERS_BY_POSTER,
    PP_M_FOLLOWERS_SUM_BY_CATEGORY,
    PP_M_NULLED_VALUES,
    PP_M_INVALID_VALUES,
    PP_M_REJECTED_EVENTS,
    /* the geo and user sides (docs/joins.md) */
    PP_M_RECORDS_BY_KIND,
    PP_M_USERS_BY_JOIN_YEAR,
    /* the join: one contribution per joined record (join/join.h) */
    PP_M_POSTS_JOINED,
    PP_M_POSTS_BY_COUNTRY_CATEGORY,
    PP_M_MAX_FOLLOWERS_BY_COUNTRY_USER,
    PP_M_FOLLOWERS_BY_AGE_GROUP,
    PP_M_FOLLOWERS_BY_JOIN_YEAR,
    PP_M_POSTS_BY_AGE_GROUP_CATEGORY,
    PP_M_JOIN_UNMATCHED,
    PP_M_COUNT
} pp_metric_id;

typedef struct {
    const char *name;
    pp_agg_kind kind;
    const char *key;         /* what the key is */
    const char *description; /* one line */
} pp_metric_def;

extern const pp_metric_def PP_METRICS[PP_M_COUNT];

#define PP_KEY_NULL "(null)"     /* key of a pin whose keyed field is null */
#define PP_DAY_UNKNOWN "unknown" /* day of a reject whose time is unknown (offline only) */

const char *pp_agg_kind_name(pp_agg_kind k);
int pp_metric_find(const char *name); /* -1 if unknown */
/* Merges two values of a kind: a + b, or max(a, b). */
int64_t pp_agg_merge_values(pp_agg_kind kind, int64_t a, int64_t b);

typedef void (*pp_metric_emit_fn)(void *ctx, pp_metric_id metric, const char *day, const char *key, size_t keylen,
                                  int64_t value);

/* What one new (event day, unique_id) pin contributes. */
void pp_metrics_of_pin(const pp_pin *pin, pp_metric_emit_fn emit, void *ctx);
/* What one new (event day, ind) geo or user contributes (its side metrics; the
 * join's metrics come from join/join.h). */
void pp_metrics_of_geo(const pp_geo *g, pp_metric_emit_fn emit, void *ctx);
void pp_metrics_of_user(const pp_user *u, pp_metric_emit_fn emit, void *ctx);
/* What one rejected event (one Kafka record, or one input line) contributes. */
void pp_metrics_of_reject(const pp_reject *rej, pp_metric_emit_fn emit, void *ctx);

#endif
