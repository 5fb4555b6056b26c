#include "serve/serve_join.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "metrics/metrics.h"

const pp_serve_join_def PP_SERVE_JOIN[PP_JA_COUNT] = {
    [PP_JA_TOP_CATEGORY_BY_COUNTRY] = {"top_category_by_country",
                                       "per country, the category with the most joined posts",
                                       {PP_M_POSTS_BY_COUNTRY_CATEGORY},
                                       1,
                                       {"country", "category", "posts"},
                                       3},
    [PP_JA_TOP_USER_BY_COUNTRY] = {"top_user_by_country",
                                   "per country, the user with the most followers",
                                   {PP_M_MAX_FOLLOWERS_BY_COUNTRY_USER},
                                   1,
                                   {"country", "user_name", "followers"},
                                   3},
    [PP_JA_MEDIAN_FOLLOWERS_BY_AGE_GROUP] = {"median_followers_by_age_group",
                                             "the exact median follower count of joined posts per age group",
                                             {PP_M_FOLLOWERS_BY_AGE_GROUP},
                                             1,
                                             {"age_group", "median_followers", "posts"},
                                             3},
    [PP_JA_MEDIAN_FOLLOWERS_BY_JOIN_YEAR] = {"median_followers_by_join_year",
                                             "the exact median follower count of joined posts per join year",
                                             {PP_M_FOLLOWERS_BY_JOIN_YEAR},
                                             1,
                                             {"join_year", "median_followers", "posts"},
                                             3},
    [PP_JA_USERS_BY_JOIN_YEAR] = {"users_by_join_year",
                                  "users (one per day and ind) per year they joined",
                                  {PP_M_USERS_BY_JOIN_YEAR},
                                  1,
                                  {"join_year", "users"},
                                  2},
    [PP_JA_POSTS_BY_AGE_GROUP_CATEGORY] = {"posts_by_age_group_category",
                                           "joined posts per age group and category",
                                           {PP_M_POSTS_BY_AGE_GROUP_CATEGORY},
                                           1,
                                           {"age_group", "category", "posts"},
                                           3},
    [PP_JA_JOIN_QUALITY] = {"join_quality",
                            "pins, joined posts, and the pins, geo and user events left unmatched",
                            {PP_M_PINS_TOTAL, PP_M_POSTS_JOINED, PP_M_JOIN_UNMATCHED},
                            3,
                            {"pins", "posts_joined", "unmatched_pins", "unmatched_geo", "unmatched_user"},
                            5},
};

int pp_serve_join_find(const char *s) {
    for (int i = 0; i < PP_JA_COUNT; i++)
        if (strcmp(s, PP_SERVE_JOIN[i].name) == 0) return i;
    return -1;
}

void pp_serve_join_names(pp_strbuf *out) {
    for (int i = 0; i < PP_JA_COUNT; i++) pp_sb_printf(out, "%s%s", i ? ", " : "", PP_SERVE_JOIN[i].name);
}

void pp_serve_join_table_free(pp_serve_join_table *t) {
    free(t->cells);
    pp_sb_free(&t->text);
    memset(t, 0, sizeof *t);
}

/* A new row's cells (zeroed), its period set. */
static pp_serve_join_cell *add_row(pp_serve_join_table *t, const char *period) {
    size_t w = t->ncols + 1;
    if (t->nrows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->cells = pp_xrealloc(t->cells, t->cap * w * sizeof *t->cells);
    }
    pp_serve_join_cell *row = &t->cells[t->nrows++ * w];
    memset(row, 0, w * sizeof *row);
    row[0] = (pp_serve_join_cell){PP_JC_TEXT, 0, t->text.len, strlen(period)};
    pp_sb_puts(&t->text, period);
    return row;
}

static pp_serve_join_cell text_cell(pp_serve_join_table *t, const char *s, size_t n) {
    pp_serve_join_cell c = {PP_JC_TEXT, 0, t->text.len, n};
    pp_sb_append(&t->text, s, n);
    return c;
}

