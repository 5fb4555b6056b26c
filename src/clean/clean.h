/* clean — the one cleaning engine, used by batch, stream and the offline CLI.
 *
 * pp_clean turns the bytes of one raw event into a cleaned pin (pin.h) or a
 * reject with a machine-readable reason. It is a pure function of the bytes and
 * the options: the same input gives the same output in every path, which is
 * what makes batch and stream metrics agree.
 *
 * Event time: the event's `timestamp` when present, else opts->ingest_time_ms
 * (when the caller knows it: the API's ingest time travels with the event),
 * else the event is rejected as missing_event_time.
 */
#ifndef PINPIPE_CLEAN_H
#define PINPIPE_CLEAN_H

#include <stddef.h>
#include <stdint.h>

#include "clean/pin.h"
#include "clean/side.h"
#include "event/event.h"
#include "event/kind.h"

typedef struct {
    uint64_t disabled_rules; /* bit i turns PP_RULES[i] off (rules check, parity tests) */
    int64_t ingest_time_ms;  /* -1 when unknown; out of the event-time range counts as unknown */
} pp_clean_opts;

/* Fills *opts with the defaults: every rule on, no ingest time. The variable
 * PINPIPE_DISABLE_RULES (comma-separated rule names) turns rules off; it is a
 * test switch (it proves parity can fail) and is logged loudly when set. */
void pp_clean_opts_default(pp_clean_opts *opts);

typedef struct {
    const char *reason; /* machine-readable: invalid_json, invalid_utf8, not_object,
                             missing_field, wrong_type, invalid_timestamp,
                             missing_unique_id, missing_event_time, key_too_long,
                             too_large; store_refused (stream_store.h) */
    char detail[512];   /* human-readable, names every problem */
    char day[11];       /* the event day when known, else the ingest day, else "" */
    pp_kind kind;       /* the kind of event rejected (errors[].field indexes its model) */
    pp_field_error errors[PP_F_COUNT];
    size_t n_errors;
} pp_reject;

/* Returns PP_OK and fills *pin (caller clears it), or PP_EINVAL and fills *rej.
 * *fired (may be NULL) gets bit i set for every rule that changed the pin. */
int pp_clean(const char *buf, size_t len, const pp_clean_opts *opts, pp_pin *pin, pp_reject *rej, uint64_t *fired);

/* The same for a geo or a user event (docs/joins.md): *g / *u filled (caller clears). */
int pp_clean_geo(const char *buf, size_t len, const pp_clean_opts *opts, pp_geo *g, pp_reject *rej, uint64_t *fired);
int pp_clean_user(const char *buf, size_t len, const pp_clean_opts *opts, pp_user *u, pp_reject *rej, uint64_t *fired);

/* A cleaned event of any kind: the member of its kind is filled. */
typedef struct {
    pp_kind kind;
    pp_pin pin;
    pp_geo geo;
    pp_user user;
} pp_record;

/* pp_clean, pp_clean_geo or pp_clean_user by kind. rec is cleared by pp_record_clear
 * when PP_OK is returned. rej->kind is set on a reject. */
int pp_clean_record(pp_kind kind, const char *buf, size_t len, const pp_clean_opts *opts, pp_record *rec,
                    pp_reject *rej, uint64_t *fired);
void pp_record_clear(pp_record *rec);
/* The event day of the record (its member's event_day). */
const char *pp_record_day(const pp_record *rec);

/* A reject for an input that was never parsed (e.g. a line over the size limit). */
void pp_reject_set(pp_reject *rej, const char *reason, const char *detail, int64_t ingest_time_ms);

#endif
