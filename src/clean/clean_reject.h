/* clean_reject — the reject of an event its model refused, for every kind (clean.c
 * for the pin, clean_side.c for geo and user): the reason is the kind of the first
 * field error (missing_field; invalid_timestamp for any error of a field whose bit
 * is set in time_fields; else wrong_type) or
 * the parse status (invalid_json, invalid_utf8, not_object); the day is the
 * event's time when it was readable, else the ingest day. */
#ifndef PINPIPE_CLEAN_REJECT_H
#define PINPIPE_CLEAN_REJECT_H

#include <stddef.h>
#include <stdint.h>

#include "clean/clean.h"

void pp_reject_model(pp_reject *rej, pp_kind kind, pp_event_status status, const pp_field_error *errors, size_t n,
                     uint32_t time_fields, const char *detail, int64_t ingest_time_ms, int has_time,
                     int64_t event_time_ms);

#endif