static pp_serve_join_cell int_cell(int64_t v) { return (pp_serve_join_cell){PP_JC_INT, v, 0, 0}; }

static int parse_i64(const char *s, size_t n, int64_t *out) {
    char buf[24];
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    if (*end || errno) return -1;
    *out = v;
    return 0;
}

/* The raw JSON text of the two members of a key ["a",b]; -1 when it is not one. */
static int split_key(const char *k, size_t n, const char **a, size_t *alen, const char **b, size_t *blen) {
    if (n < 5 || k[0] != '[' || k[n - 1] != ']') return -1;
    size_t i = 1;
    if (k[i] == '"') {
        for (i++; i < n - 1 && k[i] != '"'; i++)
            if (k[i] == '\\') i++;
        i++;
    } else {
        while (i < n - 1 && k[i] != ',') i++;
    }
    if (i >= n - 1 || k[i] != ',') return -1;
    *a = k + 1;
    *alen = i - 1;
    *b = k + i + 1;
    *blen = n - 2 - i;
    return *alen && *blen ? 0 : -1;
}

/* A key member (JSON text) as a cell: null, an integer, or text (decoded). */
static pp_serve_join_cell member_cell(pp_serve_join_table *t, const char *raw, size_t n) {
    int64_t v;
    if (n == 4 && memcmp(raw, "null", 4) == 0) return (pp_serve_join_cell){PP_JC_NULL, 0, 0, 0};
    if (raw[0] != '"') return parse_i64(raw, n, &v) == 0 ? int_cell(v) : text_cell(t, raw, n);
    if (n >= 2 && !memchr(raw, '\\', n)) return text_cell(t, raw + 1, n - 2);
    json_error_t e;
    json_t *j = json_loadb(raw, n, JSON_DECODE_ANY, &e); /* escapes: the rare case */
    pp_serve_join_cell c =
        json_is_string(j) ? text_cell(t, json_string_value(j), json_string_length(j)) : text_cell(t, raw, n);
    json_decref(j);
    return c;
}

static int same(const char *a, size_t an, const char *b, size_t bn) { return an == bn && memcmp(a, b, an) == 0; }

typedef struct {
    int64_t value, count;
} value_count;

static int by_value(const void *a, const void *b) {
    int64_t x = ((const value_count *)a)->value, y = ((const value_count *)b)->value;
    return (x > y) - (x < y);
}

int64_t pp_serve_median2(int64_t *vals, int64_t *counts, size_t n, int64_t *total) {
    /* a year of a group can hold tens of thousands of distinct follower counts: qsort */
    value_count *vc = pp_xcalloc(n ? n : 1, sizeof *vc);
    for (size_t i = 0; i < n; i++) vc[i] = (value_count){vals[i], counts[i]};
    qsort(vc, n, sizeof *vc, by_value);
    for (size_t i = 0; i < n; i++) vals[i] = vc[i].value, counts[i] = vc[i].count;
    free(vc);
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++) sum += counts[i];
    *total = sum;
    if (sum <= 0) return 0;
    int64_t p1 = (sum + 1) / 2, p2 = sum / 2 + 1, upto = 0, m2 = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t before = upto;
        upto += counts[i];
        if (before < p1 && upto >= p1) m2 += vals[i];
        if (before < p2 && upto >= p2) m2 += vals[i];
    }
    return m2;
}

typedef struct {
    const pp_agg_entry *e;
    size_t n;
} entries;

/* The entries of metric m: a contiguous run of the sorted table. */
static entries of_metric(const pp_agg_entry *all, size_t n, int m) {
    size_t i = 0;
    while (i < n && (int)all[i].metric != m) i++;
    size_t j = i;
    while (j < n && (int)all[j].metric == m) j++;
    return (entries){all + i, j - i};
}

/* Rows of [first, end) share the period and the key's first member (its JSON text):
 * the sorted order keeps them together. */
