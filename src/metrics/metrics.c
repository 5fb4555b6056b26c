#include "metrics/metrics.h"

#include <stdio.h>
#include <string.h>

#include "event/kind_event.h"

const pp_metric_def PP_METRICS[PP_M_COUNT] = {
    [PP_M_PINS_TOTAL] = {"pins_total", PP_AGG_COUNT, "\"all\"", "distinct pins (event day, unique_id)"},
    [PP_M_PINS_BY_CATEGORY] = {"pins_by_category", PP_AGG_COUNT, "category", "distinct pins per category"},
    [PP_M_PINS_BY_MEDIA_TYPE] = {"pins_by_media_type", PP_AGG_COUNT, "image|video", "distinct pins per media type"},
    [PP_M_PINS_BY_TAG] = {"pins_by_tag", PP_AGG_COUNT, "tag", "distinct pins carrying each tag"},
    [PP_M_PINS_BY_POSTER] = {"pins_by_poster", PP_AGG_COUNT, "poster_name", "distinct pins per poster"},
    [PP_M_MAX_FOLLOWERS_BY_POSTER] = {"max_followers_by_poster", PP_AGG_MAX, "poster_name",
                                      "largest follower_count seen for a poster"},
    [PP_M_FOLLOWERS_SUM_BY_CATEGORY] = {"followers_sum_by_category", PP_AGG_SUM, "category",
                                        "sum of follower_count over a category's pins"},
    [PP_M_NULLED_VALUES] = {"nulled_values", PP_AGG_COUNT, "field", "values cleaning turned into null"},
    [PP_M_INVALID_VALUES] = {"invalid_values", PP_AGG_COUNT, "field",
                             "values that could not be converted (a subset of nulled_values)"},
    [PP_M_REJECTED_EVENTS] = {"rejected_events", PP_AGG_COUNT, "reason",
                              "events rejected, per reason (geo.REASON and user.REASON for those kinds)"},
    [PP_M_RECORDS_BY_KIND] = {"records_by_kind", PP_AGG_COUNT, "geo|user",
                              "distinct geo and user events (event day, ind)"},
    [PP_M_USERS_BY_JOIN_YEAR] = {"users_by_join_year", PP_AGG_COUNT, "year",
                                 "distinct user events per year of date_joined"},
    [PP_M_POSTS_JOINED] = {"posts_joined", PP_AGG_COUNT, "\"all\"", "joined records: a pin with its geo and user"},
    [PP_M_POSTS_BY_COUNTRY_CATEGORY] = {"posts_by_country_category", PP_AGG_COUNT, "[country,category]",
                                        "joined records per country and category"},
    [PP_M_MAX_FOLLOWERS_BY_COUNTRY_USER] = {"max_followers_by_country_user", PP_AGG_MAX, "[country,user_name]",
                                            "largest follower_count of a user's joined records in a country"},
    [PP_M_FOLLOWERS_BY_AGE_GROUP] = {"followers_by_age_group", PP_AGG_COUNT, "[age_group,follower_count]",
                                     "joined records per age group and follower_count (exact medians)"},
    [PP_M_FOLLOWERS_BY_JOIN_YEAR] = {"followers_by_join_year", PP_AGG_COUNT, "[join_year,follower_count]",
                                     "joined records per join year and follower_count (exact medians)"},
    [PP_M_POSTS_BY_AGE_GROUP_CATEGORY] = {"posts_by_age_group_category", PP_AGG_COUNT, "[age_group,category]",
                                          "joined records per age group and category"},
    [PP_M_JOIN_UNMATCHED] = {"join_unmatched", PP_AGG_SUM, "geo|user",
                             "sides in no joined record (falls when a late partner arrives)"},
};

const char *pp_agg_kind_name(pp_agg_kind k) { return k == PP_AGG_COUNT ? "count" : k == PP_AGG_SUM ? "sum" : "max"; }

int pp_metric_find(const char *name) {
    for (int i = 0; i < PP_M_COUNT; i++)
        if (strcmp(PP_METRICS[i].name, name) == 0) return i;
    return -1;
}

int64_t pp_agg_merge_values(pp_agg_kind kind, int64_t a, int64_t b) {
    if (kind == PP_AGG_MAX) return a > b ? a : b;
    return a + b;
}

static void emit_str(pp_metric_emit_fn emit, void *ctx, pp_metric_id m, const pp_pin *pin, const char *key, int64_t v) {
    if (!key) key = PP_KEY_NULL;
    emit(ctx, m, pin->event_day, key, strlen(key), v);
}

