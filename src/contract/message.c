#include "contract/message.h"

#include <stdio.h>
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

static void build(pp_message *m, pp_kind kind, const char *topic, const void *value, size_t len, char schema,
                  int64_t ingest_time_ms) {
    memset(m, 0, sizeof *m);
    snprintf(m->ingest, sizeof m->ingest, "%lld", (long long)ingest_time_ms);
    m->schema[0] = schema;
    const char *kind_name = pp_kind_name(kind);
    m->headers[0] = (pp_kafka_header){PP_HDR_INGEST_TIME, m->ingest, strlen(m->ingest)};
    m->headers[1] = (pp_kafka_header){PP_HDR_SCHEMA, m->schema, 1};
    m->headers[2] = (pp_kafka_header){PP_HDR_KIND, kind_name, strlen(kind_name)};
    m->rec = (pp_kafka_record){.topic = topic,
                               .partition = PP_KAFKA_PARTITION_ANY,
                               .value = value,
                               .value_len = len,
                               .headers = m->headers,
                               .nheaders = 3,
                               .timestamp_ms = 0};
}

void pp_message_build_kind(pp_message *m, pp_kind kind, const char *topic, const void *value, size_t len, int has_ind,
                           int64_t ind, int64_t ingest_time_ms) {
    build(m, kind, topic, value, len, '1', ingest_time_ms);
    if (!has_ind) return;
    snprintf(m->key, sizeof m->key, "%lld", (long long)ind);
    m->rec.key = m->key;
    m->rec.key_len = strlen(m->key);
}

int pp_message_kind(const pp_kafka_message *m, pp_kind *kind) {
    for (size_t i = 0; i < m->nheaders; i++) {
        const pp_kafka_header *h = &m->headers[i];
        if (strcmp(h->name, PP_HDR_KIND) != 0) continue;
        return h->value ? pp_kind_parse(h->value, h->value_len, kind) : -1;
    }
    *kind = PP_KIND_PIN;
    return 0;
}

void pp_message_build(pp_message *m, const char *topic, const void *value, size_t len, const pp_event *ev,
                      int64_t ingest_time_ms) {
    build(m, PP_KIND_PIN, topic, value, len, ev->schema_version == 2 ? '2' : '1', ingest_time_ms);
    if (ev->present[PP_F_UNIQUE_ID])
        pp_message_key(ev->str[PP_F_UNIQUE_ID], ev->len[PP_F_UNIQUE_ID], &m->rec.key, &m->rec.key_len);
}
