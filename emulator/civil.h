/* civil — proleptic Gregorian calendar arithmetic in integers (UTC only).
 *
 * Days are counted from 1970-01-01 (day 0). No libc time functions, no time
 * zone, no locale: the same numbers everywhere.
 */
#ifndef PINPIPE_EMU_CIVIL_H
#define PINPIPE_EMU_CIVIL_H

#include <stdint.h>

int64_t pp_days_from_civil(int64_t y, unsigned m, unsigned d);
void pp_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);
/* Parses exactly "YYYY-MM-DD" (a real date, years 1970..9999); 0 or PP_EINVAL. */
int pp_parse_date(const char *s, int64_t *days);
/* Writes "YYYY-MM-DD" and a NUL into out[11]. */
void pp_format_date(int64_t days, char out[11]);

#endif
