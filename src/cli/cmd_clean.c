/* pinpipe clean — raw JSONL in, cleaned JSONL out, rejects and a rule summary aside. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clean/clean.h"
#include "clean/rules.h"
#include "cli/cli_io.h"
#include "metrics/clean_run.h"
#include "cli/commands.h"
#include "common/config.h"
#include "common/error.h"
#include "event/event_time.h"
#include "metrics/tally.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: pinpipe clean [options] [FILE|-]\n"
            "\n"
            "Cleans raw pin events (JSON lines) with pinpipe's cleaning rules. Cleaned pins go\n"
            "to standard output, one JSON object per line; rejected events (with reason, input\n"
            "line number and the raw line) to --rejects; a per-rule summary to --summary.\n"
            "Memory stays flat whatever the input size.\n"
            "\n"
            "options:\n"
            "  --rejects FILE      where rejects go, as JSON lines (default: standard error)\n"
            "  --summary FILE      where the summary goes (default: standard error)\n"
            "  --no-summary        print no summary\n"
            "  --max-line BYTES    longest accepted line; longer ones are rejected as too_large\n"
            "                      (default 1048576; env PINPIPE_MAX_LINE)\n"
            "  --ingest-time TIME  event time for events without a timestamp, as\n"
            "                      'YYYY-MM-DD HH:MM:SS' or ISO-8601 (default: such events are\n"
            "                      rejected as missing_event_time)\n"
            "  --strict            exit 1 when any event was rejected\n"
            "  -h, --help          this text\n"
            "\n"
            "exit status: 0 done, 1 rejects under --strict, 2 bad usage, 3 input/output error\n");
}

static void print_summary(FILE *out, const char *name, const pp_tally *t, size_t lines) {
    fprintf(out, "pinpipe clean: %s: %zu lines, %llu cleaned, %llu rejected\n", name, lines,
            (unsigned long long)t->cleaned, (unsigned long long)t->rejected);
    fprintf(out, "%-28s %-18s %10s\n", "rule", "field", "fired");
    for (size_t i = 0; i < PP_N_RULES; i++)
        fprintf(out, "%-28s %-18s %10llu\n", PP_RULES[i].name, PP_RULES[i].field,
                (unsigned long long)t->fired[i]);
}

int cmd_clean(int argc, char **argv) {
    static const struct option OPTS[] = {{"rejects", required_argument, 0, 'r'}, {"summary", required_argument, 0, 's'},
                                         {"no-summary", no_argument, 0, 'n'},   {"max-line", required_argument, 0, 'm'},
                                         {"ingest-time", required_argument, 0, 'i'}, {"strict", no_argument, 0, 'S'},
                                         {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    const char *rejects_path = "/dev/stderr", *summary_path = "/dev/stderr";
    long max_line = pp_env_long("PINPIPE_MAX_LINE", PP_DEFAULT_MAX_LINE);
    int64_t ingest_time = -1;
    int strict = 0, summary = 1, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", OPTS, NULL)) != -1) {
        switch (c) {
        case 'r': rejects_path = optarg; break;
        case 's': summary_path = optarg; break;
        case 'n': summary = 0; break;
        case 'S': strict = 1; break;
        case 'm':
            if (pp_parse_long(optarg, 1, 1L << 30, &max_line)) {
                fprintf(stderr, "pinpipe clean: --max-line: expected 1..1073741824 bytes, got '%s'\n", optarg);
                return 2;
            }
            break;
        case 'i':
            if (pp_event_time_parse(optarg, strlen(optarg), &ingest_time)) {
                fprintf(stderr, "pinpipe clean: --ingest-time: not a time: '%s'\n", optarg);
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (argc - optind > 1) {
        fprintf(stderr, "pinpipe clean: one input at most\n");
        return 2;
    }
    const char *path = optind < argc ? argv[optind] : "-";
    FILE *in = pp_cli_open_in("clean", path);
    if (!in) return 3;
    FILE *rej_out = pp_cli_open_out("clean", rejects_path);
    FILE *sum_out = summary ? pp_cli_open_out("clean", summary_path) : NULL;
    if (!rej_out || (summary && !sum_out)) return 3;

    pp_clean_opts opts;
    pp_clean_opts_default(&opts);
    pp_tally tally;
    pp_tally_init(&tally, &opts);
    size_t lines = 0;
    pp_clean_run_opts ro = {.name = pp_cli_name(path), .input = PP_INPUT_RAW, .max_line = (size_t)max_line,
                            .ingest_time_ms = ingest_time, .cleaned_out = stdout, .rejects_out = rej_out};
    int rc = pp_clean_run(in, &ro, &tally, &lines);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "pinpipe clean: error writing the cleaned output\n");
        rc = 3;
    }
    if (sum_out) print_summary(sum_out, pp_cli_name(path), &tally, lines);
    if (rc == 0 && strict && tally.rejected) rc = 1;
    pp_tally_free(&tally);
    pp_cli_close(in);
    pp_cli_close(rej_out);
    pp_cli_close(sum_out);
    return rc;
}
