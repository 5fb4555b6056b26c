#include "stream/stream_batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "contract/message.h"

void pp_stream_batch_init(pp_stream_batch *b) { memset(b, 0, sizeof *b); }

/* Is an earlier item of the same partition at this offset or past it? */
static int seen_before(const pp_stream_batch *b, size_t i) {
    const pp_kafka_message *m = b->items[i].msg;
    for (size_t k = i; k-- > 0;) {
        const pp_kafka_message *e = b->items[k].msg;
        if (e->partition == m->partition && strcmp(e->topic, m->topic) == 0 && !b->items[k].refetched)
            return e->offset >= m->offset;
    }
    return 0;
}

void pp_stream_batch_prepare(pp_stream_batch *b, const pp_kafka_batch *kb, const pp_clean_opts *opts) {
    pp_stream_batch_clear(b);
    if (kb->count > b->cap) {
        b->items = pp_xrealloc(b->items, kb->count * sizeof *b->items);
        b->cap = kb->count;
    }
    for (size_t i = 0; i < kb->count; i++) {
        pp_stream_item *it = &b->items[b->n++];
        const pp_kafka_message *m = &kb->msgs[i];
        pp_clean_opts o = *opts;
        it->msg = m;
        it->raw_as_base64 = 0;
        it->refetched = seen_before(b, b->n - 1);
        if (it->refetched) {
            it->cleaned = 0;
            memset(&it->rej, 0, sizeof it->rej);
            continue;
        }
        it->ingest_time_ms = pp_message_ingest_time(m);
        o.ingest_time_ms = it->ingest_time_ms;
        const char *value = m->value ? m->value : "";
        it->cleaned = pp_clean(value, m->value_len, &o, &it->pin, &it->rej, NULL) == 0;
    }
}

void pp_stream_batch_clear(pp_stream_batch *b) {
    for (size_t i = 0; i < b->n; i++)
        if (b->items[i].cleaned) pp_pin_clear(&b->items[i].pin);
    b->n = 0;
}

void pp_stream_item_refuse(pp_stream_item *it, const char *why) {
    char day[sizeof it->rej.day];
    memcpy(day, it->cleaned ? it->pin.event_day : it->rej.day, sizeof day);
    day[sizeof day - 1] = '\0';
    if (it->cleaned) pp_pin_clear(&it->pin);
    it->cleaned = 0;
    char detail[sizeof it->rej.detail];
    snprintf(detail, sizeof detail, "PostgreSQL refused to store it: %s", why);
    pp_reject_set(&it->rej, "store_refused", detail, it->ingest_time_ms);
    if (day[0]) memcpy(it->rej.day, day, sizeof day);
}

void pp_stream_batch_free(pp_stream_batch *b) {
    pp_stream_batch_clear(b);
    free(b->items);
    memset(b, 0, sizeof *b);
}
