/* api_validate — one POST body of a kind (pin, geo, user), judged as the API answers
 * it, and the Kafka message of an accepted one. Pure: no MHD, no Kafka, so every
 * answer is unit-tested without a server (tests/unit/test_api_validate.c).
 *
 * The verdict, in order: empty body 422 (`missing` at ["body"]); not JSON or not UTF-8
 * 400 (`json_invalid`); JSON failing the kind's model 422 (every field error, loc
 * naming the kind's fields); else 200 with the validated event echoed (api_reply.h).
 * The pin is validated by event.h (its fast path), geo and user by kind_event.h.
 *
 * Ownership: a pp_api_body holds the parsed event; its message (pp_api_body_message)
 * points into it and into the body, so both must outlive the send. Clear it with
 * pp_api_body_clear whatever the verdict.
 */
#ifndef PINPIPE_API_VALIDATE_H
#define PINPIPE_API_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "contract/message.h"
#include "event/event.h"
#include "event/kind.h"
#include "event/kind_event.h"

typedef struct {
    pp_kind kind;
    int parsed;          /* the parse ran: there is something to clear */
    pp_event pin;        /* PP_KIND_PIN */
    pp_kind_event other; /* PP_KIND_GEO, PP_KIND_USER */
} pp_api_body;

/* Judges body[0..len) as an event of kind k: returns the HTTP status (200, 400 or
 * 422) and appends its JSON answer to answer (the echo for 200). */
unsigned pp_api_validate(pp_api_body *b, pp_kind k, const char *body, size_t len, pp_strbuf *answer);

/* The Kafka message of an event judged 200 (contract/message.h): a pin keyed by its
 * unique_id, geo and user by their ind, each with its pinpipe-kind header. */
void pp_api_body_message(const pp_api_body *b, pp_message *m, const char *topic, const char *body, size_t len,
                         int64_t ingest_ms);

void pp_api_body_clear(pp_api_body *b);

#endif
