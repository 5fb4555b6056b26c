/* pinpipe lake status — does the lake hold a day completely? (lake/lake_status.h) */
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/batch_days.h"
#include "batch/batch_load.h"
#include "cli/cli_opts.h"
#include "cli/commands.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/options.h"
#include "common/mem.h"
#include "event/event_time.h"
#include "event/kind.h"
#include "kafka/kafka_conf.h"
#include "lake/lake_status.h"
#include "s3/s3_client.h"
#include "s3/s3_config.h"

typedef struct {
    const char *date, *brokers, *topic, *geo_topic, *users_topic, *group, *bucket, *prefix;
    long allowance_s;
    int json;
} status_cfg;

#define F(x) offsetof(status_cfg, x)
static const pp_opt ROWS[] = {
    {"date", 0, "DAY", NULL, NULL, pp_opt_str, F(date), 0, 0, 0, "the day (YYYY-MM-DD, UTC event day)"},
    {"allowance-s", 0, "S", "PINPIPE_LAKE_ALLOWANCE_S", "3600", pp_opt_long, F(allowance_s), 0, 365L * 86400, 0,
     "late events of the day arriving up to S seconds after its end (by Kafka's message timestamps) still count"},
    CLI_ROW_BROKERS(F(brokers), "Kafka"),
    CLI_ROW_TOPIC(F(topic), "the lake writer's pins topic"),
    {"geo-topic", 0, "NAME", "PINPIPE_GEO_TOPIC", NULL, pp_opt_str, F(geo_topic), 0, 0, 0,
     "its geo topic (docs/joins.md; default geo beside the pins topic pins, else none; empty: none)"},
    {"users-topic", 0, "NAME", "PINPIPE_USERS_TOPIC", NULL, pp_opt_str, F(users_topic), 0, 0, 0,
     "its users topic (default users beside the pins topic pins, else none; empty: none)"},
    {"lake-group", 0, "NAME", "PINPIPE_LAKE_GROUP", "pinpipe-lake", pp_opt_str, F(group), 0, 0, 0,
     "the lake writer's consumer group (its committed offsets, read without joining)"},
    {"bucket", 0, "NAME", "PINPIPE_S3_BUCKET", "pinpipe-lake", pp_opt_str, F(bucket), 0, 0, 0, "lake bucket"},
    {"prefix", 0, "P", "PINPIPE_LAKE_PREFIX", "raw/", pp_opt_str, F(prefix), 0, 0, 0, "lake key prefix"},
    {"json", 0, NULL, NULL, NULL, pp_opt_true, F(json), 0, 0, 0, "one JSON object instead of text"},
    CLI_ROW_HELP,
};
#undef F

static const char HEAD[] =
    "usage: pinpipe lake status --date DAY [--allowance-s S] [--json] [options]\n"
    "\n"
    "Says whether the lake holds DAY completely: for every partition of its topics (pins,\n"
    "and geo and users when the pipeline carries them: a topic nobody created is empty), the\n"
    "lake writer group's committed offset is at or past the first offset whose Kafka\n"
    "message timestamp is >= DAY+1 00:00:00 UTC + S; or, when the partition has no\n"
    "message that late, the committed offset equals the high watermark and the clock is\n"
    "past DAY+1 + S. Prints why per partition, and the objects/bytes under dt=DAY/.\n"
    "--json: {\"day\",\"complete\",\"allowance_s\",\"partitions\":[{\"topic\",\"partition\",\"committed\",\n"
    "\"needed\",\"high\",\"ok\",\"why\"}],\"lake\":{\"objects\",\"bytes\"}} (docs/lake.md).\n"
    "\n"
    "options (environment variable and default in brackets; flags win):\n";
static const char TAIL[] = "\n"
                           "S3 endpoint and credentials: PINPIPE_S3_ENDPOINT, _REGION, _ACCESS_KEY, _SECRET_KEY.\n"
                           "exit status: 0 complete, 3 not complete yet, 4 cannot tell (Kafka or S3\n"
                           "unreachable), 2 bad usage\n";
const pp_opts_spec CLI_LAKE_STATUS_SPEC = PP_OPTS_SPEC("lake status", ROWS, HEAD, TAIL);

