#include "pipeline/message.h"

#include <string.h>

int64_t pp_message_ingest_time(const pp_kafka_message *m) {
    for (size_t i = 0; i < m->nheaders; i++) {
        const pp_kafka_header *h = &m->headers[i];
        if (strcmp(h->name, PP_HDR_INGEST_TIME) != 0 || !h->value || h->value_len == 0 || h->value_len > 18) continue;
        int64_t v = 0;
        const char *s = h->value;
        size_t k = 0;
        for (; k < h->value_len && s[k] >= '0' && s[k] <= '9'; k++) v = v * 10 + (s[k] - '0');
        if (k == h->value_len) return v;
    }
    return m->timestamp_ms >= 0 ? m->timestamp_ms : -1;
}
