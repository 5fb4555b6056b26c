#include "common/options.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/error.h"
#include "common/log.h"
#include "common/mem.h"

#define ENV_MIN (-0x7fffffffL)
#define ENV_MAX 0x7fffffffL

static void *field(const pp_opt *o, void *cfg) { return (char *)cfg + o->off; }

int pp_opt_str(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen) {
    (void)from, (void)err, (void)errlen;
    *(const char **)field(o, cfg) = val;
    return PP_OK;
}

/* The number in val: the row's range for a flag, any int from the environment. */
static int number(const pp_opt *o, const char *val, pp_opt_from from, long *out, char *err, size_t errlen) {
    if (from == PP_OPT_FROM_ENV) {
        if (pp_parse_long(val, ENV_MIN, ENV_MAX, out) == PP_OK) return PP_OK;
        pp_errf(err, errlen, "not an integer");
        return PP_EINVAL;
    }
    if (pp_parse_long(val, o->min, o->max, out) == PP_OK) return PP_OK;
    pp_errf(err, errlen, "--%s: a number in %ld..%ld, not '%s'", o->flag ? o->flag : "?", o->min, o->max, val);
    return PP_EINVAL;
}

int pp_opt_int(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen) {
    long v;
    int rc = number(o, val, from, &v, err, errlen);
    if (rc == PP_OK) *(int *)field(o, cfg) = (int)v;
    return rc;
}

int pp_opt_long(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen) {
    long v;
    int rc = number(o, val, from, &v, err, errlen);
    if (rc == PP_OK) *(long *)field(o, cfg) = v;
    return rc;
}

int pp_opt_true(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen) {
    long v = 1;
    if (val && number(o, val, PP_OPT_FROM_ENV, &v, err, errlen) != PP_OK) return PP_EINVAL;
    (void)from;
    *(int *)field(o, cfg) = v != 0;
    return PP_OK;
}

int pp_opt_false(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen) {
    (void)val, (void)from, (void)err, (void)errlen;
    *(int *)field(o, cfg) = 0;
    return PP_OK;
}

int pp_opt_refuse(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen) {
    (void)cfg, (void)val, (void)from; /* never echo val: it is the secret */
    pp_errf(err, errlen,
            "--%s is not accepted: a secret on the command line is visible to every local user (ps); use %s", o->flag,
            o->help);
    return PP_EINVAL;
}

void pp_opts_defaults(const pp_opts_spec *s, void *cfg) {
    char err[256];
    for (size_t i = 0; i < s->n; i++) {
        const pp_opt *o = &s->opts[i];
        if (!o->parse || (o->flags & PP_OPT_ELSEWHERE)) continue;
        if (o->def && o->parse(o, cfg, o->def, PP_OPT_FROM_DEFAULT, err, sizeof err) != PP_OK)
            PP_WARN("config", "%s: default of --%s: %s", s->cmd, o->flag ? o->flag : "?", err); /* a test guards */
        const char *v = o->env ? getenv(o->env) : NULL;
        if (v && *v && o->parse(o, cfg, v, PP_OPT_FROM_ENV, err, sizeof err) != PP_OK)
            PP_WARN("config", "ignoring %s=%s: %s", o->env, v, err);
    }
}

/* The row of getopt_long's answer c (256 + index for a long flag, else the letter). */
static const pp_opt *row_of(const pp_opts_spec *s, int c) {
    if (c >= 256 && (size_t)(c - 256) < s->n) return &s->opts[c - 256];
    for (size_t i = 0; i < s->n; i++)
        if (s->opts[i].short_flag && s->opts[i].short_flag == c) return &s->opts[i];
    return NULL;
}

