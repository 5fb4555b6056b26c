/* serve_join — the join's original analyses, answered from rolled-up join metrics.
 *
 * Each analysis reads one to three metrics (docs/metrics.md, "Join metrics") rolled up
 * by period (serve_period.h: the pp_agg's "day" is the period label) and turns them
 * into a table: one row per period and group, the columns its definition names.
 *
 *   top_category_by_country        per country, the category with the most joined
 *                                  posts (posts_by_country_category summed)
 *   top_user_by_country            per country, the user with the largest follower
 *                                  count (max_followers_by_country_user)
 *   median_followers_by_age_group  the EXACT median follower count per age group, from
 *   median_followers_by_join_year  the merged counts per follower count
 *   users_by_join_year             users (one per (day, ind)) per join year
 *   posts_by_age_group_category    joined posts per (age group, category)
 *   join_quality                   pins, joined posts, unmatched pins (pins_total -
 *                                  posts_joined), unmatched geo and user events
 *
 * Ties of an argmax go to the smallest key bytewise (the ranking of /api/v1/top). The
 * median of n values is the mean of the values at positions floor((n+1)/2) and
 * floor(n/2)+1 of the sorted counts: exact, kept as twice its value (an integer). A key
 * that is not what its metric says (not a two-member array, a follower count that is
 * not an integer) is skipped. Pure functions: no I/O.
 */
#ifndef PINPIPE_SERVE_JOIN_H
#define PINPIPE_SERVE_JOIN_H

#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "metrics/aggregate.h"

typedef enum {
    PP_JA_TOP_CATEGORY_BY_COUNTRY,
    PP_JA_TOP_USER_BY_COUNTRY,
    PP_JA_MEDIAN_FOLLOWERS_BY_AGE_GROUP,
    PP_JA_MEDIAN_FOLLOWERS_BY_JOIN_YEAR,
    PP_JA_USERS_BY_JOIN_YEAR,
    PP_JA_POSTS_BY_AGE_GROUP_CATEGORY,
    PP_JA_JOIN_QUALITY,
    PP_JA_COUNT
} pp_serve_join_analysis;

#define PP_SERVE_JOIN_MAX_METRICS 3
#define PP_SERVE_JOIN_MAX_COLUMNS 5

typedef struct {
    const char *name;
    const char *description;
    int metrics[PP_SERVE_JOIN_MAX_METRICS]; /* what it reads */
    size_t nmetrics;
    const char *columns[PP_SERVE_JOIN_MAX_COLUMNS]; /* after "period" */
    size_t ncolumns;
} pp_serve_join_def;

extern const pp_serve_join_def PP_SERVE_JOIN[PP_JA_COUNT];

/* The analysis named s, or -1. */
int pp_serve_join_find(const char *s);
/* Every name, ", "-separated (for a 400's "allowed"). */
void pp_serve_join_names(pp_strbuf *out);

typedef enum {
    PP_JC_NULL,  /* a null member (a country, an age group, a join year) */
    PP_JC_TEXT,  /* text: off/len into the table's text */
    PP_JC_INT,   /* v */
    PP_JC_HALVES /* v / 2, exactly: a median */
} pp_serve_join_cell_type;

typedef struct {
    pp_serve_join_cell_type type;
    int64_t v;
    size_t off, len;
} pp_serve_join_cell;

/* rows x (1 + ncols) cells, row-major; cell 0 of a row is its period (text). */
typedef struct {
    size_t nrows, ncols;
    pp_serve_join_cell *cells;
    size_t cap;
    pp_strbuf text;
} pp_serve_join_table;

/* The analysis over agg (its metrics rolled up by period) into out (initialised here;
 * free with pp_serve_join_table_free). Rows are ordered by period, then group. */
void pp_serve_join_compute(pp_serve_join_analysis an, const pp_agg *agg, pp_serve_join_table *out);
void pp_serve_join_table_free(pp_serve_join_table *t);

/* The cell's value: JSON (a string, a number, null) or CSV (bare text, empty for null). */
void pp_serve_join_cell_json(const pp_serve_join_table *t, const pp_serve_join_cell *c, pp_strbuf *out);
void pp_serve_join_cell_csv(const pp_serve_join_table *t, const pp_serve_join_cell *c, pp_strbuf *out);

/* The exact median of the values vals[i] each counted counts[i] times (n pairs, any
 * order, counts > 0; vals is sorted in place with counts): twice the median, and the
 * total count in *total. n = 0: 0, total 0. */
int64_t pp_serve_median2(int64_t *vals, int64_t *counts, size_t n, int64_t *total);

#endif
