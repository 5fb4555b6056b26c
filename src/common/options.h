/* options — one table per command: each option is one row (flag, environment
 * variable, default, parser with its range, help line), and one routine applies
 * them in the house order: defaults < environment (PINPIPE_*) < command-line flags.
 * The options block of `--help` is generated from the same rows, so defaults,
 * environment and help cannot drift apart.
 *
 * A row writes into the command's own configuration struct (`cfg`) at `off`
 * (offsetof). Parsers receive the row, cfg, the text and where it came from; they
 * return PP_OK or PP_EINVAL with a message in err. The routine prints
 * "pinpipe CMD: MESSAGE" for a flag that does not parse; a bad environment value is
 * logged and ignored (the default stays), as pp_env_long always did.
 *
 * Example:
 *   static const pp_opt ROWS[] = {
 *       {"brokers", 0, "LIST", "PINPIPE_KAFKA_BROKERS", PP_KAFKA_DEFAULT_BROKERS, pp_opt_str,
 *        offsetof(cfg, brokers), 0, 0, 0, "Kafka bootstrap servers"},
 *       {"batch-max", 0, "N", "PINPIPE_STREAM_BATCH_MAX", "5000", pp_opt_int,
 *        offsetof(cfg, batch_max), 1, INT_MAX, 0, "messages per micro-batch"},
 *       {"help", 'h', NULL, NULL, NULL, NULL, 0, 0, 0, PP_OPT_HELP, "this text"},
 *   };
 *   const pp_opts_spec SPEC = PP_OPTS_SPEC("stream", ROWS, "usage: ...\n\noptions:\n", "exit status: ...\n");
 *   cfg c = {0};
 *   int next, rc = pp_opts_parse(&SPEC, &c, argc, argv, &next);
 *   if (rc != PP_OPTS_RUN) return pp_opts_exit(rc);   -- 0 after --help, 2 after bad usage
 * Ownership: rows, strings and cfg belong to the caller; string fields point into
 * the row's default, the environment or argv (which live until exit).
 */
#ifndef PINPIPE_OPTIONS_H
#define PINPIPE_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

typedef enum { PP_OPT_FROM_DEFAULT, PP_OPT_FROM_ENV, PP_OPT_FROM_FLAG } pp_opt_from;

typedef struct pp_opt pp_opt;
typedef int (*pp_opt_parse_fn)(const pp_opt *opt, void *cfg, const char *val, pp_opt_from from, char *err,
                               size_t errlen);

enum {
    PP_OPT_HIDDEN = 1,    /* not listed in --help (a refused secret flag) */
    PP_OPT_ELSEWHERE = 2, /* default and environment are applied by the component (e.g. kafka_conf);
                             the row shows them in --help and takes the flag */
    PP_OPT_HELP = 4,      /* -h/--help */
};

struct pp_opt {
    const char *flag;      /* long flag without "--"; NULL: environment only */
    char short_flag;       /* one-letter alias ('X'), or 0 */
    const char *arg;       /* argument name shown in --help ("LIST"); NULL: the flag takes none */
    const char *env;       /* environment variable, or NULL */
    const char *def;       /* default as text for the parser (and --help), or NULL: none */
    pp_opt_parse_fn parse; /* pp_opt_str, pp_opt_int, ... or the command's own */
    size_t off;            /* offsetof the field in cfg */
    long min, max;         /* range of pp_opt_int / pp_opt_long flags */
    unsigned flags;        /* PP_OPT_* */
    const char *help;      /* one line of help, wrapped by the generator; for a refused
                              secret flag: what to use instead */
};

typedef struct {
    const char *cmd; /* "lake": messages say "pinpipe lake: ..." */
    const pp_opt *opts;
    size_t n;
    const char *head; /* --help before the options: usage, description, heading */
    const char *tail; /* --help after the options (exit statuses), or NULL */
    const char *hint; /* NULL: an unknown flag prints the usage on stderr; else this
                                 line is printed after every usage error instead */
} pp_opts_spec;

/* The text of a numeric macro, for a row's default: PP_STR(PP_API_DEFAULT_PORT) is "8000". */
#define PP_STR_(x) #x
#define PP_STR(x) PP_STR_(x)

#define PP_OPTS_SPEC(cmd, rows, head, tail) \
    { (cmd), (rows), sizeof(rows) / sizeof((rows)[0]), (head), (tail), NULL }
#define PP_OPTS_SPEC_HINT(cmd, rows, head, tail, hint) \
    { (cmd), (rows), sizeof(rows) / sizeof((rows)[0]), (head), (tail), (hint) }

/* Parsers. Numbers: a whole decimal in [min, max] for a flag; from the environment
 * any int (out-of-range values are for the component's own checks, as before). */
int pp_opt_str(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen);
int pp_opt_int(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen);
int pp_opt_long(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen);
/* int field: a flag without argument sets 1; the environment sets (number != 0). */
int pp_opt_true(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen);
/* int field: a flag without argument sets 0 (e.g. --no-coverage). */
int pp_opt_false(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen);
/* A refused secret flag: the message says what to use instead (the row's help). */
int pp_opt_refuse(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen);

/* Defaults, then the environment, of every row (rows marked PP_OPT_ELSEWHERE skipped). */
void pp_opts_defaults(const pp_opts_spec *s, void *cfg);

enum { PP_OPTS_RUN = 0, PP_OPTS_EXIT_OK = 1, PP_OPTS_EXIT_USAGE = 2 };
/* The flags of argv[1..] (getopt_long built from the rows; unambiguous prefixes
 * work). Returns PP_OPTS_RUN with *next = index of the first operand;
 * PP_OPTS_EXIT_OK after printing --help to stdout; PP_OPTS_EXIT_USAGE after a
 * message (and the usage on stderr for an unknown flag). */
int pp_opts_flags(const pp_opts_spec *s, void *cfg, int argc, char **argv, int *next);
/* pp_opts_defaults, then pp_opts_flags. */
int pp_opts_parse(const pp_opts_spec *s, void *cfg, int argc, char **argv, int *next);

/* The options block of --help: one entry per visible row, its help line wrapped,
 * then [ENV] and (default DEF). */
void pp_opts_help(FILE *out, const pp_opts_spec *s);
/* The whole --help: head, the options block, tail. */
void pp_opts_usage(FILE *out, const pp_opts_spec *s);

/* Maps a pp_opts_* result to an exit status: 0, 2; -1 for PP_OPTS_RUN. */
int pp_opts_exit(int rc);

#endif
