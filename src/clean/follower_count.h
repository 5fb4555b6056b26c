/* follower_count — the public data's follower counts to an integer.
 *
 * Accepted (after the caller trims): digits ("940"); digits with thousands
 * separators in correct groups ("12,345"); a number with a k/K (x1,000), m/M
 * (x1,000,000) or b/B (x1,000,000,000) suffix, with up to three decimals when the
 * result is whole ("6k", "124k", "1.5k", "3M", "2.25M"). Everything else is
 * invalid: "", signs, "12,34", "1.5" without suffix, "1.2345k", garbage, and
 * anything above PP_FOLLOWER_COUNT_MAX (10^12, far beyond any real account,
 * well inside int64).
 */
#ifndef PINPIPE_FOLLOWER_COUNT_H
#define PINPIPE_FOLLOWER_COUNT_H

#include <stddef.h>
#include <stdint.h>

#define PP_FOLLOWER_COUNT_MAX INT64_C(1000000000000)

/* 0 and *out on success; PP_EINVAL when s is not a follower count. */
int pp_follower_count_parse(const char *s, size_t n, int64_t *out);

#endif