static void print(const status_cfg *c, const pp_lake_part_status *p, size_t n, int complete, uint64_t objects,
                  uint64_t bytes) {
    if (!c->json) {
        printf("lake day=%s complete=%s allowance_s=%ld objects=%llu bytes=%llu\n", c->date, complete ? "yes" : "no",
               c->allowance_s, (unsigned long long)objects, (unsigned long long)bytes);
        for (size_t i = 0; i < n; i++)
            printf("  %s partition %d: %s: %s\n", p[i].topic, (int)p[i].partition, p[i].ok ? "ok" : "not yet",
                   p[i].why);
        return;
    }
    json_t *parts = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(parts,
                              json_pack("{s:s,s:i,s:I,s:I,s:I,s:b,s:s}", "topic", p[i].topic, "partition",
                                        (int)p[i].partition, "committed", (json_int_t)p[i].committed, "needed",
                                        (json_int_t)p[i].needed, "high", (json_int_t)p[i].high, "ok", p[i].ok, "why",
                                        p[i].why));
    json_t *o = json_pack("{s:s,s:b,s:I,s:o,s:{s:I,s:I}}", "day", c->date, "complete", complete, "allowance_s",
                          (json_int_t)c->allowance_s, "partitions", parts, "lake", "objects", (json_int_t)objects,
                          "bytes", (json_int_t)bytes);
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    printf("%s\n", s ? s : "{}");
    free(s);
    json_decref(o);
}

int cmd_lake_status(int argc, char **argv) {
    status_cfg c = {0};
    int next, rc = pp_opts_parse(&CLI_LAKE_STATUS_SPEC, &c, argc, argv, &next);
    if (rc != PP_OPTS_RUN) return pp_opts_exit(rc);
    int64_t day_ms;
    if (next < argc || !c.date || !pp_batch_day_valid(c.date) || pp_day_parse(c.date, &day_ms) != 0) {
        fprintf(stderr, "pinpipe lake status: say which day: --date YYYY-MM-DD\n");
        return 2;
    }
    int64_t deadline = day_ms + 86400LL * 1000 + (int64_t)c.allowance_s * 1000;
    char err[1024], why[768];
    pp_kafka_conf kc;
    pp_lake_part_status *p = NULL;
    size_t n = 0;
    uint64_t objects = 0, bytes = 0;
    s3_client *s3 = NULL;
    memset(&kc, 0, sizeof kc);
    rc = pp_kafka_conf_for(&kc, c.brokers, NULL, "pinpipe-lake-status", err, sizeof err);
    const char *topics[3] = {c.topic, pp_kind_topic(PP_KIND_GEO, c.geo_topic, c.topic),
                             pp_kind_topic(PP_KIND_USER, c.users_topic, c.topic)};
    for (size_t t = 0; !rc && t < 3; t++) {
        if (!topics[t]) continue; /* a kind the pipeline does not carry */
        pp_lake_part_status *tp = NULL;
        size_t tn = 0;
        rc = pp_lake_status_query(&kc, topics[t], c.group, deadline, 10000, &tp, &tn, err, sizeof err);
        if (rc == PP_ENOTFOUND && t > 0) { /* a geo or users topic nobody created yet: nothing to wait for */
            rc = PP_OK;
            continue;
        }
        if (rc) break;
        p = pp_xrealloc(p, (n + tn) * sizeof *p);
        for (size_t i = 0; i < tn; i++) p[n + i] = tp[i], p[n + i].topic = topics[t];
        n += tn;
        free(tp);
    }
    if (!rc) {
        s3_config sc;
        s3_config_defaults(&sc);
        s3_config_from_env(&sc);
        sc.bucket = c.bucket;
        rc = s3_client_create(&sc, &s3, why, sizeof why);
        if (!rc) rc = pp_batch_lake_size(s3, c.prefix, c.date, &objects, &bytes, why, sizeof why);
        if (rc) pp_errf(err, sizeof err, "S3: %s", why);
    }
    int complete = 0;
    if (!rc) {
        complete = pp_lake_status_decide(p, n, deadline, pp_wall_ms());
        print(&c, p, n, complete, objects, bytes);
    } else {
        fprintf(stderr, "pinpipe lake status: %s\n", err);
    }
    s3_client_destroy(s3);
    free(p);
    pp_kafka_conf_free(&kc);
    if (rc) return 4;
    return complete ? 0 : 3;
}
