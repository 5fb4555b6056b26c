/* pinpipe metrics — raw or cleaned JSONL in, metrics out. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli_io.h"
#include "cli/commands.h"
#include "common/config.h"
#include "event/event_time.h"
#include "metrics/tally.h"
#include "metrics/clean_run.h"

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
    int csv = 0;
    pp_input_kind input = PP_INPUT_AUTO;
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
            if (!strcmp(optarg, "auto")) input = PP_INPUT_AUTO;
            else if (!strcmp(optarg, "raw")) input = PP_INPUT_RAW;
            else if (!strcmp(optarg, "cleaned")) input = PP_INPUT_CLEANED;
            else {
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
    pp_clean_run_opts ro = {.name = pp_cli_name(path), .input = input, .max_line = (size_t)max_line,
                            .ingest_time_ms = ingest_time};
    size_t lines = 0;
    int rc = pp_clean_run(in, &ro, &t, &lines);
    if (lines == 0 && rc == 0) fprintf(stderr, "pinpipe metrics: no metrics\n");
    if (csv)
        pp_agg_write_csv(t.agg, stdout);
    else
        pp_agg_write_jsonl(t.agg, stdout);
    if (fflush(stdout) != 0) rc = 3;
    pp_tally_free(&t);
    pp_cli_close(in);
    return rc;
}
