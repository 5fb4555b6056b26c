#include "common/mem.h"
#include "join_truth.h"

#include <stdlib.h>
#include <string.h>

#include "people.h"
#include "words.h"

#define NULL_NAME UINT32_MAX
#define N_GROUPS 6 /* the five age groups, then null */
#define NULL_COUNTRY PP_N_COUNTRIES

typedef struct {
    int64_t ind;
    uint8_t used, has_pin, has_geo, has_user, category, has_fc, has_age;
    uint8_t country; /* NULL_COUNTRY = null */
    int32_t join_year;
    uint32_t name;
    int64_t fc, age;
} post;

typedef struct {
    uint32_t day;
    post *tab;
    size_t cap, n;
} open_day;

struct pp_join_truth {
    uint32_t days;
    json_t **summary; /* per day, NULL until closed */
    open_day *open;
    size_t n_open;
    char **names; /* interned user names */
    uint32_t n_names, cap_names;
    uint32_t *name_tab; /* hash of name ids (+1), 0 = empty */
    size_t name_cap;
};

static const char *const GROUPS[N_GROUPS] = {"0-17", "18-24", "25-35", "36-50", "50+", "(null)"};

const char *pp_join_truth_age_group(int64_t age) {
    return age <= 17 ? GROUPS[0] : age <= 24 ? GROUPS[1] : age <= 35 ? GROUPS[2] : age <= 50 ? GROUPS[3] : GROUPS[4];
}
static unsigned group_of(int64_t age) { return age <= 17 ? 0u : age <= 24 ? 1u : age <= 35 ? 2u : age <= 50 ? 3u : 4u; }

pp_join_truth *pp_join_truth_create(uint32_t days) {
    pp_join_truth *jt = pp_xcalloc(1, sizeof *jt);
    jt->days = days;
    jt->summary = pp_xcalloc(days, sizeof *jt->summary);
    jt->name_cap = 1024;
    jt->name_tab = pp_xcalloc(jt->name_cap, sizeof *jt->name_tab);
    return jt;
}

void pp_join_truth_destroy(pp_join_truth *jt) {
    if (!jt) return;
    for (uint32_t d = 0; d < jt->days; d++) json_decref(jt->summary[d]);
    for (size_t i = 0; i < jt->n_open; i++) free(jt->open[i].tab);
    for (uint32_t i = 0; i < jt->n_names; i++) free(jt->names[i]);
    free(jt->summary);
    free(jt->open);
    free(jt->names);
    free(jt->name_tab);
    free(jt);
}

static uint64_t hash_str(const char *s) {
    uint64_t h = UINT64_C(1469598103934665603);
    for (; *s; s++) h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return h;
}

static uint32_t intern(pp_join_truth *jt, const char *s) {
    if (jt->n_names * 2 >= jt->name_cap) { /* grow and rehash */
        size_t cap = jt->name_cap * 2;
        uint32_t *tab = pp_xcalloc(cap, sizeof *tab);
        for (uint32_t i = 0; i < jt->n_names; i++) {
            size_t k = hash_str(jt->names[i]) & (cap - 1);
            while (tab[k]) k = (k + 1) & (cap - 1);
            tab[k] = i + 1;
        }
        free(jt->name_tab);
        jt->name_tab = tab;
        jt->name_cap = cap;
    }
    size_t k = hash_str(s) & (jt->name_cap - 1);
    for (; jt->name_tab[k]; k = (k + 1) & (jt->name_cap - 1))
        if (!strcmp(jt->names[jt->name_tab[k] - 1], s)) return jt->name_tab[k] - 1;
    if (jt->n_names == jt->cap_names) {
        jt->cap_names = jt->cap_names ? jt->cap_names * 2 : 256;
        jt->names = pp_xrealloc(jt->names, jt->cap_names * sizeof *jt->names);
    }
    jt->names[jt->n_names] = pp_xstrdup(s);
    jt->name_tab[k] = jt->n_names + 1;
    return jt->n_names++;
}

static size_t slot_of(const open_day *od, int64_t ind) {
    size_t k = (size_t)((uint64_t)ind * UINT64_C(0x9E3779B97F4A7C15) >> 20) & (od->cap - 1);
    while (od->tab[k].used && od->tab[k].ind != ind) k = (k + 1) & (od->cap - 1);
    return k;
}

static post *find_post(open_day *od, int64_t ind) {
    if ((od->n + 1) * 2 > od->cap) { /* grow and rehash */
        open_day bigger = {od->day, pp_xcalloc(od->cap * 2, sizeof *od->tab), od->cap * 2, od->n};
        for (size_t i = 0; i < od->cap; i++)
            if (od->tab[i].used) bigger.tab[slot_of(&bigger, od->tab[i].ind)] = od->tab[i];
        free(od->tab);
        *od = bigger;
    }
    post *p = &od->tab[slot_of(od, ind)];
    if (!p->used) {
        memset(p, 0, sizeof *p);
        p->used = 1;
        p->ind = ind;
        od->n++;
    }
    return p;
}