static size_t group_end(const entries *es, size_t first) {
    const pp_agg_entry *f = &es->e[first];
    const char *a, *b, *x, *y;
    size_t alen, blen, xlen, ylen;
    if (split_key(f->key, f->keylen, &a, &alen, &b, &blen)) return first + 1;
    size_t end = first + 1;
    while (end < es->n && strcmp(es->e[end].day, f->day) == 0 &&
           split_key(es->e[end].key, es->e[end].keylen, &x, &xlen, &y, &ylen) == 0 && same(a, alen, x, xlen))
        end++;
    return end;
}

/* Per (period, first member): the entry with the largest value; ties keep the first. */
static void argmax(pp_serve_join_table *t, const entries *es) {
    for (size_t i = 0, end; i < es->n; i = end) {
        end = group_end(es, i);
        size_t best = i;
        for (size_t k = i + 1; k < end; k++)
            if (es->e[k].value > es->e[best].value) best = k;
        const pp_agg_entry *e = &es->e[best];
        const char *a, *b;
        size_t alen, blen;
        if (split_key(e->key, e->keylen, &a, &alen, &b, &blen)) continue;
        pp_serve_join_cell *row = add_row(t, e->day);
        row[1] = member_cell(t, a, alen);
        row[2] = member_cell(t, b, blen);
        row[3] = int_cell(e->value);
    }
}

static void medians(pp_serve_join_table *t, const entries *es) {
    for (size_t i = 0, end; i < es->n; i = end) {
        end = group_end(es, i);
        int64_t *vals = pp_xcalloc(end - i, sizeof *vals), *counts = pp_xcalloc(end - i, sizeof *counts), total;
        size_t n = 0;
        const char *a = NULL, *b;
        size_t alen = 0, blen;
        for (size_t k = i; k < end; k++)
            if (split_key(es->e[k].key, es->e[k].keylen, &a, &alen, &b, &blen) == 0 &&
                parse_i64(b, blen, &vals[n]) == 0 && es->e[k].value > 0)
                counts[n++] = es->e[k].value;
        int64_t m2 = pp_serve_median2(vals, counts, n, &total);
        if (total > 0) {
            pp_serve_join_cell *row = add_row(t, es->e[i].day);
            row[1] = member_cell(t, a, alen);
            row[2] = (pp_serve_join_cell){PP_JC_HALVES, m2, 0, 0};
            row[3] = int_cell(total);
        }
        free(vals);
        free(counts);
    }
}

static void pairs(pp_serve_join_table *t, const entries *es) {
    for (size_t i = 0; i < es->n; i++) {
        const char *a, *b;
        size_t alen, blen;
        if (split_key(es->e[i].key, es->e[i].keylen, &a, &alen, &b, &blen)) continue;
        pp_serve_join_cell *row = add_row(t, es->e[i].day);
        row[1] = member_cell(t, a, alen);
        row[2] = member_cell(t, b, blen);
        row[3] = int_cell(es->e[i].value);
    }
}

/* users_by_join_year: plain keys ("2016", "(null)"); per period the years, null last. */
static void years(pp_serve_join_table *t, const entries *es) {
    for (size_t i = 0, end; i < es->n; i = end) {
        end = i + 1;
        while (end < es->n && strcmp(es->e[end].day, es->e[i].day) == 0) end++;
        for (int null_pass = 0; null_pass < 2; null_pass++)
            for (size_t k = i; k < end; k++) {
                const pp_agg_entry *e = &es->e[k];
                int is_null = same(e->key, e->keylen, PP_KEY_NULL, strlen(PP_KEY_NULL));
                if (is_null != null_pass) continue;
                pp_serve_join_cell *row = add_row(t, e->day);
                int64_t y;
                row[1] = is_null                            ? (pp_serve_join_cell){PP_JC_NULL, 0, 0, 0}
                    : parse_i64(e->key, e->keylen, &y) == 0 ? int_cell(y)
                                                            : text_cell(t, e->key, e->keylen);
                row[2] = int_cell(e->value);
            }
    }
}

typedef struct {
    const char *period;
    int64_t pins, joined, geo, user;
} quality;