int pp_opts_flags(const pp_opts_spec *s, void *cfg, int argc, char **argv, int *next) {
    struct option *lo = pp_xcalloc(s->n + 1, sizeof *lo);
    char shorts[64];
    size_t ns = 0;
    size_t nl = 0;
    for (size_t i = 0; i < s->n; i++) {
        const pp_opt *o = &s->opts[i];
        if (o->flag) lo[nl++] = (struct option){o->flag, o->arg ? required_argument : no_argument, NULL, 256 + (int)i};
        if (o->short_flag && ns + 3 < sizeof shorts) {
            shorts[ns++] = o->short_flag;
            if (o->arg) shorts[ns++] = ':';
        }
    }
    shorts[ns] = '\0';
    int rc = PP_OPTS_RUN, c;
    char err[512];
    optind = 1;
    while (rc == PP_OPTS_RUN && (c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
        const pp_opt *o = row_of(s, c);
        if (!o) {
            if (!s->hint) pp_opts_usage(stderr, s);
            rc = PP_OPTS_EXIT_USAGE;
        } else if (o->flags & PP_OPT_HELP) {
            pp_opts_usage(stdout, s);
            rc = PP_OPTS_EXIT_OK;
        } else if (o->parse(o, cfg, o->arg ? optarg : NULL, PP_OPT_FROM_FLAG, err, sizeof err) != PP_OK) {
            fprintf(stderr, "pinpipe %s: %s\n", s->cmd, err);
            rc = PP_OPTS_EXIT_USAGE;
        }
    }
    free(lo);
    if (rc == PP_OPTS_EXIT_USAGE && s->hint) fprintf(stderr, "%s\n", s->hint);
    if (next) *next = optind;
    return rc;
}

int pp_opts_parse(const pp_opts_spec *s, void *cfg, int argc, char **argv, int *next) {
    pp_opts_defaults(s, cfg);
    return pp_opts_flags(s, cfg, argc, argv, next);
}

int pp_opts_exit(int rc) { return rc == PP_OPTS_RUN ? -1 : rc == PP_OPTS_EXIT_OK ? 0 : 2; }

/* ---- --help ---------------------------------------------------------------- */

#define HELP_COL 24
#define HELP_WIDTH 80

typedef struct {
    FILE *out;
    size_t col; /* the column written up to */
    int fresh;  /* nothing written after the indentation yet: no space before the next word */
} help_line;

/* Appends a word of n bytes, wrapping to a new line indented to HELP_COL. */
static void put_word(help_line *h, const char *w, size_t n) {
    if (!h->fresh && h->col + 1 + n > HELP_WIDTH) {
        fprintf(h->out, "\n%*s", HELP_COL, "");
        h->col = HELP_COL;
        h->fresh = 1;
    }
    if (!h->fresh) {
        fputc(' ', h->out);
        h->col++;
    }
    fwrite(w, 1, n, h->out);
    h->col += n;
    h->fresh = 0;
}

static void put_words(help_line *h, const char *text) {
    while (*text) {
        while (*text == ' ') text++;
        size_t n = strcspn(text, " ");
        if (n) put_word(h, text, n);
        text += n;
    }
}

void pp_opts_help(FILE *out, const pp_opts_spec *s) {
    for (size_t i = 0; i < s->n; i++) {
        const pp_opt *o = &s->opts[i];
        if ((o->flags & PP_OPT_HIDDEN) || (!o->flag && !o->short_flag && !o->env)) continue;
        const char *sp = o->arg ? " " : "", *arg = o->arg ? o->arg : "";
        int len;
        if (o->flag && o->short_flag)
            len = fprintf(out, "  -%c, --%s%s%s", o->short_flag, o->flag, sp, arg);
        else if (o->flag)
            len = fprintf(out, "  --%s%s%s", o->flag, sp, arg);
        else if (o->short_flag)
            len = fprintf(out, "  -%c%s%s", o->short_flag, sp, arg);
        else
            len = fprintf(out, "  %s", o->env);
        help_line h = {out, len < 0 ? 0 : (size_t)len, 1};
        if (h.col + 2 <= HELP_COL) {
            fprintf(out, "%*s", (int)(HELP_COL - h.col), "");
            h.col = HELP_COL;
        } else {
            fputs("  ", out);
            h.col += 2;
        }
        put_words(&h, o->help ? o->help : "");
        if (o->env && (o->flag || o->short_flag)) {
            char b[128];
            snprintf(b, sizeof b, "[%s]", o->env);
            put_word(&h, b, strlen(b));
        }
        if (o->def) {
            char b[256]; /* one word: "(default X)" is never split */
            snprintf(b, sizeof b, "(default %s)", o->def);
            put_word(&h, b, strlen(b));
        }
        fputc('\n', out);
    }
}

void pp_opts_usage(FILE *out, const pp_opts_spec *s) {
    fputs(s->head ? s->head : "", out);
    pp_opts_help(out, s);
    if (s->tail) fputs(s->tail, out);
}
