/* pinpipe produce — produces a file of raw events to Kafka as the API would:
 * key = unique_id, headers pinpipe-ingest-time and pinpipe-schema, every delivery
 * confirmed. Unlike the API it does not validate: lines that are not events are
 * produced as they are (that is how tests make poison messages). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli_io.h"
#include "cli/commands.h"
#include "common/config.h"
#include "common/error.h"
#include "common/line_reader.h"
#include "common/log.h"
#include "event/event_time.h"
#include "contract/event_producer.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: pinpipe produce [options] [FILE|-]\n"
            "\n"
            "Produces every non-empty line of FILE (JSON lines of raw events) to Kafka with the\n"
            "API's message contract (docs/architecture.md): key = unique_id when the line is an\n"
            "event, headers pinpipe-ingest-time and pinpipe-schema. Lines are not validated, so\n"
            "malformed ones reach Kafka as they are (poison messages for tests). Waits for every\n"
            "delivery report.\n"
            "\n"
            "options:\n"
            "  --brokers LIST       [PINPIPE_KAFKA_BROKERS] (127.0.0.1:19092)\n"
            "  --topic NAME         [PINPIPE_TOPIC] (pins)\n"
            "  --partitions N       create the topic with N partitions first when it is missing\n"
            "  --ingest-time TIME   ingest time written into the headers ('YYYY-MM-DD HH:MM:SS'\n"
            "                       or ISO-8601; default: now) -- fixing it makes runs comparable\n"
            "                       with `pinpipe metrics --ingest-time TIME`\n"
            "  --rate N             at most N events per second (default: as fast as possible)\n"
            "  -h, --help           this text\n"
            "\n"
            "exit status: 0 all delivered, 1 some not delivered, 2 bad usage, 3 input error\n");
}

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cmd_produce(int argc, char **argv) {
    static const struct option OPTS[] = {{"brokers", required_argument, 0, 'b'}, {"topic", required_argument, 0, 't'},
                                         {"partitions", required_argument, 0, 'p'},
                                         {"ingest-time", required_argument, 0, 'i'}, {"rate", required_argument, 0, 'r'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *brokers = pp_env_str("PINPIPE_KAFKA_BROKERS", "127.0.0.1:19092");
    const char *topic = pp_env_str("PINPIPE_TOPIC", "pins");
    long partitions = 0, rate = 0;
    int64_t ingest_time = -1;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", OPTS, NULL)) != -1) {
        switch (c) {
        case 'b': brokers = optarg; break;
        case 't': topic = optarg; break;
        case 'p':
            if (pp_parse_long(optarg, 1, 10000, &partitions)) {
                fprintf(stderr, "pinpipe produce: --partitions: 1..10000, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'i':
            if (pp_event_time_parse(optarg, strlen(optarg), &ingest_time)) {
                fprintf(stderr, "pinpipe produce: --ingest-time: not a time: '%s'\n", optarg);
                return 2;
            }
            break;
        case 'r':
            if (pp_parse_long(optarg, 1, 100000000, &rate)) {
                fprintf(stderr, "pinpipe produce: --rate: events per second, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    const char *path = optind < argc ? argv[optind] : "-";
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
