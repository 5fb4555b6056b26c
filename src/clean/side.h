/* side — the cleaned geo and user events: the other two sides of a post
 * (docs/joins.md). The pin is pin.h.
 *
 *   geo:  ind bigint, country text?, coordinates [latitude, longitude]?,
 *         event_time timestamp (UTC), event_day date
 *   user: ind bigint, user_name text?, age int?, date_joined timestamp?,
 *         event_time timestamp (UTC), event_day date               (? = may be null)
 *
 * Ownership: strings live in the record's arena; pp_geo_clear / pp_user_clear free
 * it and leave an empty record that can be reused.
 */
#ifndef PINPIPE_CLEAN_SIDE_H
#define PINPIPE_CLEAN_SIDE_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/strbuf.h"
#include "event/kind_event.h"

typedef struct {
    int64_t ind;
    char *country; /* NULL = null */
    int has_coordinates;
    double latitude, longitude;
    /* raw values while cleaning runs (the rules read them) */
    int has_latitude, has_longitude;
    int64_t event_time_ms;
    char event_day[11];
    uint32_t nulled, invalid; /* bit per pp_geo_field, as pin.h */
    pp_arena arena;
} pp_geo;

typedef struct {
    int64_t ind;
    char *user_name; /* NULL = null */
    int has_age;
    int64_t age;
    int has_date_joined;
    int64_t date_joined_ms;
    /* raw values while cleaning runs (the rules read them) */
    char *first_name, *last_name;
    const char *date_joined_text;
    size_t date_joined_len;
    int64_t event_time_ms;
    char event_day[11];
    uint32_t nulled, invalid; /* bit per pp_user_field, as pin.h */
    pp_arena arena;
} pp_user;

void pp_geo_init(pp_geo *g);
void pp_geo_clear(pp_geo *g);
void pp_user_init(pp_user *u);
void pp_user_clear(pp_user *u);

/* The join year of a user (UTC year of date_joined), or -1 when date_joined is null. */
int pp_user_join_year(const pp_user *u);

/* Append the cleaned record as one JSON object (no newline), fields in the order above. */
void pp_geo_to_json(const pp_geo *g, pp_strbuf *out);
void pp_user_to_json(const pp_user *u, pp_strbuf *out);

#endif
