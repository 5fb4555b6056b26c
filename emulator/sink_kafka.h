/* sink_kafka — the emulator's direct mode: produce every event straight to Kafka
 * (no API) with the API's message contract, for tests of the paths behind it.
 * Uses src/contract/event_producer.h, as `pinpipe produce` does. */
#ifndef PINPIPE_EMU_SINK_KAFKA_H
#define PINPIPE_EMU_SINK_KAFKA_H

#include <stdint.h>

#include "generate.h"
#include "manifest.h"
#include "options.h"

typedef struct {
    uint64_t sent, delivered, failed;
    double seconds;
} pp_emu_kafka_stats;

int pp_emu_kafka_run(pp_emu_gen *gen, pp_manifest *man, const pp_emu_options *o, pp_emu_kafka_stats *st, char *err,
                     size_t errlen);

#endif
