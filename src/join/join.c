#include "join/join.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/mem.h"
#include "common/strbuf.h"

static char *dup_or_null(const char *s) { return s ? pp_xstrdup(s) : NULL; }

void pp_join_post_init(pp_join_post *p, const char *day, int64_t ind) {
    memset(p, 0, sizeof *p);
    snprintf(p->day, sizeof p->day, "%s", day);
    p->ind = ind;
    p->join_year = -1;
}

void pp_join_post_free(pp_join_post *p) {
    free(p->country);
    free(p->user_name);
    for (size_t i = 0; i < p->n_pins; i++) {
        free(p->pins[i].unique_id);
        free(p->pins[i].category);
    }
    free(p->pins);
    char day[sizeof p->day];
    memcpy(day, p->day, sizeof day);
    pp_join_post_init(p, day, p->ind);
}

void pp_join_post_copy(pp_join_post *dst, const pp_join_post *src) {
    pp_join_post_init(dst, src->day, src->ind);
    if (src->has_geo) pp_join_post_set_geo(dst, src->country);
    if (src->has_user) pp_join_post_set_user(dst, src->user_name, src->has_age, src->age, src->join_year);
    for (size_t i = 0; i < src->n_pins; i++) {
        const pp_join_pin *q = &src->pins[i];
        pp_join_post_add_pin(dst, q->unique_id, q->category, q->has_follower_count, q->follower_count);
    }
}

int pp_join_post_set_geo(pp_join_post *p, const char *country) {
    if (p->has_geo) return 0;
    p->has_geo = 1;
    p->country = dup_or_null(country);
    return 1;
}

int pp_join_post_set_user(pp_join_post *p, const char *user_name, int has_age, int64_t age, int join_year) {
    if (p->has_user) return 0;
    p->has_user = 1;
    p->user_name = dup_or_null(user_name);
    p->has_age = has_age;
    p->age = age;
    p->join_year = join_year;
    return 1;
}

int pp_join_post_add_pin(pp_join_post *p, const char *unique_id, const char *category, int has_follower_count,
                         int64_t follower_count) {
    for (size_t i = 0; i < p->n_pins; i++)
        if (strcmp(p->pins[i].unique_id, unique_id) == 0) return 0;
    if (p->n_pins == p->cap_pins) {
        p->cap_pins = p->cap_pins ? 2 * p->cap_pins : 2;
        p->pins = pp_xrealloc(p->pins, p->cap_pins * sizeof *p->pins);
    }
    p->pins[p->n_pins++] = (pp_join_pin){pp_xstrdup(unique_id), dup_or_null(category), has_follower_count,
                                         has_follower_count ? follower_count : 0};
    return 1;
}

int pp_join_post_add_geo_side(pp_join_post *p, const pp_geo *g) { return pp_join_post_set_geo(p, g->country); }

int pp_join_post_add_user_side(pp_join_post *p, const pp_user *u) {
    return pp_join_post_set_user(p, u->user_name, u->has_age, u->age, pp_user_join_year(u));
}

int pp_join_post_add_pin_side(pp_join_post *p, const pp_pin *pin) {
    return pp_join_post_add_pin(p, pin->text[PP_F_UNIQUE_ID], pin->text[PP_F_CATEGORY], pin->has_follower_count,
                                pin->follower_count);
}

const char *pp_join_age_group(int64_t age) {
    if (age < 18) return "0-17";
    if (age <= 24) return "18-24";
    if (age <= 35) return "25-35";
    if (age <= 50) return "36-50";
    return "50+";
}

int pp_join_requires_geo(void) {
    static int cached = -1; /* read once: a test switch, not a setting */
    if (cached < 0) {
        const char *off = getenv("PINPIPE_DISABLE_JOIN_RULES");
        cached = !(off && strstr(off, "join_requires_geo"));
        if (!cached) PP_WARN("join", "TEST SWITCH: join rule 'join_requires_geo' is disabled in this process");
    }
    return cached;
}

/* ---- the metrics of a post -------------------------------------------------- */

/* A key that is a JSON array of two members: text (NULL = null) or an integer. */
static void key2(pp_strbuf *k, const char *a_text, int64_t a_int, int a_is_int, const char *b_text, int64_t b_int,
                 int b_is_int) {
    pp_sb_reset(k);
    pp_sb_putc(k, '[');
    if (a_is_int)
        pp_sb_put_i64(k, a_int);
    else
        pp_sb_json_cstr(k, a_text);
    pp_sb_putc(k, ',');
    if (b_is_int)
        pp_sb_put_i64(k, b_int);
    else
        pp_sb_json_cstr(k, b_text);
    pp_sb_putc(k, ']');
}

