#include "batch/batch_coverage.h"

#include <stdlib.h>
#include <time.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/strbuf.h"
#include "event/event_time.h"
#include "kafka/kafka_conf.h"
#include "kafka/kafka_group.h"

/* Appends {"<partition>": offset|null, ...} of topic's committed offsets. */
static int put_committed(pp_strbuf *sb, const char *brokers, const char *topic, const char *group, int timeout_ms,
                         char *err, size_t errlen) {
    pp_kafka_conf kc;
    pp_kafka_committed *c = NULL;
    size_t n = 0;
    char why[512];
    int rc = pp_kafka_conf_for(&kc, brokers, NULL, NULL, why, sizeof why);
    if (rc == PP_OK) rc = pp_kafka_group_committed(&kc, topic, group, timeout_ms, &c, &n, why, sizeof why);
    pp_kafka_conf_free(&kc);
    if (rc) {
        pp_errf(err, errlen, "Kafka: reading the committed offsets of group %s on topic %s: %s", group, topic, why);
        return rc;
    }
    pp_sb_putc(sb, '{');
    for (size_t i = 0; i < n; i++) {
        pp_sb_printf(sb, "%s\"%d\":", i ? "," : "", (int)c[i].partition);
        if (c[i].offset >= 0)
            pp_sb_put_i64(sb, c[i].offset);
        else
            pp_sb_puts(sb, "null");
    }
    pp_sb_putc(sb, '}');
    free(c);
    return PP_OK;
}

int pp_batch_coverage_json_topics(const char *brokers, const char *const *topics, size_t ntopics, const char *group,
                                  int timeout_ms, char **json, char *err, size_t errlen) {
    *json = NULL;
    char at[25];
    pp_event_time_iso(pp_wall_ms(), at);
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_sb_puts(&sb, "{\"source\":\"lake_group\",\"group\":");
    pp_sb_json_cstr(&sb, group);
    pp_sb_puts(&sb, ",\"topic\":");
    pp_sb_json_cstr(&sb, topics[0]);
    pp_sb_printf(&sb, ",\"at\":\"%s\",\"next_offsets\":", at);
    int rc = put_committed(&sb, brokers, topics[0], group, timeout_ms, err, errlen);
    if (rc == PP_OK && ntopics > 1) {
        pp_sb_puts(&sb, ",\"more_topics\":{");
        for (size_t i = 1; rc == PP_OK && i < ntopics; i++) {
            if (i > 1) pp_sb_putc(&sb, ',');
            pp_sb_json_cstr(&sb, topics[i]);
            pp_sb_putc(&sb, ':');
            rc = put_committed(&sb, brokers, topics[i], group, timeout_ms, err, errlen);
        }
        pp_sb_putc(&sb, '}');
    }
    pp_sb_putc(&sb, '}');
    if (rc == PP_OK)
        *json = pp_sb_steal(&sb);
    else
        pp_sb_free(&sb);
    return rc;
}

int pp_batch_coverage_json(const char *brokers, const char *topic, const char *group, int timeout_ms, char **json,
                           char *err, size_t errlen) {
    return pp_batch_coverage_json_topics(brokers, &topic, 1, group, timeout_ms, json, err, errlen);
}

char *pp_batch_read_json(const pp_batch_spool *s) {
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_sb_putc(&sb, '{');
    size_t n = pp_batch_spool_count(s);
    for (size_t i = 0; i < n; i++) {
        const pp_batch_rec *r = pp_batch_spool_rec(s, i);
        const pp_batch_rec *prev = i ? pp_batch_spool_rec(s, i - 1) : NULL;
        const pp_batch_rec *next = i + 1 < n ? pp_batch_spool_rec(s, i + 1) : NULL;
        if (!prev || prev->topic != r->topic) { /* a topic starts */
            if (prev) pp_sb_puts(&sb, "},");
            pp_sb_json_cstr(&sb, pp_batch_spool_topic(s, r->topic));
            pp_sb_puts(&sb, ":{");
        }
        /* sorted: the last record of a partition has its highest offset */
        if (!next || next->topic != r->topic || next->partition != r->partition) {
            pp_sb_printf(&sb, "%s\"%d\":", sb.data[sb.len - 1] == '{' ? "" : ",", (int)r->partition);
            pp_sb_put_i64(&sb, r->offset + 1);
        }
    }
    if (n) pp_sb_putc(&sb, '}');
    pp_sb_putc(&sb, '}');
    return pp_sb_steal(&sb);
}
