#include "clean/side_rules.h"

#include <math.h>
#include <string.h>

#include "common/arena.h"

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

/* Trims s in place (it lives in the record's arena); returns the trimmed start. */
static char *trim(char *s) {
    size_t n = strlen(s), start = 0;
    while (start < n && is_space(s[start])) start++;
    while (n > start && is_space(s[n - 1])) n--;
    s[n] = '\0';
    return s + start;
}

pp_rule_result pp_rule_geo_country(pp_geo *g, const char **reason) {
    (void)reason;
    static const char *const PLACEHOLDERS[] = {"", "Unknown", "N/A", NULL};
    if (!g->country) return PP_RULE_UNCHANGED;
    char *t = trim(g->country);
    pp_rule_result r = t != g->country || strlen(t) != strlen(g->country) ? PP_RULE_CHANGED : PP_RULE_UNCHANGED;
    g->country = t;
    for (const char *const *p = PLACEHOLDERS; *p; p++)
        if (strcmp(t, *p) == 0) {
            g->country = NULL;
            g->nulled |= 1u << PP_GEO_COUNTRY;
            return PP_RULE_CHANGED;
        }
    return r;
}

static int in_range(double v, double bound) { return isfinite(v) && v >= -bound && v <= bound; }

pp_rule_result pp_rule_geo_coordinates(pp_geo *g, const char **reason) {
    (void)reason;
    int lat_ok = g->has_latitude && in_range(g->latitude, 90.0);
    int lon_ok = g->has_longitude && in_range(g->longitude, 180.0);
    if (g->has_latitude && !lat_ok) g->nulled |= 1u << PP_GEO_LATITUDE, g->invalid |= 1u << PP_GEO_LATITUDE;
    if (g->has_longitude && !lon_ok) g->nulled |= 1u << PP_GEO_LONGITUDE, g->invalid |= 1u << PP_GEO_LONGITUDE;
    g->has_coordinates = lat_ok && lon_ok;
    return PP_RULE_CHANGED; /* the raw pair becomes the coordinates column */
}

pp_rule_result pp_rule_geo_coordinates_placeholder(pp_geo *g, const char **reason) {
    (void)reason;
    if (!g->has_coordinates || g->latitude != 0.0 || g->longitude != 0.0) return PP_RULE_UNCHANGED;
    g->has_coordinates = 0;
    g->nulled |= 1u << PP_GEO_LATITUDE | 1u << PP_GEO_LONGITUDE;
    return PP_RULE_CHANGED;
}

pp_rule_result pp_rule_geo_key_length(pp_geo *g, const char **reason) {
    if (!g->country || !pp_key_too_long(g->country)) return PP_RULE_UNCHANGED;
    *reason = "key_too_long";
    return PP_RULE_REJECT;
}

pp_rule_result pp_rule_user_name(pp_user *u, const char **reason) {
    (void)reason;
    char *first = u->first_name ? trim(u->first_name) : NULL, *last = u->last_name ? trim(u->last_name) : NULL;
    if (first && !*first) first = NULL, u->nulled |= 1u << PP_USER_FIRST_NAME;
    if (last && !*last) last = NULL, u->nulled |= 1u << PP_USER_LAST_NAME;
    size_t nf = first ? strlen(first) : 0, nl = last ? strlen(last) : 0;
    u->user_name = NULL;
    if (first || last) {
        u->user_name = pp_arena_alloc(&u->arena, nf + nl + 2);
        char *w = u->user_name;
        if (first) memcpy(w, first, nf), w += nf;
        if (first && last) *w++ = ' ';
        if (last) memcpy(w, last, nl), w += nl;
        *w = '\0';
    }
    return PP_RULE_CHANGED; /* first and last name become user_name */
}

pp_rule_result pp_rule_user_age_range(pp_user *u, const char **reason) {
    (void)reason;
    if (!u->has_age || (u->age >= 0 && u->age <= 120)) return PP_RULE_UNCHANGED;
    u->has_age = 0;
    u->nulled |= 1u << PP_USER_AGE;
    u->invalid |= 1u << PP_USER_AGE;
    return PP_RULE_CHANGED;
}

pp_rule_result pp_rule_user_date_joined(pp_user *u, const char **reason) {
    (void)reason;
    if (!u->has_date_joined || u->date_joined_ms <= u->event_time_ms) return PP_RULE_UNCHANGED;
    u->has_date_joined = 0;
    u->nulled |= 1u << PP_USER_DATE_JOINED;
    u->invalid |= 1u << PP_USER_DATE_JOINED;
    return PP_RULE_CHANGED;
}

pp_rule_result pp_rule_user_key_length(pp_user *u, const char **reason) {
    if (!u->user_name || !pp_key_too_long(u->user_name)) return PP_RULE_UNCHANGED;
    *reason = "key_too_long";
    return PP_RULE_REJECT;
}