static void emit_key(pp_metric_emit_fn emit, void *ctx, pp_metric_id m, const pp_join_post *p, const pp_strbuf *k,
                     int64_t v) {
    emit(ctx, m, p->day, k->data, k->len, v);
}

/* One joined record: pin q with the post's geo and user. */
static void emit_joined(const pp_join_post *p, const pp_join_pin *q, pp_strbuf *k, pp_metric_emit_fn emit, void *ctx) {
    const char *age_group = p->has_age ? pp_join_age_group(p->age) : NULL;
    emit(ctx, PP_M_POSTS_JOINED, p->day, "all", 3, 1);
    key2(k, p->country, 0, 0, q->category, 0, 0);
    emit_key(emit, ctx, PP_M_POSTS_BY_COUNTRY_CATEGORY, p, k, 1);
    key2(k, age_group, 0, 0, q->category, 0, 0);
    emit_key(emit, ctx, PP_M_POSTS_BY_AGE_GROUP_CATEGORY, p, k, 1);
    if (!q->has_follower_count) return;
    key2(k, p->country, 0, 0, p->user_name, 0, 0);
    emit_key(emit, ctx, PP_M_MAX_FOLLOWERS_BY_COUNTRY_USER, p, k, q->follower_count);
    key2(k, age_group, 0, 0, NULL, q->follower_count, 1);
    emit_key(emit, ctx, PP_M_FOLLOWERS_BY_AGE_GROUP, p, k, 1);
    key2(k, NULL, p->join_year, p->join_year >= 0, NULL, q->follower_count, 1);
    emit_key(emit, ctx, PP_M_FOLLOWERS_BY_JOIN_YEAR, p, k, 1);
}

void pp_join_post_metrics(const pp_join_post *p, pp_metric_emit_fn emit, void *ctx) {
    int joins = p->has_user && (p->has_geo || !pp_join_requires_geo()) && p->n_pins > 0;
    if (!joins) {
        if (p->has_geo) emit(ctx, PP_M_JOIN_UNMATCHED, p->day, "geo", 3, 1);
        if (p->has_user) emit(ctx, PP_M_JOIN_UNMATCHED, p->day, "user", 4, 1);
        return; /* unmatched pins are pins_total - posts_joined: a pin-only post emits nothing */
    }
    pp_strbuf k;
    pp_sb_init(&k);
    for (size_t i = 0; i < p->n_pins; i++) emit_joined(p, &p->pins[i], &k, emit, ctx);
    pp_sb_free(&k);
}

/* ---- the change between two states of a post --------------------------------- */

typedef struct {
    pp_metric_id metric;
    char *key;
    size_t keylen;
    int64_t value;
} delta_entry;

typedef struct {
    delta_entry *e;
    size_t n, cap;
    int sign; /* +1 for after, -1 for before */
} delta_list;

static void collect(void *ctx, pp_metric_id metric, const char *day, const char *key, size_t keylen, int64_t value) {
    (void)day; /* one post: one day */
    delta_list *d = ctx;
    if (d->sign < 0 && PP_METRICS[metric].kind == PP_AGG_MAX) return; /* a max never falls */
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 16;
        d->e = pp_xrealloc(d->e, d->cap * sizeof *d->e);
    }
    char *copy = pp_xmalloc(keylen + 1);
    memcpy(copy, key, keylen);
    copy[keylen] = '\0';
    d->e[d->n++] = (delta_entry){metric, copy, keylen, d->sign * value};
}

static int cmp_delta(const void *a, const void *b) {
    const delta_entry *x = a, *y = b;
    if (x->metric != y->metric) return x->metric < y->metric ? -1 : 1;
    size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
    int c = memcmp(x->key, y->key, n);
    if (c) return c;
    return (x->keylen > y->keylen) - (x->keylen < y->keylen);
}

void pp_join_post_delta(const pp_join_post *before, const pp_join_post *after, pp_metric_emit_fn emit, void *ctx) {
    delta_list d = {0};
    d.sign = 1;
    pp_join_post_metrics(after, collect, &d);
    d.sign = -1;
    pp_join_post_metrics(before, collect, &d);
    if (d.n) qsort(d.e, d.n, sizeof *d.e, cmp_delta); /* d.e is NULL when empty */
    for (size_t i = 0; i < d.n;) {
        size_t j = i + 1;
        int64_t v = d.e[i].value;
        for (; j < d.n && cmp_delta(&d.e[i], &d.e[j]) == 0; j++)
            v = pp_agg_merge_values(PP_METRICS[d.e[i].metric].kind, v, d.e[j].value);
        if (v != 0 || PP_METRICS[d.e[i].metric].kind == PP_AGG_MAX)
            emit(ctx, d.e[i].metric, after->day, d.e[i].key, d.e[i].keylen, v);
        i = j;
    }
    for (size_t i = 0; i < d.n; i++) free(d.e[i].key);
    free(d.e);
}
