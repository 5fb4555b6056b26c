/* pinpipe metrics — raw or cleaned JSONL in, metrics out. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli_io.h"
#include "cli/commands.h"
#include "cli/cli_opts.h"
#include "common/options.h"
#include "common/error.h"
#include "event/event_time.h"
#include "metrics/tally.h"
#include "metrics/clean_run.h"

typedef struct {
    int csv;
    pp_input_kind input;
    long max_line;
    int64_t ingest_time; /* -1: none */
} metrics_cfg;

/* --format jsonl|csv */
static int opt_format(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen) {
    (void)from;
    if (strcmp(val, "csv") && strcmp(val, "jsonl")) {
        pp_errf(err, errlen, "--%s: jsonl or csv, not '%s'", o->flag, val);
        return PP_EINVAL;
    }
    ((metrics_cfg *)cfg)->csv = !strcmp(val, "csv");
    return PP_OK;
}

/* --input auto|raw|cleaned */
static int opt_input(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen) {
    (void)from;
    static const struct {
        const char *name;
        pp_input_kind kind;
    } KINDS[] = {{"auto", PP_INPUT_AUTO},
                 {"raw", PP_INPUT_RAW},
                 {"cleaned", PP_INPUT_CLEANED},
                 {"mixed", PP_INPUT_MIXED}};
    for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++)
        if (!strcmp(val, KINDS[i].name)) {
            ((metrics_cfg *)cfg)->input = KINDS[i].kind;
            return PP_OK;
        }
    pp_errf(err, errlen, "--%s: auto, raw, cleaned or mixed, not '%s'", o->flag, val);
    return PP_EINVAL;
}

static const pp_opt ROWS[] = {
    {"format", 0, "jsonl|csv", NULL, "jsonl", opt_format, 0, 0, 0, 0, "output format"},
    {"input", 0, "auto|raw|cleaned|mixed", NULL, "auto", opt_input, 0, 0, 0, 0,
     "what the lines are (auto: decided by the first line: one starting {\"kind\": is mixed, an object "
     "with `ind` is a cleaned pin, else raw)"},
    CLI_ROW_MAX_LINE(metrics_cfg),
    CLI_ROW_INGEST_TIME(metrics_cfg, "event time for raw events without a timestamp"),
    CLI_ROW_HELP,
};

static const char HEAD[] = "usage: pinpipe metrics [options] [FILE|-]\n"
                           "\n"
                           "Computes pinpipe's metrics (docs/metrics.md) from JSON lines: raw events (they are\n"
                           "cleaned first), cleaned pins (the output of `pinpipe clean`), or mixed input: pin, geo\n"
                           "and user events, one per line as {\"kind\":\"geo\",\"event\":{..}} (docs/joins.md),\n"
                           "joined per (event day, ind) into the join metrics. Each pin counts once per (event\n"
                           "day, unique_id), each geo and user once per (event day, ind). Data-quality metrics\n"
                           "(nulled_values, invalid_values, rejected_events) need raw or mixed input. Output is\n"
                           "sorted by metric, day, key.\n"
                           "\n"
                           "options (environment variable and default in brackets; flags win):\n";
static const char TAIL[] =
    "\n"
    "exit status: 0 done, 1 a cleaned-input or mixed-input line could not be read, 2 bad usage,\n"
    "3 input error\n";
const pp_opts_spec CLI_METRICS_SPEC = PP_OPTS_SPEC("metrics", ROWS, HEAD, TAIL);

int cmd_metrics(int argc, char **argv) {
    metrics_cfg cfg = {.input = PP_INPUT_AUTO, .ingest_time = -1};
    int next, parsed = pp_opts_parse(&CLI_METRICS_SPEC, &cfg, argc, argv, &next);
    if (parsed != PP_OPTS_RUN) return pp_opts_exit(parsed);
    int csv = cfg.csv;
    pp_input_kind input = cfg.input;
    long max_line = cfg.max_line;
    int64_t ingest_time = cfg.ingest_time;
    if (argc - next > 1) {
        fprintf(stderr, "pinpipe metrics: one input at most\n");
        return 2;
    }
    const char *path = next < argc ? argv[next] : "-";
    FILE *in = pp_cli_open_in("metrics", path);
    if (!in) return 3;
    pp_clean_opts opts;
    pp_clean_opts_default(&opts);
    pp_tally t;
    pp_tally_init(&t, &opts);
    pp_tally_enable_join(&t);
    pp_clean_run_opts ro = {.name = pp_cli_name(path),
                            .input = input,
                            .max_line = (size_t)max_line,
                            .ingest_time_ms = ingest_time};
    size_t lines = 0;
    int rc = pp_clean_run(in, &ro, &t, &lines);
    if (lines == 0 && rc == 0) fprintf(stderr, "pinpipe metrics: no metrics\n");
    pp_tally_finish_join(&t);
    if (csv)
        pp_agg_write_csv(t.agg, stdout);
    else
        pp_agg_write_jsonl(t.agg, stdout);
    if (fflush(stdout) != 0) rc = 3;
    pp_tally_free(&t);
    pp_cli_close(in);
    return rc;
}
