/* sides — the geo and the user event of a post (--kinds all), rendered by hand
 * like the pins (jsonw.h), with the messiness of docs/emulator.md and what the
 * cleaning will make of them (the manifest's join ground truth).
 *
 *   geo:  {"ind": 7, "timestamp": "...", "latitude": 48.8566, "longitude": 2.3522, "country": "France"}
 *   user: {"ind": 7, "first_name": "Ada", "last_name": "Smith", "age": 36,
 *          "date_joined": "2015-10-20 08:00:07", "timestamp": "..."}
 *
 * The cleaned values in pp_side_truth are derived from what this module chose to
 * write (a placeholder country is null because it wrote a placeholder), by the
 * rules of docs/joins.md, not by calling the pipeline's cleaning code.
 * Ownership: plain values; the line goes into the caller's writer.
 */
#ifndef PINPIPE_EMU_SIDES_H
#define PINPIPE_EMU_SIDES_H

#include <stdint.h>

#include "jsonw.h"
#include "people.h"
#include "rng.h"

/* Deliberately invalid geo and user events (--invalid-rate). */
typedef enum {
    PP_SIDE_INV_NONE = -1,
    PP_SIDE_INV_MISSING_FIELD = 0, /* a required member is absent */
    PP_SIDE_INV_IND_NOT_INT,       /* "ind": "12a" */
    PP_SIDE_INV_BAD_NUMBER,        /* geo "latitude": "north", user "age": "old" */
    PP_SIDE_INV_TEXT_NOT_STRING,   /* geo "country": 42, user "first_name": 7 */
    PP_SIDE_INV_TRUNCATED_JSON,    /* cut short: not JSON */
    PP_SIDE_INV_INVALID_UTF8,      /* raw invalid UTF-8 in country / last_name */
    PP_SIDE_INV_KINDS
} pp_side_invalid;
extern const char *const pp_side_invalid_names[PP_SIDE_INV_KINDS];

/* Messiness of valid side events (bit i of pp_side_truth.mess). */
enum {
    PP_MESS_COORDS_PLACEHOLDER = 0, /* latitude 0.0, longitude 0.0 */
    PP_MESS_COORDS_OUT_OF_RANGE,    /* latitude 123.4, -95.5 or longitude 200.5, -181.25 */
    PP_MESS_NUMBERS_AS_STRINGS,     /* "latitude": "48.8566" (valid, lax floats) */
    PP_MESS_COUNTRY_PLACEHOLDER,    /* "", "Unknown", "N/A" */
    PP_MESS_COUNTRY_SPACES,         /* " France", "France  " */
    PP_MESS_FIRST_NAME_EMPTY,       /* "" or " " */
    PP_MESS_LAST_NAME_EMPTY,
    PP_MESS_NAME_SPACES,        /* " Ada", "Smith " */
    PP_MESS_AGE_OUT_OF_RANGE,   /* -3, -1, 121, 140 */
    PP_MESS_AGE_AS_STRING,      /* "age": "36" (valid, lax ints) */
    PP_MESS_JOINED_AFTER_EVENT, /* date_joined later than the timestamp */
    PP_MESS_KINDS
};
extern const char *const pp_mess_names[PP_MESS_KINDS];

#define PP_USER_NAME_MAX 96

typedef struct {
    int invalid;   /* pp_side_invalid */
    int has_ind;   /* the written ind is an integer (the Kafka key) */
    int json;      /* 0: the bytes are not JSON (truncated, invalid UTF-8) */
    uint32_t mess; /* PP_MESS_* bits */
    /* the cleaned values, for a valid event */
    int country; /* index into pp_countries, -1 = null */
    int has_user_name;
    char user_name[PP_USER_NAME_MAX];
    int has_age;
    int64_t age;
    int join_year; /* -1 = null */
} pp_side_truth;

typedef struct {
    int64_t ind;
    int64_t day;  /* days since 1970-01-01 */
    uint32_t sec; /* second of the day of the event time */
    const pp_person *person;
    int away;             /* geo: a country other than the person's home is likely */
    uint32_t invalid_ppm; /* --invalid-rate */
} pp_side_ctx;

void pp_side_geo(pp_rng *r, const pp_side_ctx *c, pp_jw *w, pp_side_truth *t);
void pp_side_user(pp_rng *r, const pp_side_ctx *c, pp_jw *w, pp_side_truth *t);

#endif
