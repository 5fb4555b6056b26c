/* batch_days — the days one batch run covers: `--date D`, or `--from D1 --to D2`
 * (both ends included), in calendar order.
 *
 * Pure: no I/O. Ownership: a pp_batch_days owns its array; pp_batch_days_free
 * releases it.
 */
#ifndef PINPIPE_BATCH_DAYS_H
#define PINPIPE_BATCH_DAYS_H

#include <stddef.h>

#define PP_BATCH_MAX_DAYS 3660 /* ten years: a bigger range is a typo, split it */

typedef struct {
    char (*day)[11]; /* "YYYY-MM-DD" each */
    size_t n;
} pp_batch_days;

/* Checks that s is a real calendar day written "YYYY-MM-DD" (1970..9999). */
int pp_batch_day_valid(const char *s);

/* Fills *out with from..to. PP_EINVAL with a message naming the bad argument when
 * a day is not a valid "YYYY-MM-DD", when to is before from, or when the range is
 * longer than PP_BATCH_MAX_DAYS days. */
int pp_batch_days_range(const char *from, const char *to, pp_batch_days *out, char *err, size_t errlen);
void pp_batch_days_free(pp_batch_days *d);

#endif
