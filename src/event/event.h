/* event — the raw event: the seeds' `Data` model, parsed and validated.
 *
 * Model (FastAPI/pydantic v2 semantics, so a client written for the seeds works):
 *   index int, unique_id str, title str, description str, follower_count str,
 *   tag_list str, is_image_or_video str, image_src str, downloaded int,
 *   save_location str, category str                      -- all required (v1)
 *   poster_name str                                       -- optional (v2 adds it)
 *   timestamp str                                         -- optional, see event_time.h
 * Unknown fields are ignored, as pydantic does. Int fields accept JSON integers,
 * integral floats, booleans and decimal strings (pydantic's lax mode); str fields
 * accept only JSON strings. Every field error is reported, in field order.
 *
 * Parsing: a fast path (event_scan.h: one strict pass, no tree) reads the members
 * the model knows; anything unusual — a parse error, a body that is not an object,
 * a field error, a \u escape, a real or a container in a known member, deep
 * nesting — is parsed again with jansson, whose verdict and messages are the
 * reference, and ev->root then holds the jansson tree (the API echoes inputs from
 * it in its 422 bodies). Both paths give the same result for every input; the unit
 * tests and the fuzz target compare them.
 *
 * Ownership: pp_event_parse fills a caller-owned pp_event whose string views point
 * into memory the event owns (its arena or ev->root); pp_event_clear releases it.
 */
#ifndef PINPIPE_EVENT_H
#define PINPIPE_EVENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    PP_F_INDEX,
    PP_F_UNIQUE_ID,
    PP_F_TITLE,
    PP_F_DESCRIPTION,
    PP_F_POSTER_NAME,
    PP_F_FOLLOWER_COUNT,
    PP_F_TAG_LIST,
    PP_F_IS_IMAGE_OR_VIDEO,
    PP_F_IMAGE_SRC,
    PP_F_DOWNLOADED,
    PP_F_SAVE_LOCATION,
    PP_F_CATEGORY,
    PP_F_TIMESTAMP,
    PP_F_COUNT
} pp_field;

typedef enum { PP_FT_INT, PP_FT_STR } pp_field_type;

typedef struct {
    const char *name;
    pp_field_type type;
    int required;
} pp_field_def;

extern const pp_field_def PP_FIELDS[PP_F_COUNT];

/* Why an event failed, as a machine-readable code (also the rejected-events metric key). */
typedef enum {
    PP_EVENT_OK = 0,
    PP_EVENT_INVALID_JSON,  /* not JSON at all, or truncated */
    PP_EVENT_INVALID_UTF8,  /* bytes that are not UTF-8 */
    PP_EVENT_NOT_OBJECT,    /* JSON, but not an object */
    PP_EVENT_INVALID_FIELDS /* an object failing the model: see errors[] */
} pp_event_status;

const char *pp_event_status_code(pp_event_status s);

typedef struct {
    pp_field field;   /* PP_F_COUNT for errors about the whole body */
    const char *type; /* pydantic's error type, e.g. "missing", "string_type" */
    const char *msg;  /* pydantic's message, e.g. "Field required" */
} pp_field_error;

typedef struct {
    json_t *root; /* set when the jansson path ran (always for invalid events), else NULL */
    char *arena;  /* copies of the fast path's strings */
    pp_event_status status;
    char parse_error[160]; /* for INVALID_JSON/UTF8: jansson's text and position */
    /* present[f]: the field exists and is valid; str/len for str fields (UTF-8) */
    int present[PP_F_COUNT];
    const char *str[PP_F_COUNT];
    size_t len[PP_F_COUNT];
    int64_t index;
    int64_t downloaded;
    int64_t event_time_ms; /* valid when present[PP_F_TIMESTAMP] */
    int schema_version;    /* 2 when poster_name is present, else 1 */
    pp_field_error errors[PP_F_COUNT];
    size_t n_errors;
} pp_event;

/* Parses and validates buf[0..len). Returns PP_OK for a valid event, PP_EINVAL
 * otherwise with ev->status, ev->errors and err describing every problem. The
 * event must be cleared with pp_event_clear in both cases. */
int pp_event_parse(pp_event *ev, const char *buf, size_t len, char *err, size_t errlen);
/* The same with the jansson path only (the reference the fast path is tested against). */
int pp_event_parse_reference(pp_event *ev, const char *buf, size_t len, char *err, size_t errlen);
void pp_event_clear(pp_event *ev);

#endif
