#include "sides.h"

#include <stdio.h>
#include <string.h>

#include "civil.h"

/* Rates, in parts per million of side events (see docs/emulator.md). */
#define AWAY_PPM 150000u /* a geo outside the user's home country */
#define COORDS_PLACEHOLDER_PPM 20000u
#define COORDS_OUT_OF_RANGE_PPM 10000u
#define NUMBERS_AS_STRINGS_PPM 30000u
#define COUNTRY_EMPTY_PPM 10000u
#define COUNTRY_UNKNOWN_PPM 10000u
#define COUNTRY_NA_PPM 10000u
#define COUNTRY_SPACES_PPM 30000u
#define FIRST_EMPTY_PPM 10000u
#define LAST_EMPTY_PPM 10000u
#define BOTH_EMPTY_PPM 3000u
#define NAME_SPACES_PPM 20000u
#define AGE_OUT_OF_RANGE_PPM 10000u
#define AGE_AS_STRING_PPM 20000u
#define JOINED_AFTER_PPM 20000u

const char *const pp_side_invalid_names[PP_SIDE_INV_KINDS] = {"missing_field",   "ind_not_int",    "bad_number",
                                                              "text_not_string", "truncated_json", "invalid_utf8"};
const char *const pp_mess_names[PP_MESS_KINDS] = {"coordinates_placeholder", "coordinates_out_of_range",
                                                  "numbers_as_strings",      "country_placeholder",
                                                  "country_spaces",          "first_name_empty",
                                                  "last_name_empty",         "name_spaces",
                                                  "age_out_of_range",        "age_as_string",
                                                  "date_joined_after_event"};

static const char *const BAD_UTF8[] = {"\xff", "\xc3\x28", "\xed\xa0\x80"};

static void key(pp_jw *w, const char *name, int *first) {
    pp_jw_key(w, name, *first);
    *first = 0;
}

/* "YYYY-MM-DD HH:MM:SS" of day + sec (sec may run past the day). */
static void timestamp(pp_jw *w, int64_t day, uint64_t sec) {
    char date[11];
    pp_format_date(day + (int64_t)(sec / 86400), date);
    pp_jw_timestamp(w, date, sec % 86400);
}

/* A coordinate in 1e-4 degrees as Python prints the float: "48.8566", "2.35", "-0.5", "0.0". */
static void coord(pp_jw *w, int64_t e4, int quoted) {
    if (quoted) pp_jw_char(w, '"');
    if (e4 < 0) pp_jw_char(w, '-'), e4 = -e4;
    pp_jw_u64(w, (uint64_t)e4 / 10000);
    pp_jw_char(w, '.');
    uint64_t frac = (uint64_t)e4 % 10000;
    int digits = 4;
    while (digits > 1 && frac % 10 == 0) frac /= 10, digits--;
    pp_jw_u64_pad(w, frac, digits);
    if (quoted) pp_jw_char(w, '"');
}

static void signed_int(pp_jw *w, int64_t v) {
    if (v < 0) pp_jw_char(w, '-');
    pp_jw_u64(w, (uint64_t)(v < 0 ? -v : v));
}

