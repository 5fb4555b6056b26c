/* pinpipe produce — produces a file of raw events to Kafka as the API would:
 * key = unique_id, headers pinpipe-ingest-time and pinpipe-schema, every delivery
 * confirmed. Unlike the API it does not validate: lines that are not events are
 * produced as they are (that is how tests make poison messages). */
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

typedef struct {
    const char *brokers, *topic;
    long partitions, rate; /* 0: none, no limit */
    int64_t ingest_time;   /* -1: now */
} produce_cfg;

#define F(x) offsetof(produce_cfg, x)
static const pp_opt ROWS[] = {
    CLI_ROW_BROKERS(F(brokers), "Kafka bootstrap servers"),
    CLI_ROW_TOPIC(F(topic), "the topic"),
    {"partitions", 0, "N", NULL, NULL, pp_opt_long, F(partitions), 1, 10000, 0,
     "create the topic with N partitions first when it is missing"},
    CLI_ROW_INGEST_TIME(produce_cfg,
                        "ingest time written into the headers ('YYYY-MM-DD HH:MM:SS' or ISO-8601; "
                        "default: now) -- fixing it makes runs comparable with `pinpipe metrics "
                        "--ingest-time TIME`"),
    {"rate", 0, "N", NULL, NULL, pp_opt_long, F(rate), 1, 100000000, 0,
     "at most N events per second (default: as fast as possible)"},
    CLI_ROW_HELP,
};
#undef F

static const char HEAD[] = "usage: pinpipe produce [options] [FILE|-]\n"
                           "\n"
                           "Produces every non-empty line of FILE (JSON lines of raw events) to Kafka with the\n"
                           "API's message contract (docs/architecture.md): key = unique_id when the line is an\n"
                           "event, headers pinpipe-ingest-time and pinpipe-schema. Lines are not validated, so\n"
                           "malformed ones reach Kafka as they are (poison messages for tests). Waits for every\n"
                           "delivery report.\n"
                           "\n"
                           "options (environment variable and default in brackets; flags win):\n";
static const char TAIL[] = "\n"
                           "exit status: 0 all delivered, 1 some not delivered, 2 bad usage, 3 input error\n";
const pp_opts_spec CLI_PRODUCE_SPEC = PP_OPTS_SPEC("produce", ROWS, HEAD, TAIL);

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
        while (rate && (int64_t)sent * 1000 > (now_ms() - started) * rate) { /* pace to --rate */
            struct timespec pause = {0, 200000};
            nanosleep(&pause, NULL);
        }
        if (pp_event_producer_send(prod, line, len, ingest_time, err, sizeof err)) {
            fprintf(stderr, "pinpipe produce: %s:%zu: %s\n", pp_cli_name(path), lineno, err);
            send_failed++;
            continue;
        }
        sent++;
    }
    pp_line_reader_destroy(reader);
    if (pp_event_producer_finish(prod, 60000, &delivered, &failed, err, sizeof err))
        fprintf(stderr, "pinpipe produce: %s\n", err);
    fprintf(stderr, "pinpipe produce: %lu sent, %lu delivered, %lu failed to %s\n", sent, delivered,
            failed + send_failed, topic);
    rc = failed || send_failed || delivered != sent ? 1 : 0;
    err[0] = '\0';
out:
    if (err[0] && rc) fprintf(stderr, "pinpipe produce: %s\n", err);
    pp_event_producer_destroy(prod);
    pp_cli_close(in);
    return rc;
}
