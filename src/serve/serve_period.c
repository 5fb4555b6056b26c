#include "serve/serve_period.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/mem.h"

static const char *const NAMES[] = {"day", "week", "month", "year", "all"};

const char *pp_serve_group_name(pp_serve_group g) { return NAMES[g]; }

int pp_serve_group_parse(const char *s, pp_serve_group *g) {
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++)
        if (strcmp(s, NAMES[i]) == 0) {
            *g = (pp_serve_group)i;
            return 0;
        }
    return -1;
}

#define DAY_MS 86400000LL

static struct tm utc_of_day(int64_t days) {
    time_t t = (time_t)(days * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    return tm;
}

void pp_serve_period(pp_serve_group g, int64_t day_ms, char out[PP_SERVE_PERIOD_MAX]) {
    int64_t days = day_ms >= 0 ? day_ms / DAY_MS : -((-day_ms + DAY_MS - 1) / DAY_MS);
    struct tm tm = utc_of_day(days);
    switch (g) {
    case PP_GROUP_DAY:
        snprintf(out, PP_SERVE_PERIOD_MAX, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        break;
    case PP_GROUP_WEEK: {
        /* ISO 8601: weeks start on Monday; a week belongs to the year of its Thursday */
        int64_t monday_based = ((days + 3) % 7 + 7) % 7; /* 1970-01-01 was a Thursday: 3 */
        struct tm th = utc_of_day(days - monday_based + 3);
        snprintf(out, PP_SERVE_PERIOD_MAX, "%04d-W%02d", th.tm_year + 1900, th.tm_yday / 7 + 1);
        break;
    }
    case PP_GROUP_MONTH: snprintf(out, PP_SERVE_PERIOD_MAX, "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1); break;
    case PP_GROUP_YEAR: snprintf(out, PP_SERVE_PERIOD_MAX, "%04d", tm.tm_year + 1900); break;
    case PP_GROUP_ALL: snprintf(out, PP_SERVE_PERIOD_MAX, "all"); break;
    }
}

static int by_period_rank(const void *pa, const void *pb) {
    const pp_serve_row *a = pa, *b = pb;
    int c = strcmp(a->period, b->period);
    if (c) return c;
    if (a->value != b->value) return a->value > b->value ? -1 : 1;
    size_t n = a->keylen < b->keylen ? a->keylen : b->keylen;
    c = memcmp(a->key, b->key, n);
    if (c) return c;
    return a->keylen < b->keylen ? -1 : a->keylen > b->keylen;
}

pp_serve_row *pp_serve_rank(const pp_agg *agg, long top, size_t *n) {
    size_t m;
    pp_agg_entry *e = pp_agg_sorted(agg, &m);
    pp_serve_row *rows = pp_xcalloc(m ? m : 1, sizeof *rows);
    for (size_t i = 0; i < m; i++) rows[i] = (pp_serve_row){e[i].day, e[i].key, e[i].keylen, e[i].value};
    free(e);
    qsort(rows, m, sizeof *rows, by_period_rank);
    size_t kept = 0;
    long rank = 0;
    for (size_t i = 0; i < m; i++) {
        rank = i && strcmp(rows[i].period, rows[i - 1].period) == 0 ? rank + 1 : 1;
        if (top <= 0 || rank <= top) rows[kept++] = rows[i];
    }
    *n = kept;
    return rows;
}