/* Field names in data-quality keys are the cleaned names (index is `ind`). */
static const char *dq_field_name(int f) { return f == PP_F_INDEX ? "ind" : PP_FIELDS[f].name; }

void pp_metrics_of_pin(const pp_pin *pin, pp_metric_emit_fn emit, void *ctx) {
    const char *category = pin->text[PP_F_CATEGORY], *poster = pin->text[PP_F_POSTER_NAME];
    emit_str(emit, ctx, PP_M_PINS_TOTAL, pin, "all", 1);
    emit_str(emit, ctx, PP_M_PINS_BY_CATEGORY, pin, category, 1);
    emit_str(emit, ctx, PP_M_PINS_BY_MEDIA_TYPE, pin, pp_media_name(pin->media), 1);
    for (size_t i = 0; i < pin->n_tags; i++) emit_str(emit, ctx, PP_M_PINS_BY_TAG, pin, pin->tags[i], 1);
    if (poster) {
        emit_str(emit, ctx, PP_M_PINS_BY_POSTER, pin, poster, 1);
        if (pin->has_follower_count)
            emit_str(emit, ctx, PP_M_MAX_FOLLOWERS_BY_POSTER, pin, poster, pin->follower_count);
    }
    if (pin->has_follower_count)
        emit_str(emit, ctx, PP_M_FOLLOWERS_SUM_BY_CATEGORY, pin, category, pin->follower_count);
    for (int f = 0; f < PP_F_COUNT; f++) {
        if (pin->nulled & (1u << f)) emit_str(emit, ctx, PP_M_NULLED_VALUES, pin, dq_field_name(f), 1);
        if (pin->invalid & (1u << f)) emit_str(emit, ctx, PP_M_INVALID_VALUES, pin, dq_field_name(f), 1);
    }
}

/* KIND.NAME: the data-quality key of a geo or user field or reject reason. */
static void emit_kind_key(pp_metric_emit_fn emit, void *ctx, pp_metric_id m, const char *day, pp_kind kind,
                          const char *name) {
    char key[96];
    int n = snprintf(key, sizeof key, "%s.%s", pp_kind_name(kind), name);
    emit(ctx, m, day, key, (size_t)n < sizeof key ? (size_t)n : sizeof key - 1, 1);
}

static void emit_side_quality(pp_metric_emit_fn emit, void *ctx, pp_kind kind, const char *day, uint32_t nulled,
                              uint32_t invalid) {
    for (int f = 0; f < PP_KIND_FIELDS_MAX; f++) {
        if (nulled & (1u << f)) emit_kind_key(emit, ctx, PP_M_NULLED_VALUES, day, kind, pp_kind_field_name(kind, f));
        if (invalid & (1u << f)) emit_kind_key(emit, ctx, PP_M_INVALID_VALUES, day, kind, pp_kind_field_name(kind, f));
    }
}

void pp_metrics_of_geo(const pp_geo *g, pp_metric_emit_fn emit, void *ctx) {
    emit(ctx, PP_M_RECORDS_BY_KIND, g->event_day, "geo", 3, 1);
    emit_side_quality(emit, ctx, PP_KIND_GEO, g->event_day, g->nulled, g->invalid);
}

void pp_metrics_of_user(const pp_user *u, pp_metric_emit_fn emit, void *ctx) {
    emit(ctx, PP_M_RECORDS_BY_KIND, u->event_day, "user", 4, 1);
    char year[16];
    int year_of = pp_user_join_year(u);
    if (year_of < 0)
        snprintf(year, sizeof year, "%s", PP_KEY_NULL);
    else
        snprintf(year, sizeof year, "%d", year_of);
    emit(ctx, PP_M_USERS_BY_JOIN_YEAR, u->event_day, year, strlen(year), 1);
    emit_side_quality(emit, ctx, PP_KIND_USER, u->event_day, u->nulled, u->invalid);
}

void pp_metrics_of_reject(const pp_reject *rej, pp_metric_emit_fn emit, void *ctx) {
    const char *day = rej->day[0] ? rej->day : PP_DAY_UNKNOWN;
    if (rej->kind != PP_KIND_PIN) {
        emit_kind_key(emit, ctx, PP_M_REJECTED_EVENTS, day, rej->kind, rej->reason);
        return;
    }
    emit(ctx, PP_M_REJECTED_EVENTS, day, rej->reason, strlen(rej->reason), 1);
}
