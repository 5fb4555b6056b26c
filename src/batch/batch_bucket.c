#include "batch/batch_bucket.h"

int32_t pp_pins_bucket(const char *unique_id) {
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)unique_id; p && *p; p++) {
        h ^= *p;
        h *= 16777619u;
    }
    return (int32_t)(h % PP_PINS_BUCKETS);
}
