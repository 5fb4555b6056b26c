#include "clean/side.h"

#include <stdlib.h>
#include <string.h>

#include "event/event_time.h"

void pp_geo_init(pp_geo *g) {
    memset(g, 0, sizeof *g);
    pp_arena_init(&g->arena);
}

void pp_geo_clear(pp_geo *g) {
    pp_arena_free(&g->arena);
    pp_geo_init(g);
}

void pp_user_init(pp_user *u) {
    memset(u, 0, sizeof *u);
    pp_arena_init(&u->arena);
}

void pp_user_clear(pp_user *u) {
    pp_arena_free(&u->arena);
    pp_user_init(u);
}

int pp_user_join_year(const pp_user *u) {
    if (!u->has_date_joined) return -1;
    char day[11];
    pp_event_day(u->date_joined_ms, day);
    return atoi(day);
}

#define PUT(out, lit) pp_sb_append((out), (lit), sizeof(lit) - 1)

/* The shortest of %.15g and %.17g that reads back as d (coordinates round-trip). */
static void put_double(pp_strbuf *out, double d) {
    char buf[32];
    snprintf(buf, sizeof buf, "%.15g", d);
    if (strtod(buf, NULL) != d) snprintf(buf, sizeof buf, "%.17g", d);
    pp_sb_puts(out, buf);
}

static void put_times(pp_strbuf *out, int64_t event_time_ms, const char *event_day) {
    char iso[25];
    PUT(out, ",\"event_time\":");
    pp_event_time_iso(event_time_ms, iso);
    pp_sb_json_cstr(out, iso);
    PUT(out, ",\"event_day\":");
    pp_sb_json_cstr(out, event_day);
    pp_sb_putc(out, '}');
}

void pp_geo_to_json(const pp_geo *g, pp_strbuf *out) {
    PUT(out, "{\"ind\":");
    pp_sb_put_i64(out, g->ind);
    PUT(out, ",\"country\":");
    pp_sb_json_cstr(out, g->country);
    PUT(out, ",\"coordinates\":");
    if (g->has_coordinates) {
        pp_sb_putc(out, '[');
        put_double(out, g->latitude);
        pp_sb_putc(out, ',');
        put_double(out, g->longitude);
        pp_sb_putc(out, ']');
    } else {
        PUT(out, "null");
    }
    put_times(out, g->event_time_ms, g->event_day);
}

void pp_user_to_json(const pp_user *u, pp_strbuf *out) {
    char iso[25];
    PUT(out, "{\"ind\":");
    pp_sb_put_i64(out, u->ind);
    PUT(out, ",\"user_name\":");
    pp_sb_json_cstr(out, u->user_name);
    PUT(out, ",\"age\":");
    if (u->has_age)
        pp_sb_put_i64(out, u->age);
    else
        PUT(out, "null");
    PUT(out, ",\"date_joined\":");
    if (u->has_date_joined) {
        pp_event_time_iso(u->date_joined_ms, iso);
        pp_sb_json_cstr(out, iso);
    } else {
        PUT(out, "null");
    }
    put_times(out, u->event_time_ms, u->event_day);
}
