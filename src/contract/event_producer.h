/* event_producer — produces raw events to Kafka with the message contract
 * (contract/message.h, the same builder as the API): key = unique_id when the
 * bytes are an event, headers pinpipe-ingest-time and pinpipe-schema. It lives
 * with the contract, not in kafka/ (a client that knows no event: kafka/ would then
 * include contract/, which includes kafka/) nor in cli/ (the emulator uses it and
 * does not link the CLI). No validation: what is given is sent,
 * so tools can also make poison messages. Used by `pinpipe produce` and by the
 * emulator's direct mode; geo and user events go to their own topics
 * (pp_event_producer_send_kind, docs/joins.md). Waits for room when the producer's queue is full and
 * counts delivery reports.
 * Ownership: owns its pp_producer; one thread sends, reports arrive on the
 * producer's poll thread (the counters are atomic).
 */
#ifndef PINPIPE_CONTRACT_EVENT_PRODUCER_H
#define PINPIPE_CONTRACT_EVENT_PRODUCER_H

#include <stddef.h>
#include <stdint.h>

#include "event/kind.h"

typedef struct pp_event_producer pp_event_producer;

/* partitions > 0: create the topic with that many partitions when it is missing. */
int pp_event_producer_create(pp_event_producer **out, const char *brokers, const char *topic, int partitions, char *err,
                             size_t errlen);
/* Sends one event; ingest_time_ms < 0 means now. Returns 0 once enqueued. */
int pp_event_producer_send(pp_event_producer *p, const char *buf, size_t len, int64_t ingest_time_ms, char *err,
                           size_t errlen);
/* Sends one geo or user event to topic: key = ind in decimal when has_ind (else no
 * key), the pinpipe-kind header (pp_message_build_kind); counted like every send. */
int pp_event_producer_send_kind(pp_event_producer *p, pp_kind kind, const char *topic, const char *buf, size_t len,
                                int has_ind, int64_t ind, int64_t ingest_time_ms, char *err, size_t errlen);
/* Creates another topic (a kind's) with that many partitions when it is missing. */
int pp_event_producer_create_topic(pp_event_producer *p, const char *topic, int partitions, char *err, size_t errlen);
/* Waits for every delivery report (at most timeout_ms); then the delivered and failed counts. */
int pp_event_producer_finish(pp_event_producer *p, int timeout_ms, unsigned long *delivered, unsigned long *failed,
                             char *err, size_t errlen);
void pp_event_producer_destroy(pp_event_producer *p);

#endif