static open_day *open_of(pp_join_truth *jt, uint32_t day) {
    for (size_t i = 0; i < jt->n_open; i++)
        if (jt->open[i].day == day) return &jt->open[i];
    jt->open = pp_xrealloc(jt->open, (jt->n_open + 1) * sizeof *jt->open);
    open_day *od = &jt->open[jt->n_open++];
    od->day = day;
    od->cap = 1024;
    od->n = 0;
    od->tab = pp_xcalloc(od->cap, sizeof *od->tab);
    return od;
}

void pp_join_truth_add(pp_join_truth *jt, const pp_emu_out *o) {
    if (!o->valid || o->day >= jt->days || jt->summary[o->day]) return;
    post *p = find_post(open_of(jt, o->day), o->ind);
    if (o->kind == PP_KIND_PIN) {
        if (p->has_pin) return; /* the same pin again: first occurrence wins */
        const pp_pin_meta *m = o->pin->pin;
        p->has_pin = 1;
        p->category = (uint8_t)m->category;
        /* the pin's cleaning turns these formats into integers; the rest into null */
        p->has_fc = m->fc_kind == PP_FC_PLAIN || m->fc_kind == PP_FC_K || m->fc_kind == PP_FC_M ||
            m->fc_kind == PP_FC_DECIMAL || m->fc_kind == PP_FC_THOUSANDS;
        p->fc = (int64_t)m->followers;
    } else if (o->kind == PP_KIND_GEO) {
        if (p->has_geo) return;
        p->has_geo = 1;
        p->country = (uint8_t)(o->side->country < 0 ? NULL_COUNTRY : o->side->country);
    } else {
        if (p->has_user) return;
        p->has_user = 1;
        p->name = o->side->has_user_name ? intern(jt, o->side->user_name) : NULL_NAME;
        p->has_age = (uint8_t)o->side->has_age;
        p->age = o->side->age;
        p->join_year = o->side->join_year;
    }
}

/* ---- a day's summary ---- */

typedef struct {
    int64_t *v;
    size_t n, cap;
} values;

