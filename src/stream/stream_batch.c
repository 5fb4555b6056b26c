#include "stream/stream_batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "contract/message.h"

static int clean_item(pp_stream_item *it, const pp_clean_opts *o);
static void clear_record(pp_stream_item *it);

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
        it->rec.kind = PP_KIND_PIN;
        it->refetched = seen_before(b, b->n - 1);
        if (it->refetched) {
            it->cleaned = 0;
            memset(&it->rej, 0, sizeof it->rej);
            continue;
        }
        it->ingest_time_ms = pp_message_ingest_time(m);
        o.ingest_time_ms = it->ingest_time_ms;
        it->cleaned = clean_item(it, &o);
    }
}

/* Cleans the message by its kind; 1 when it is a record, 0 a reject. */
static int clean_item(pp_stream_item *it, const pp_clean_opts *o) {
    const pp_kafka_message *m = it->msg;
    const char *value = m->value ? m->value : "";
    /* a header naming no kind: a pin, as the lake writer files it (both paths agree) */
    if (pp_message_kind(m, &it->rec.kind) != 0) it->rec.kind = PP_KIND_PIN;
    switch (it->rec.kind) {
    case PP_KIND_GEO: return pp_clean_geo(value, m->value_len, o, &it->rec.geo, &it->rej, NULL) == 0;
    case PP_KIND_USER: return pp_clean_user(value, m->value_len, o, &it->rec.user, &it->rej, NULL) == 0;
    default: return pp_clean(value, m->value_len, o, &it->rec.pin, &it->rej, NULL) == 0;
    }
}

/* Frees the member of the item's kind (the only one cleaning filled). */
static void clear_record(pp_stream_item *it) {
    switch (it->rec.kind) {
    case PP_KIND_GEO: pp_geo_clear(&it->rec.geo); break;
    case PP_KIND_USER: pp_user_clear(&it->rec.user); break;
    default: pp_pin_clear(&it->rec.pin); break;
    }
}

void pp_stream_batch_clear(pp_stream_batch *b) {
    for (size_t i = 0; i < b->n; i++)
        if (b->items[i].cleaned) clear_record(&b->items[i]);
    b->n = 0;
}

const char *pp_stream_item_day(const pp_stream_item *it) {
    if (!it->cleaned) return it->rej.day;
    switch (it->rec.kind) {
    case PP_KIND_GEO: return it->rec.geo.event_day;
    case PP_KIND_USER: return it->rec.user.event_day;
    default: return it->rec.pin.event_day;
    }
}

int64_t pp_stream_item_ind(const pp_stream_item *it) {
    switch (it->rec.kind) {
    case PP_KIND_GEO: return it->rec.geo.ind;
    case PP_KIND_USER: return it->rec.user.ind;
    default: return it->rec.pin.ind;
    }
}

void pp_stream_item_refuse(pp_stream_item *it, const char *why) {
    char day[sizeof it->rej.day];
    snprintf(day, sizeof day, "%s", pp_stream_item_day(it));
    if (it->cleaned) clear_record(it);
    it->cleaned = 0;
    char detail[sizeof it->rej.detail];
    snprintf(detail, sizeof detail, "PostgreSQL refused to store it: %s", why);
    pp_reject_set(&it->rej, "store_refused", detail, it->ingest_time_ms);
    it->rej.kind = it->rec.kind;
    if (day[0]) memcpy(it->rej.day, day, sizeof day);
}

void pp_stream_batch_free(pp_stream_batch *b) {
    pp_stream_batch_clear(b);
    free(b->items);
    memset(b, 0, sizeof *b);
}