static int by_period(const void *a, const void *b) {
    return strcmp(((const quality *)a)->period, ((const quality *)b)->period);
}

static void join_quality(pp_serve_join_table *t, const pp_agg_entry *all, size_t n) {
    quality *q = pp_xcalloc(n ? n : 1, sizeof *q);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const pp_agg_entry *e = &all[i];
        quality x = {e->day, 0, 0, 0, 0};
        if (e->metric == PP_M_PINS_TOTAL)
            x.pins = e->value;
        else if (e->metric == PP_M_POSTS_JOINED)
            x.joined = e->value;
        else if (e->metric == PP_M_JOIN_UNMATCHED && same(e->key, e->keylen, "geo", 3))
            x.geo = e->value;
        else if (e->metric == PP_M_JOIN_UNMATCHED && same(e->key, e->keylen, "user", 4))
            x.user = e->value;
        else
            continue;
        q[m++] = x;
    }
    qsort(q, m, sizeof *q, by_period);
    for (size_t i = 0, end; i < m; i = end) {
        quality sum = {q[i].period, 0, 0, 0, 0};
        for (end = i; end < m && strcmp(q[end].period, q[i].period) == 0; end++) {
            sum.pins += q[end].pins;
            sum.joined += q[end].joined;
            sum.geo += q[end].geo;
            sum.user += q[end].user;
        }
        pp_serve_join_cell *row = add_row(t, sum.period);
        row[1] = int_cell(sum.pins);
        row[2] = int_cell(sum.joined);
        row[3] = int_cell(sum.pins - sum.joined);
        row[4] = int_cell(sum.geo);
        row[5] = int_cell(sum.user);
    }
    free(q);
}

void pp_serve_join_compute(pp_serve_join_analysis an, const pp_agg *agg, pp_serve_join_table *out) {
    memset(out, 0, sizeof *out);
    pp_sb_init(&out->text);
    out->ncols = PP_SERVE_JOIN[an].ncolumns;
    size_t n;
    pp_agg_entry *all = pp_agg_sorted(agg, &n);
    entries es = of_metric(all, n, PP_SERVE_JOIN[an].metrics[0]);
    switch (an) {
    case PP_JA_TOP_CATEGORY_BY_COUNTRY:
    case PP_JA_TOP_USER_BY_COUNTRY: argmax(out, &es); break;
    case PP_JA_MEDIAN_FOLLOWERS_BY_AGE_GROUP:
    case PP_JA_MEDIAN_FOLLOWERS_BY_JOIN_YEAR: medians(out, &es); break;
    case PP_JA_USERS_BY_JOIN_YEAR: years(out, &es); break;
    case PP_JA_POSTS_BY_AGE_GROUP_CATEGORY: pairs(out, &es); break;
    case PP_JA_JOIN_QUALITY: join_quality(out, all, n); break;
    case PP_JA_COUNT: break;
    }
    free(all);
}

void pp_serve_join_cell_json(const pp_serve_join_table *t, const pp_serve_join_cell *c, pp_strbuf *out) {
    switch (c->type) {
    case PP_JC_NULL: pp_sb_puts(out, "null"); break;
    case PP_JC_TEXT: pp_sb_json_str(out, t->text.data + c->off, c->len); break;
    case PP_JC_INT: pp_sb_put_i64(out, c->v); break;
    case PP_JC_HALVES:
        /* exact: an integer or a half (the mean of two integers) */
        if (c->v == -1) pp_sb_putc(out, '-'); /* -0.5: v / 2 is 0 */
        pp_sb_put_i64(out, c->v / 2);
        if (c->v % 2) pp_sb_puts(out, ".5");
        break;
    }
}

void pp_serve_join_cell_csv(const pp_serve_join_table *t, const pp_serve_join_cell *c, pp_strbuf *out) {
    if (c->type == PP_JC_TEXT)
        pp_sb_csv_field(out, t->text.data + c->off, c->len);
    else if (c->type != PP_JC_NULL)
        pp_serve_join_cell_json(t, c, out);
}
