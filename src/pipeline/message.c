#include "pipeline/message.h"

#include <string.h>

#include "event/event_time.h"

int64_t pp_message_ingest_time(const pp_kafka_message *m) {
    for (size_t i = 0; i < m->nheaders; i++) {
        const pp_kafka_header *h = &m->headers[i];
        if (strcmp(h->name, PP_HDR_INGEST_TIME) != 0 || !h->value || h->value_len == 0 || h->value_len > 18) continue;
        int64_t v = 0;
        const char *s = h->value;
        size_t k = 0;
        for (; k < h->value_len && s[k] >= '0' && s[k] <= '9'; k++) v = v * 10 + (s[k] - '0');
        if (k == h->value_len) return pp_event_time_in_range(v) ? v : -1;
    }
    return pp_event_time_in_range(m->timestamp_ms) ? m->timestamp_ms : -1;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

void pp_message_key(const char *id, size_t len, const void **key, size_t *key_len) {
    size_t start = 0;
    while (start < len && is_space(id[start])) start++;
    while (len > start && is_space(id[len - 1])) len--;
    *key = id + start;
    *key_len = len - start;
}
