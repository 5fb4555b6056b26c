/* pinpipe produce — produces a file of raw events to Kafka as the API would:
 * key = unique_id, headers pinpipe-ingest-time and pinpipe-schema, every delivery
 * confirmed. Unlike the API it does not validate: lines that are not events are
 * produced as they are (that is how tests make poison messages). Mixed input (the
 * emulator's --kinds all file, contract/mixed_line.h) sends each event of a kind to
 * that kind's topic, as the API does. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli_io.h"
#include "cli/commands.h"
#include "cli/cli_opts.h"
#include "common/options.h"
#include "kafka/kafka_conf.h"
#include "common/error.h"
#include "common/line_reader.h"
#include "common/log.h"
#include "event/event_time.h"
#include "contract/event_producer.h"
#include "contract/mixed_line.h"
#include "event/kind.h"
#include "event/kind_event.h"

enum { INPUT_AUTO, INPUT_RAW, INPUT_MIXED };

typedef struct {
    const char *brokers, *topic, *geo_topic, *users_topic;
    long partitions, rate; /* 0: none, no limit */
    int64_t ingest_time;   /* -1: now */
    int input;
} produce_cfg;

/* --input auto|raw|mixed */
static int opt_input(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen) {
    (void)from;
    static const char *const NAMES[] = {"auto", "raw", "mixed"};
    for (int i = 0; i < 3; i++)
        if (!strcmp(val, NAMES[i])) {
            ((produce_cfg *)cfg)->input = i;
            return PP_OK;
        }
    pp_errf(err, errlen, "--%s: auto, raw or mixed, not '%s'", o->flag, val);
    return PP_EINVAL;
}

#define F(x) offsetof(produce_cfg, x)
static const pp_opt ROWS[] = {
    CLI_ROW_BROKERS(F(brokers), "Kafka bootstrap servers"),
    CLI_ROW_TOPIC(F(topic), "the topic"),
    {"partitions", 0, "N", NULL, NULL, pp_opt_long, F(partitions), 1, 10000, 0,
     "create the topic with N partitions first when it is missing (with mixed input, the kinds' topics too)"},
    CLI_ROW_INGEST_TIME(produce_cfg,
                        "ingest time written into the headers ('YYYY-MM-DD HH:MM:SS' or ISO-8601; "
                        "default: now) -- fixing it makes runs comparable with `pinpipe metrics "
                        "--ingest-time TIME`"),
    {"rate", 0, "N", NULL, NULL, pp_opt_long, F(rate), 1, 100000000, 0,
     "at most N events per second (default: as fast as possible)"},
    {"input", 0, "auto|raw|mixed", NULL, "auto", opt_input, 0, 0, 0, 0,
     "what the lines are: raw events (pins), or mixed input of every kind as `pinpipe-emulate --kinds all "
     "--out` writes it ({\"kind\":\"geo\",\"event\":{...}}); auto: decided by the first line"},
    {"geo-topic", 0, "NAME", "PINPIPE_GEO_TOPIC", NULL, pp_opt_str, F(geo_topic), 0, 0, 0,
     "topic of mixed input's geo events, keyed by ind (default: geo when the topic is pins, else none: "
     "a geo event is then refused)"},
    {"users-topic", 0, "NAME", "PINPIPE_USERS_TOPIC", NULL, pp_opt_str, F(users_topic), 0, 0, 0,
     "topic of mixed input's user events, keyed by ind (default: users when the topic is pins, else none)"},
    CLI_ROW_HELP,
};
#undef F

static const char HEAD[] = "usage: pinpipe produce [options] [FILE|-]\n"
                           "\n"
                           "Produces every non-empty line of FILE (JSON lines of raw events) to Kafka with the\n"
                           "API's message contract (docs/architecture.md): key = unique_id when the line is an\n"
                           "event, headers pinpipe-ingest-time and pinpipe-schema. Lines are not validated, so\n"
                           "malformed ones reach Kafka as they are (poison messages for tests). Mixed input\n"
                           "(--input mixed) sends each event to its kind's topic as the API would: a pin to\n"
                           "--topic keyed by unique_id, a geo or user event to --geo-topic / --users-topic keyed\n"
                           "by ind, with the pinpipe-kind header and the line's ingest_time when it has one.\n"
                           "Waits for every delivery report.\n"
                           "\n"
                           "options (environment variable and default in brackets; flags win):\n";
static const char TAIL[] =
    "\n"
    "exit status: 0 all delivered, 1 some not delivered (or a mixed-input line refused), 2 bad usage,\n"
    "3 input error\n";
const pp_opts_spec CLI_PRODUCE_SPEC = PP_OPTS_SPEC("produce", ROWS, HEAD, TAIL);

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sends one mixed-input line to its kind's topic; PP_EINVAL with err when the line
 * is not mixed input or its kind has no topic (the line is refused, nothing sent). */
