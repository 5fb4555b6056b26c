/* lax — pydantic v2's lax conversions of one JSON member, shared by every model
 * (event.h for the pin, kind_event.h for geo and user), and the jansson load both
 * reference parsers start with.
 *
 * Each check returns 0 and the value, or -1 with pydantic's error type and message.
 */
#ifndef PINPIPE_EVENT_LAX_H
#define PINPIPE_EVENT_LAX_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "event/event.h"
#include "event/event_scan.h"

typedef struct {
    const char *type; /* e.g. "int_parsing" */
    const char *msg;  /* e.g. "Input should be a valid integer, ..." */
} pp_lax_error;

/* int: integer, integral float, bool, or a decimal string (1_000 allowed). */
int pp_lax_int(const pp_event_value *v, int64_t *out, pp_lax_error *e);
/* str: a JSON string without NUL. */
int pp_lax_str(const pp_event_value *v, pp_lax_error *e);
/* float: a number, a bool, or a string that parses as a number (surrounding spaces allowed). */
int pp_lax_float(const pp_event_value *v, double *out, pp_lax_error *e);

/* One member of a jansson object as a pp_event_value (PP_V_ABSENT for v NULL). */
void pp_event_value_of_json(const json_t *v, pp_event_value *r);

/* json_loadb of a body: the root, or NULL with *status (INVALID_JSON or
 * INVALID_UTF8), parse_error (jansson's text and position, valid UTF-8) and err set. */
json_t *pp_event_load_json(const char *buf, size_t len, pp_event_status *status, char parse_error[160], char *err,
                           size_t errlen);

#endif
