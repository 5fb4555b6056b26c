/* sink_kafka — the emulator's direct mode: produce every event straight to Kafka
 * (no API) with the API's message contract, for tests of the paths behind it.
 * Pins go through src/contract/event_producer.h, as `pinpipe produce` does, to
 * --topic. With --kinds all, geo and user events go to their topics (--geo-topic,
 * --users-topic, else pp_kind_topic's defaults geo and users) with
 * pp_message_build_kind (key = ind, header pinpipe-kind), the API's builder. */
#ifndef PINPIPE_EMU_SINK_KAFKA_H
#define PINPIPE_EMU_SINK_KAFKA_H

#include <stdint.h>

#include "options.h"
#include "stream.h"

typedef struct {
    uint64_t sent, delivered, failed;
    double seconds;
} pp_emu_kafka_stats;

int pp_emu_kafka_run(pp_emu_stream *gen, const pp_emu_options *o, pp_emu_kafka_stats *st, char *err, size_t errlen);

#endif
