/* event_scan — the fast path's reader of a raw event: one strict pass over a JSON
 * object, no tree, no allocation.
 *
 * It reads what nearly every event is: one object whose members are strings,
 * integers, true, false or null (unknown members may hold anything, nested up to
 * 32 deep), and answers "not sure" for everything else. Then the caller asks the
 * reference parser (jansson), whose verdict and messages are the contract. So it
 * accepts only text that RFC 8259 and jansson accept, reads the same values from
 * it, and never reports an error of its own: what it declines costs only time.
 *
 * Declined: text that is not one object of that shape, a \u escape or a control
 * character in a string, a known member holding a real, an object or an array,
 * an integer of 19 digits or more, a real that might overflow a double (jansson
 * refuses those), nesting deeper than 32. The caller checks the UTF-8 first
 * (pp_utf8_valid): the scanner does not.
 *
 * Why not a library: yajl's lexer was half the cleaning engine's instructions
 * (docs/benchmarks.md); no faster C parser is packaged in Debian 12.
 */
#ifndef PINPIPE_EVENT_SCAN_H
#define PINPIPE_EVENT_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "event/event.h"

/* One member's JSON value, whichever parser read it. */
typedef enum { PP_V_ABSENT = 0, PP_V_NULL, PP_V_BOOL, PP_V_INT, PP_V_REAL, PP_V_STRING, PP_V_OTHER } pp_value_kind;

typedef struct {
    pp_value_kind kind;
    int64_t i; /* PP_V_INT, PP_V_BOOL */
    double d;  /* PP_V_REAL */
    const char *s;
    size_t n; /* PP_V_STRING */
} pp_event_value;

/* The field a member name names, or -1. */
int pp_event_field_of(const char *name, size_t n);

/* Scans buf[0..len). On 0, vals[f] holds the last value of each known member
 * (PP_V_ABSENT when missing); their strings are decoded into arena, which must
 * hold len + 1 bytes. -1: not sure, ask the reference parser (vals and arena hold
 * anything). */
int pp_event_scan(const char *buf, size_t len, char *arena, pp_event_value vals[PP_F_COUNT]);

#endif