static int send_mixed(pp_event_producer *prod, const produce_cfg *cfg, const char *line, size_t len, pp_strbuf *event,
                      char *err, size_t errlen) {
    pp_kind kind;
    int64_t ingest_time = cfg->ingest_time;
    const char *why = NULL;
    pp_sb_reset(event);
    if (pp_mixed_line_parse(line, len, &kind, &ingest_time, event, &why)) {
        pp_errf(err, errlen, "not a mixed-input line: %s", why);
        return PP_EINVAL;
    }
    if (kind == PP_KIND_PIN) return pp_event_producer_send(prod, event->data, event->len, ingest_time, err, errlen);
    const char *topic = pp_kind_topic(kind, kind == PP_KIND_GEO ? cfg->geo_topic : cfg->users_topic, cfg->topic);
    if (!topic || !*topic) {
        pp_errf(err, errlen, "a %s event, but %s events are off (no topic: --%s)", pp_kind_name(kind),
                pp_kind_name(kind), kind == PP_KIND_GEO ? "geo-topic" : "users-topic");
        return PP_EINVAL;
    }
    pp_kind_event ev; /* only for its ind, the key: the event is sent as it is, valid or not */
    pp_kind_event_parse(&ev, kind, event->data, event->len, NULL, 0);
    int rc = pp_event_producer_send_kind(prod, kind, topic, event->data, event->len, ev.present[0], ev.i[0],
                                         ingest_time, err, errlen);
    pp_kind_event_clear(&ev);
    return rc;
}

/* With --partitions, the kinds' topics are created too for mixed input. */
static int create_kind_topics(pp_event_producer *prod, const produce_cfg *cfg, char *err, size_t errlen) {
    for (int k = PP_KIND_GEO; k <= PP_KIND_USER; k++) {
        const char *t = pp_kind_topic((pp_kind)k, k == PP_KIND_GEO ? cfg->geo_topic : cfg->users_topic, cfg->topic);
        if (t && *t && pp_event_producer_create_topic(prod, t, (int)cfg->partitions, err, errlen)) return PP_EINVAL;
    }
    return PP_OK;
}

int cmd_produce(int argc, char **argv) {
    produce_cfg cfg = {.ingest_time = -1};
    int next, parsed = pp_opts_parse(&CLI_PRODUCE_SPEC, &cfg, argc, argv, &next);
    if (parsed != PP_OPTS_RUN) return pp_opts_exit(parsed);
    const char *brokers = cfg.brokers, *topic = cfg.topic;
    long partitions = cfg.partitions, rate = cfg.rate;
    int64_t ingest_time = cfg.ingest_time;
    const char *path = next < argc ? argv[next] : "-";
    FILE *in = pp_cli_open_in("produce", path);
    if (!in) return 3;
    char err[512] = "";
    pp_event_producer *prod = NULL;
    int rc = 1;
    if (pp_event_producer_create(&prod, brokers, topic, (int)partitions, err, sizeof err)) goto out;
    pp_line_reader *reader = pp_line_reader_create(in, 16 * 1024 * 1024);
    pp_strbuf event;
    pp_sb_init(&event);
    int input = cfg.input, aborted = 0;
    const char *line;
    size_t len, lineno;
    unsigned long sent = 0, send_failed = 0, delivered = 0, failed = 0;
    int64_t started = now_ms();
    pp_line_status st;
    while ((st = pp_line_reader_next(reader, &line, &len, &lineno)) != PP_LINE_EOF) {
        if (st != PP_LINE_OK) {
            fprintf(stderr, "pinpipe produce: %s:%zu: %s, skipped\n", pp_cli_name(path), lineno,
                    st == PP_LINE_TOO_LONG ? "line over 16 MiB" : "read error");
            if (st == PP_LINE_ERROR) break;
            continue;
        }
        if (len == 0) continue;
        if (input == INPUT_AUTO) input = pp_mixed_line_sniff(line, len) ? INPUT_MIXED : INPUT_RAW;
        if (input == INPUT_MIXED && partitions > 0 && sent + send_failed == 0 &&
            create_kind_topics(prod, &cfg, err, sizeof err)) {
            fprintf(stderr, "pinpipe produce: %s\n", err);
            aborted = 1;
            break;
        }
        while (rate && (int64_t)sent * 1000 > (now_ms() - started) * rate) { /* pace to --rate */
            struct timespec pause = {0, 200000};
            nanosleep(&pause, NULL);
        }
        int src = input == INPUT_MIXED ? send_mixed(prod, &cfg, line, len, &event, err, sizeof err)
                                       : pp_event_producer_send(prod, line, len, ingest_time, err, sizeof err);
        if (src) {
            fprintf(stderr, "pinpipe produce: %s:%zu: %s\n", pp_cli_name(path), lineno, err);
            send_failed++;
            continue;
        }
        sent++;
    }
    pp_line_reader_destroy(reader);
    pp_sb_free(&event);
    if (pp_event_producer_finish(prod, 60000, &delivered, &failed, err, sizeof err))
        fprintf(stderr, "pinpipe produce: %s\n", err);
    fprintf(stderr, "pinpipe produce: %lu sent, %lu delivered, %lu failed to %s", sent, delivered, failed + send_failed,
            topic);
    if (input == INPUT_MIXED)
        for (int k = PP_KIND_GEO; k <= PP_KIND_USER; k++) {
            const char *t = pp_kind_topic((pp_kind)k, k == PP_KIND_GEO ? cfg.geo_topic : cfg.users_topic, topic);
            fprintf(stderr, ", %s", t && *t ? t : k == PP_KIND_GEO ? "(geo off)" : "(users off)");
        }
    fputc('\n', stderr);
    rc = aborted || failed || send_failed || delivered != sent ? 1 : 0;
    err[0] = '\0';
out:
    if (err[0] && rc) fprintf(stderr, "pinpipe produce: %s\n", err);
    pp_event_producer_destroy(prod);
    pp_cli_close(in);
    return rc;
}
