/* kind_event — the geo and user events: their models, parsed and validated.
 *
 * Models (pydantic v2 lax semantics, docs/joins.md):
 *   geo:  ind int, timestamp str (datetime), latitude float, longitude float,
 *         country str                                   -- all required
 *   user: ind int, first_name str, last_name str, age int, date_joined str
 *         (datetime)                                    -- required
 *         timestamp str (datetime)                      -- optional
 * Int and str fields follow the pin's rules (event.h). A float field takes a JSON
 * number or a string that parses as one (float_parsing otherwise, float_type for
 * other types). Every field error is reported, in field order. The pin keeps its own
 * model and fast path (event.h); these two always parse with jansson (they are a
 * small share of the traffic).
 *
 * Ownership: pp_kind_event_parse fills a caller-owned pp_kind_event whose string
 * views point into ev->root; pp_kind_event_clear releases it.
 */
#ifndef PINPIPE_KIND_EVENT_H
#define PINPIPE_KIND_EVENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "event/event.h"
#include "event/kind.h"

typedef enum {
    PP_GEO_IND,
    PP_GEO_TIMESTAMP,
    PP_GEO_LATITUDE,
    PP_GEO_LONGITUDE,
    PP_GEO_COUNTRY,
    PP_GEO_COUNT
} pp_geo_field;
typedef enum {
    PP_USER_IND,
    PP_USER_FIRST_NAME,
    PP_USER_LAST_NAME,
    PP_USER_AGE,
    PP_USER_DATE_JOINED,
    PP_USER_TIMESTAMP,
    PP_USER_COUNT
} pp_user_field;

#define PP_KIND_FIELDS_MAX 8

typedef enum {
    PP_KT_INT,
    PP_KT_STR,
    PP_KT_FLOAT,
    PP_KT_TIME
} pp_kind_field_type; /* TIME: a str parsed as a datetime */

typedef struct {
    const char *name;
    pp_kind_field_type type;
    int required;
} pp_kind_field_def;

/* The model of a kind (geo or user); NULL for the pin (event.h has its own). */
const pp_kind_field_def *pp_kind_fields(pp_kind k, size_t *n);
/* The name of field f of kind k (the pin's PP_FIELDS too); "body" when f is out of range. */
const char *pp_kind_field_name(pp_kind k, int f);

typedef struct {
    json_t *root; /* always set after a parse that got as far as JSON */
    pp_kind kind;
    pp_event_status status;
    char parse_error[160];
    int present[PP_KIND_FIELDS_MAX]; /* the field exists and is valid */
    const char *str[PP_KIND_FIELDS_MAX];
    size_t len[PP_KIND_FIELDS_MAX];
    int64_t i[PP_KIND_FIELDS_MAX];                 /* PP_KT_INT; PP_KT_TIME: ms since the epoch */
    double d[PP_KIND_FIELDS_MAX];                  /* PP_KT_FLOAT */
    pp_field_error errors[PP_KIND_FIELDS_MAX + 1]; /* .field is the kind's field index; the count for the body */
    size_t n_errors;
} pp_kind_event;

/* Parses and validates buf[0..len) as an event of kind k (PP_KIND_GEO or
 * PP_KIND_USER). PP_OK for a valid event, PP_EINVAL otherwise with ev->status,
 * ev->errors and err describing every problem. Clear ev in both cases. */
int pp_kind_event_parse(pp_kind_event *ev, pp_kind k, const char *buf, size_t len, char *err, size_t errlen);
void pp_kind_event_clear(pp_kind_event *ev);

/* The err text of a model failure: "invalid_fields: NAME: MSG (TYPE); ..." (every kind). */
void pp_field_errors_format(pp_kind k, const pp_field_error *errors, size_t n, char *err, size_t errlen);

#endif
