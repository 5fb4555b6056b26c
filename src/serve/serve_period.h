/* serve_period — roll-ups of daily metric rows into periods, and top-N per period.
 *
 * A period is a label: the day itself ("2026-01-05"), its ISO-8601 week
 * ("2026-W02"), month ("2026-01"), year ("2026") or "all". A roll-up adds a day's
 * rows into a pp_agg under the period's label, so values merge as the engine merges
 * them (aggregate.h: counts and sums add, maxima keep the larger) — the merge
 * property of docs/metrics.md, not a second implementation of it. A period that the
 * requested range cuts (a week starting before `from`) holds only the range's days.
 */
#ifndef PINPIPE_SERVE_PERIOD_H
#define PINPIPE_SERVE_PERIOD_H

#include <stddef.h>
#include <stdint.h>

#include "metrics/aggregate.h"

typedef enum { PP_GROUP_DAY, PP_GROUP_WEEK, PP_GROUP_MONTH, PP_GROUP_YEAR, PP_GROUP_ALL } pp_serve_group;

#define PP_SERVE_GROUPS "day, week, month, year, all"
#define PP_SERVE_PERIOD_MAX 40 /* a label and its NUL (room for any int the formats could print) */

const char *pp_serve_group_name(pp_serve_group g);
/* 0, or -1 when s names no group. */
int pp_serve_group_parse(const char *s, pp_serve_group *g);

/* The label of the period of group g holding the UTC day that starts at day_ms. */
void pp_serve_period(pp_serve_group g, int64_t day_ms, char out[PP_SERVE_PERIOD_MAX]);

/* One rolled-up row; strings point into the pp_agg it came from. */
typedef struct {
    const char *period;
    const char *key;
    size_t keylen;
    int64_t value;
} pp_serve_row;

/* The rows of agg (its "day" is a period label) ordered by period, then by value
 * (largest first), then key (bytewise); with top > 0 only the first `top` rows of
 * each period. Caller frees the array (not the strings). */
pp_serve_row *pp_serve_rank(const pp_agg *agg, long top, size_t *n);

#endif