static void push(values *a, int64_t x) {
    if (a->n == a->cap) a->v = pp_xrealloc(a->v, (a->cap = a->cap ? a->cap * 2 : 64) * sizeof *a->v);
    a->v[a->n++] = x;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Join years: a small list (year, users, follower values), -1 = null. */
typedef struct {
    int32_t year;
    uint64_t users;
    values fc;
} year_row;

typedef struct {
    year_row *rows;
    size_t n;
} years;

static year_row *year_of(years *y, int32_t year) {
    for (size_t i = 0; i < y->n; i++)
        if (y->rows[i].year == year) return &y->rows[i];
    y->rows = pp_xrealloc(y->rows, (y->n + 1) * sizeof *y->rows);
    year_row *r = &y->rows[y->n++];
    memset(r, 0, sizeof *r);
    r->year = year;
    return r;
}

static int cmp_year(const void *a, const void *b) {
    /* numeric order, null last */
    int32_t x = ((const year_row *)a)->year, y = ((const year_row *)b)->year;
    if (x < 0 || y < 0) return (x < 0) - (y < 0);
    return (x > y) - (x < y);
}

static json_t *u(uint64_t v) { return json_integer((json_int_t)v); }

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

/* The metric key ["a","b"] (JSON array text, null as null). */
static void set_pair(json_t *obj, const char *a, const char *b, json_t *value) {
    json_t *arr = json_array();
    json_array_append_new(arr, str_or_null(a));
    json_array_append_new(arr, str_or_null(b));
    char *k = json_dumps(arr, JSON_COMPACT);
    json_object_set_new(obj, k, value);
    free(k);
    json_decref(arr);
}

static json_t *median(values *a) {
    qsort(a->v, a->n, sizeof *a->v, cmp_i64);
    json_t *m = json_object();
    json_object_set_new(m, "records", u(a->n));
    json_object_set_new(m, "median_low", json_integer(a->v[(a->n - 1) / 2]));
    json_object_set_new(m, "median_high", json_integer(a->v[a->n / 2]));
    return m;
}

static const char *country_name(unsigned c) { return c == NULL_COUNTRY ? NULL : pp_countries[c].name; }

static json_t *summarise(pp_join_truth *jt, const open_day *od) {
    uint64_t geo = 0, user = 0, joined = 0, unmatched[3] = {0, 0, 0};
    uint64_t by_cc[PP_N_COUNTRIES + 1][PP_N_CATEGORIES], by_gc[N_GROUPS][PP_N_CATEGORIES];
    struct {
        int has;
        int64_t fc;
        uint32_t name;
    } best[PP_N_COUNTRIES + 1];
    values by_group[N_GROUPS];
    years ys = {NULL, 0};
    memset(by_cc, 0, sizeof by_cc);
    memset(by_gc, 0, sizeof by_gc);
    memset(best, 0, sizeof best);
    memset(by_group, 0, sizeof by_group);

    for (size_t i = 0; od && i < od->cap; i++) {
        const post *p = &od->tab[i];
        if (!p->used) continue;
        geo += p->has_geo;
        user += p->has_user;
        if (p->has_user) year_of(&ys, p->join_year)->users++;
        if (!(p->has_pin && p->has_geo && p->has_user)) {
            unmatched[0] += p->has_pin, unmatched[1] += p->has_geo, unmatched[2] += p->has_user;
            continue;
        }
        joined++;
        unsigned g = p->has_age ? group_of(p->age) : N_GROUPS - 1;
        by_cc[p->country][p->category]++;
        by_gc[g][p->category]++;
        if (!p->has_fc) continue;
        push(&by_group[g], p->fc);
        push(&year_of(&ys, p->join_year)->fc, p->fc);
        /* most followers per country; a tie goes to the smaller name, null first */
        int better = !best[p->country].has || p->fc > best[p->country].fc;
        if (!better && p->fc == best[p->country].fc)
            better = p->name != best[p->country].name &&
                (p->name == NULL_NAME ||
                 (best[p->country].name != NULL_NAME &&
                  strcmp(jt->names[p->name], jt->names[best[p->country].name]) < 0));
        if (better) best[p->country].has = 1, best[p->country].fc = p->fc, best[p->country].name = p->name;
    }
    if (ys.n) qsort(ys.rows, ys.n, sizeof *ys.rows, cmp_year); /* NULL with none: qsort wants an array */

    json_t *o = json_object(), *t;
    t = json_object();
    json_object_set_new(t, "geo", u(geo));
    json_object_set_new(t, "user", u(user));
    json_object_set_new(o, "records_by_kind", t);
    t = json_object();
    char yk[16];
    for (size_t i = 0; i < ys.n; i++) {
        if (!ys.rows[i].users) continue;
        snprintf(yk, sizeof yk, "%d", (int)ys.rows[i].year);
        json_object_set_new(t, ys.rows[i].year < 0 ? "(null)" : yk, u(ys.rows[i].users));
    }
    json_object_set_new(o, "users_by_join_year", t);
    json_object_set_new(o, "posts_joined", u(joined));
    t = json_object();
    json_object_set_new(t, "pin", u(unmatched[0]));
    json_object_set_new(t, "geo", u(unmatched[1]));
    json_object_set_new(t, "user", u(unmatched[2]));
    json_object_set_new(o, "join_unmatched", t);
    t = json_object();
    for (unsigned c = 0; c <= PP_N_COUNTRIES; c++)
        for (unsigned k = 0; k < PP_N_CATEGORIES; k++)
            if (by_cc[c][k]) set_pair(t, country_name(c), pp_words_categories[k].name, u(by_cc[c][k]));
    json_object_set_new(o, "posts_by_country_category", t);
    t = json_object();
    for (unsigned c = 0; c <= PP_N_COUNTRIES; c++)
        if (best[c].has)
            set_pair(t, country_name(c), best[c].name == NULL_NAME ? NULL : jt->names[best[c].name],
                     json_integer(best[c].fc));
    json_object_set_new(o, "max_followers_by_country_user", t);
    t = json_object();
    for (unsigned g = 0; g < N_GROUPS; g++)
        if (by_group[g].n) json_object_set_new(t, GROUPS[g], median(&by_group[g]));
    json_object_set_new(o, "median_followers_by_age_group", t);
    t = json_object();
    for (size_t i = 0; i < ys.n; i++) {
        if (!ys.rows[i].fc.n) continue;
        snprintf(yk, sizeof yk, "%d", (int)ys.rows[i].year);
        json_object_set_new(t, ys.rows[i].year < 0 ? "(null)" : yk, median(&ys.rows[i].fc));
    }
    json_object_set_new(o, "median_followers_by_join_year", t);
    t = json_object();
    for (unsigned g = 0; g < N_GROUPS; g++)
        for (unsigned k = 0; k < PP_N_CATEGORIES; k++)
            if (by_gc[g][k])
                set_pair(t, g == N_GROUPS - 1 ? NULL : GROUPS[g], pp_words_categories[k].name, u(by_gc[g][k]));
    json_object_set_new(o, "posts_by_age_group_category", t);

    for (unsigned g = 0; g < N_GROUPS; g++) free(by_group[g].v);
    for (size_t i = 0; i < ys.n; i++) free(ys.rows[i].fc.v);
    free(ys.rows);
    return o;
}

void pp_join_truth_close_before(pp_join_truth *jt, uint32_t day) {
    for (size_t i = 0; i < jt->n_open;) {
        open_day *od = &jt->open[i];
        if (od->day >= day) {
            i++;
            continue;
        }
        jt->summary[od->day] = summarise(jt, od);
        free(od->tab);
        *od = jt->open[--jt->n_open];
    }
}

json_t *pp_join_truth_day(pp_join_truth *jt, uint32_t d) {
    pp_join_truth_close_before(jt, UINT32_MAX);
    if (!jt->summary[d]) jt->summary[d] = summarise(jt, NULL); /* a day without events */
    return json_incref(jt->summary[d]);
}