static int64_t clamp(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Picks the defect of an invalid event, or none; `fields` is the count of required members. */
static int draw_invalid(pp_rng *r, uint32_t ppm, unsigned fields, int *missing) {
    *missing = -1;
    if (!pp_rng_chance(r, ppm)) return PP_SIDE_INV_NONE;
    int inv = (int)pp_rng_below(r, PP_SIDE_INV_KINDS);
    if (inv == PP_SIDE_INV_MISSING_FIELD) *missing = (int)pp_rng_below(r, fields);
    return inv;
}

/* The closing steps shared by both kinds: bad UTF-8 was put in by the caller;
 * truncation cuts strictly inside the object on a UTF-8 boundary. */
static void finish(pp_rng *r, pp_jw *w, pp_side_truth *t) {
    pp_jw_char(w, '}');
    if (t->invalid == PP_SIDE_INV_TRUNCATED_JSON && !w->overflow) {
        size_t cut = (size_t)pp_rng_range(r, 1, w->len - 2);
        while (cut > 1 && ((unsigned char)w->buf[cut] & 0xC0) == 0x80) cut--;
        w->len = cut;
    }
    t->json = t->invalid != PP_SIDE_INV_TRUNCATED_JSON && t->invalid != PP_SIDE_INV_INVALID_UTF8;
    if (!t->json) t->has_ind = 0;
}

static void write_ind(pp_jw *w, int64_t ind, int not_int, int *first) {
    key(w, "ind", first);
    if (not_int)
        pp_jw_char(w, '"'), pp_jw_u64(w, (uint64_t)ind), pp_jw_cstr(w, "a\"");
    else
        pp_jw_u64(w, (uint64_t)ind);
}

/* A string member whose value may end in raw invalid UTF-8. */
static void str_maybe_bad(pp_rng *r, pp_jw *w, const char *s, int bad) {
    pp_jw_str(w, s);
    if (!bad) return;
    w->len--; /* before the closing quote */
    pp_jw_cstr(w, BAD_UTF8[pp_rng_below(r, sizeof BAD_UTF8 / sizeof *BAD_UTF8)]);
    pp_jw_char(w, '"');
}

/* The truth's start for a side of 5 fields: nothing known yet, its invalidity drawn.
 * Returns the index of the required member left out (PP_SIDE_INV_MISSING_FIELD), or -1. */
static int side_begin(pp_rng *r, const pp_side_ctx *c, pp_side_truth *t) {
    memset(t, 0, sizeof *t);
    t->country = -1;
    t->join_year = -1;
    int missing;
    t->invalid = draw_invalid(r, c->invalid_ppm, 5, &missing);
    t->has_ind = missing != 0 && t->invalid != PP_SIDE_INV_IND_NOT_INT;
    return missing;
}

void pp_side_geo(pp_rng *r, const pp_side_ctx *c, pp_jw *w, pp_side_truth *t) {
    int missing = side_begin(r, c, t);

    unsigned country = c->person->home_country;
    if (c->away || pp_rng_chance(r, AWAY_PPM)) {
        uint32_t cw[PP_N_COUNTRIES];
        for (unsigned i = 0; i < PP_N_COUNTRIES; i++) cw[i] = pp_countries[i].weight;
        country = pp_rng_weighted(r, cw, PP_N_COUNTRIES);
    }
    const pp_country *pc = &pp_countries[country];
    int64_t lat = clamp(pc->lat_e4 + (int64_t)pp_rng_below(r, 60001) - 30000, -899999, 899999);
    int64_t lon = clamp(pc->lon_e4 + (int64_t)pp_rng_below(r, 100001) - 50000, -1799999, 1799999);
    uint64_t x = pp_rng_below(r, PP_PPM);
    if (x < COORDS_PLACEHOLDER_PPM) {
        lat = lon = 0;
        t->mess |= 1u << PP_MESS_COORDS_PLACEHOLDER;
    } else if (x < COORDS_PLACEHOLDER_PPM + COORDS_OUT_OF_RANGE_PPM) {
        static const int64_t bad[4][2] = {{1234000, 0}, {-955000, 0}, {0, 2005000}, {0, -1812500}};
        unsigned k = (unsigned)pp_rng_below(r, 4);
        if (bad[k][0]) lat = bad[k][0];
        if (bad[k][1]) lon = bad[k][1];
        t->mess |= 1u << PP_MESS_COORDS_OUT_OF_RANGE;
    }
    int quoted = pp_rng_chance(r, NUMBERS_AS_STRINGS_PPM);
    if (quoted) t->mess |= 1u << PP_MESS_NUMBERS_AS_STRINGS;
    char name[64];
    const char *written = pc->name;
    t->country = (int)country;
    x = pp_rng_below(r, PP_PPM);
    if (x < COUNTRY_EMPTY_PPM + COUNTRY_UNKNOWN_PPM + COUNTRY_NA_PPM) {
        written = x < COUNTRY_EMPTY_PPM ? "" : x < COUNTRY_EMPTY_PPM + COUNTRY_UNKNOWN_PPM ? "Unknown" : "N/A";
        t->country = -1;
        t->mess |= 1u << PP_MESS_COUNTRY_PLACEHOLDER;
    } else if (x < COUNTRY_EMPTY_PPM + COUNTRY_UNKNOWN_PPM + COUNTRY_NA_PPM + COUNTRY_SPACES_PPM) {
        static const char *const pads[3][2] = {{" ", ""}, {"", "  "}, {"  ", " "}};
        unsigned k = (unsigned)pp_rng_below(r, 3);
        snprintf(name, sizeof name, "%s%s%s", pads[k][0], pc->name, pads[k][1]);
        written = name;
        t->mess |= 1u << PP_MESS_COUNTRY_SPACES;
    }
    uint32_t sec = c->sec;

    int first = 1;
    pp_jw_char(w, '{');
    if (missing != 0) write_ind(w, c->ind, t->invalid == PP_SIDE_INV_IND_NOT_INT, &first);
    if (missing != 1) key(w, "timestamp", &first), timestamp(w, c->day, sec);
    if (missing != 2) {
        key(w, "latitude", &first);
        if (t->invalid == PP_SIDE_INV_BAD_NUMBER)
            pp_jw_str(w, "north");
        else
            coord(w, lat, quoted);
    }
    if (missing != 3) key(w, "longitude", &first), coord(w, lon, quoted);
    if (missing != 4) {
        key(w, "country", &first);
        if (t->invalid == PP_SIDE_INV_TEXT_NOT_STRING)
            pp_jw_u64(w, 42);
        else
            str_maybe_bad(r, w, written, t->invalid == PP_SIDE_INV_INVALID_UTF8);
    }
    finish(r, w, t);
}

/* Trimmed copy of the ASCII-space-padded s into out; its length. */
static size_t trimmed(const char *s, char *out, size_t cap) {
    while (*s == ' ') s++;
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ') n--;
    if (n >= cap) n = cap - 1;
    memcpy(out, s, n);
    out[n] = '\0';
    return n;
}

void pp_side_user(pp_rng *r, const pp_side_ctx *c, pp_jw *w, pp_side_truth *t) {
    int missing = side_begin(r, c, t);
    const pp_person *p = c->person;

    char first_buf[48], last_buf[48];
    const char *first_name = p->first_name, *last_name = p->last_name;
    uint64_t x = pp_rng_below(r, PP_PPM);
    const char *blank = pp_rng_chance(r, 500000) ? "" : " ";
    if (x < FIRST_EMPTY_PPM + BOTH_EMPTY_PPM) first_name = blank, t->mess |= 1u << PP_MESS_FIRST_NAME_EMPTY;
    if (x >= FIRST_EMPTY_PPM && x < FIRST_EMPTY_PPM + BOTH_EMPTY_PPM + LAST_EMPTY_PPM)
        last_name = blank, t->mess |= 1u << PP_MESS_LAST_NAME_EMPTY;
    if (x >= FIRST_EMPTY_PPM + BOTH_EMPTY_PPM + LAST_EMPTY_PPM &&
        x < FIRST_EMPTY_PPM + BOTH_EMPTY_PPM + LAST_EMPTY_PPM + NAME_SPACES_PPM) {
        snprintf(first_buf, sizeof first_buf, " %s", p->first_name);
        snprintf(last_buf, sizeof last_buf, "%s  ", p->last_name);
        first_name = first_buf, last_name = last_buf;
        t->mess |= 1u << PP_MESS_NAME_SPACES;
    }
    char tf[48], tl[48];
    size_t nf = trimmed(first_name, tf, sizeof tf), nl = trimmed(last_name, tl, sizeof tl);
    t->has_user_name = nf || nl;
    snprintf(t->user_name, sizeof t->user_name, "%s%s%s", tf, nf && nl ? " " : "", tl);

    int64_t age = p->age;
    int age_string = 0;
    x = pp_rng_below(r, PP_PPM);
    if (x < AGE_OUT_OF_RANGE_PPM) {
        static const int64_t bad[] = {-3, -1, 121, 140};
        age = bad[pp_rng_below(r, 4)];
        t->mess |= 1u << PP_MESS_AGE_OUT_OF_RANGE;
    } else if (x < AGE_OUT_OF_RANGE_PPM + AGE_AS_STRING_PPM) {
        age_string = 1;
        t->mess |= 1u << PP_MESS_AGE_AS_STRING;
    }
    t->has_age = age >= 0 && age <= 120;
    t->age = t->has_age ? age : 0;

    int64_t jday = p->joined_day;
    uint64_t jsec = p->joined_sec;
    if (pp_rng_chance(r, JOINED_AFTER_PPM)) { /* 1 s .. 30 days after the event time */
        jday = c->day;
        jsec = c->sec + pp_rng_range(r, 1, 30 * 86400);
        t->mess |= 1u << PP_MESS_JOINED_AFTER_EVENT;
    } else {
        int64_t y;
        unsigned m, d;
        pp_civil_from_days(jday, &y, &m, &d);
        t->join_year = (int)y;
    }

    int first = 1;
    pp_jw_char(w, '{');
    if (missing != 0) write_ind(w, c->ind, t->invalid == PP_SIDE_INV_IND_NOT_INT, &first);
    if (missing != 1) {
        key(w, "first_name", &first);
        if (t->invalid == PP_SIDE_INV_TEXT_NOT_STRING)
            pp_jw_u64(w, 7);
        else
            pp_jw_str(w, first_name);
    }
    if (missing != 2)
        key(w, "last_name", &first), str_maybe_bad(r, w, last_name, t->invalid == PP_SIDE_INV_INVALID_UTF8);
    if (missing != 3) {
        key(w, "age", &first);
        if (t->invalid == PP_SIDE_INV_BAD_NUMBER)
            pp_jw_str(w, "old");
        else if (age_string)
            pp_jw_char(w, '"'), signed_int(w, age), pp_jw_char(w, '"');
        else
            signed_int(w, age);
    }
    if (missing != 4) key(w, "date_joined", &first), timestamp(w, jday, jsec);
    key(w, "timestamp", &first);
    timestamp(w, c->day, c->sec);
    finish(r, w, t);
}
