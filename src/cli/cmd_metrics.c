/* pinpipe metrics — raw or cleaned JSONL in, metrics out. */
#define _GNU_SOURCE /* memmem */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli_io.h"
#include "cli/commands.h"
#include "common/config.h"
#include "common/line_reader.h"
#include "event/event_time.h"
#include "metrics/tally.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: pinpipe metrics [options] [FILE|-]\n"
            "\n"
            "Computes pinpipe's metrics (docs/metrics.md) from JSON lines: raw events (they are\n"
            "cleaned first) or cleaned pins (the output of `pinpipe clean`). Each pin counts once\n"
            "per (event day, unique_id). Data-quality metrics (nulled_values, invalid_values,\n"
            "rejected_events) need raw input. Output is sorted by metric, day, key.\n"
            "\n"
            "options:\n"
            "  --format jsonl|csv      output format (default jsonl)\n"
            "  --input auto|raw|cleaned  what the lines are (default auto: decided by the first\n"
            "                          line: an object with `ind` is a cleaned pin)\n"
            "  --max-line BYTES        longest accepted line (default 1048576)\n"
            "  --ingest-time TIME      event time for raw events without a timestamp\n"
            "  -h, --help              this text\n"
            "\n"
            "exit status: 0 done, 1 a cleaned-input line could not be read, 2 bad usage,\n"
            "3 input error\n");
}

int cmd_metrics(int argc, char **argv) {
    static const struct option OPTS[] = {{"format", required_argument, 0, 'f'}, {"input", required_argument, 0, 'I'},
                                         {"max-line", required_argument, 0, 'm'}, {"ingest-time", required_argument, 0, 'i'},
                                         {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int csv = 0, mode = 0; /* mode: 0 auto, 1 raw, 2 cleaned */
    long max_line = pp_env_long("PINPIPE_MAX_LINE", PP_DEFAULT_MAX_LINE);
    int64_t ingest_time = -1;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", OPTS, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (strcmp(optarg, "csv") && strcmp(optarg, "jsonl")) {
                fprintf(stderr, "pinpipe metrics: --format: jsonl or csv, not '%s'\n", optarg);
                return 2;
            }
            csv = !strcmp(optarg, "csv");
            break;
        case 'I':
            mode = !strcmp(optarg, "auto") ? 0 : !strcmp(optarg, "raw") ? 1 : !strcmp(optarg, "cleaned") ? 2 : -1;
            if (mode < 0) {
                fprintf(stderr, "pinpipe metrics: --input: auto, raw or cleaned, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'm':
            if (pp_parse_long(optarg, 1, 1L << 30, &max_line)) {
                fprintf(stderr, "pinpipe metrics: --max-line: expected 1..1073741824, got '%s'\n", optarg);
                return 2;
            }
            break;
        case 'i':
            if (pp_event_time_parse(optarg, strlen(optarg), &ingest_time)) {
                fprintf(stderr, "pinpipe metrics: --ingest-time: not a time: '%s'\n", optarg);
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (argc - optind > 1) {
        fprintf(stderr, "pinpipe metrics: one input at most\n");
        return 2;
    }
    const char *path = optind < argc ? argv[optind] : "-";
    FILE *in = pp_cli_open_in("metrics", path);
    if (!in) return 3;
    pp_clean_opts opts;
    pp_clean_opts_default(&opts);
    pp_tally t;
    pp_tally_init(&t, &opts);
    pp_line_reader *reader = pp_line_reader_create(in, (size_t)max_line);
    const char *line;
    size_t len, lineno = 0;
    int rc = 0;
    pp_line_status st;
    while ((st = pp_line_reader_next(reader, &line, &len, &lineno)) != PP_LINE_EOF) {
        if (st == PP_LINE_ERROR) {
            fprintf(stderr, "pinpipe metrics: %s: read error after line %zu\n", pp_cli_name(path), lineno);
            rc = 3;
            break;
        }
        if (st == PP_LINE_OK && len == 0) continue;
        if (mode == 0 && st == PP_LINE_OK) mode = memmem(line, len, "\"ind\"", 5) ? 2 : 1;
        pp_pin pin;
        pp_reject rej;
        char err[256];
        if (st == PP_LINE_TOO_LONG) {
            fprintf(stderr, "pinpipe metrics: %s:%zu: line longer than %ld bytes, rejected\n", pp_cli_name(path),
                    lineno, max_line);
            pp_reject_set(&rej, "too_large", "line too long", ingest_time);
            t.records++;
            pp_tally_reject(&t, &rej);
        } else if (mode == 2) {
            if (pp_pin_from_json(&pin, line, len, err, sizeof err)) {
                fprintf(stderr, "pinpipe metrics: %s:%zu: %s\n", pp_cli_name(path), lineno, err);
                rc = 1;
                continue;
            }
            pp_tally_pin(&t, &pin);
            pp_pin_clear(&pin);
        } else if (pp_tally_raw(&t, line, len, ingest_time, &pin, &rej) != PP_TALLY_REJECTED) {
            pp_pin_clear(&pin);
        }
    }
    if (lineno == 0 && rc == 0) fprintf(stderr, "pinpipe metrics: %s: empty input, no metrics\n", pp_cli_name(path));
    if (csv)
        pp_agg_write_csv(t.agg, stdout);
    else
        pp_agg_write_jsonl(t.agg, stdout);
    if (fflush(stdout) != 0) rc = 3;
    pp_line_reader_destroy(reader);
    pp_tally_free(&t);
    pp_cli_close(in);
    return rc;
}
