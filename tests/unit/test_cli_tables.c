/* The option table of every command (src/cli/cmd_*.c): each option has a help
 * line, environment variables are PINPIPE_* and unique within a command, every
 * default parses with the option's own parser (within its range), and the --help
 * of the command names every option, variable and default. */
#define _GNU_SOURCE /* open_memstream */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/api_server.h"
#include "cli/cli_io.h"
#include "cli/commands.h"
#include "common/error.h"
#include "kafka/kafka_limits.h"
#include "lake/lake_rotate.h"

static const pp_opts_spec *const SPECS[] = {
    &CLI_API_SPEC,    &CLI_LAKE_SPEC,  &CLI_LAKE_STATUS_SPEC, &CLI_STREAM_SPEC,  &CLI_BATCH_SPEC,
    &CLI_PARITY_SPEC, &CLI_CLEAN_SPEC, &CLI_METRICS_SPEC,     &CLI_PRODUCE_SPEC, &CLI_S3_SPEC,
    &CLI_CQL_SPEC,    &CLI_RULES_SPEC, &CLI_SERVE_SPEC,       &CLI_SQL_SPEC,
};
#define N_SPECS (sizeof SPECS / sizeof SPECS[0])

/* Where the defaults are parsed to: one region per command, never reused, so what a
 * parser allocates stays reachable. */
static _Alignas(max_align_t) char g_scratch[N_SPECS][16384];

static void test_rows(void **state) {
    (void)state;
    for (size_t s = 0; s < N_SPECS; s++) {
        const pp_opts_spec *sp = SPECS[s];
        int has_help = 0;
        for (size_t i = 0; i < sp->n; i++) {
            const pp_opt *o = &sp->opts[i];
            const char *name = o->flag ? o->flag : o->env ? o->env : "?";
            if (!o->help || !*o->help) fail_msg("%s: --%s has no help line", sp->cmd, name);
            if (!o->flag && !o->short_flag && !o->env) fail_msg("%s: a row with neither flag nor variable", sp->cmd);
            if (o->flags & PP_OPT_HELP) {
                has_help = 1;
                continue;
            }
            if (!o->parse) fail_msg("%s: --%s has no parser", sp->cmd, name);
            if (o->env && strncmp(o->env, "PINPIPE_", 8)) fail_msg("%s: %s is not PINPIPE_*", sp->cmd, o->env);
            for (size_t j = 0; j < i; j++) {
                const pp_opt *p = &sp->opts[j];
                if (o->flag && p->flag && !strcmp(o->flag, p->flag)) fail_msg("%s: --%s twice", sp->cmd, o->flag);
                if (o->short_flag && o->short_flag == p->short_flag) fail_msg("%s: -%c twice", sp->cmd, o->short_flag);
            }
            if (o->def) {
                char err[512] = "";
                assert_true(o->off + sizeof(long) <= sizeof g_scratch[s]);
                if (o->parse(o, g_scratch[s], o->def, PP_OPT_FROM_FLAG, err, sizeof err) != PP_OK)
                    fail_msg("%s: the default of --%s, '%s', does not parse: %s", sp->cmd, name, o->def, err);
            }
        }
        if (!has_help) fail_msg("%s: no -h/--help row", sp->cmd);
    }
}

static void test_env_unique_per_command(void **state) {
    (void)state;
    for (size_t s = 0; s < N_SPECS; s++) {
        const pp_opts_spec *sp = SPECS[s];
        for (size_t i = 0; i < sp->n; i++)
            for (size_t j = i + 1; j < sp->n; j++)
                if (sp->opts[i].env && sp->opts[j].env && !strcmp(sp->opts[i].env, sp->opts[j].env))
                    fail_msg("%s: %s on two rows", sp->cmd, sp->opts[i].env);
    }
}

static void test_help_names_every_option(void **state) {
    (void)state;
    for (size_t s = 0; s < N_SPECS; s++) {
        const pp_opts_spec *sp = SPECS[s];
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        pp_opts_usage(f, sp);
        fclose(f);
        for (size_t i = 0; i < sp->n; i++) {
            const pp_opt *o = &sp->opts[i];
            if (o->flags & PP_OPT_HIDDEN) continue;
            char want[256];
            if (o->flag) {
                snprintf(want, sizeof want, "--%s", o->flag);
                if (!strstr(text, want)) fail_msg("%s --help does not name %s", sp->cmd, want);
            }
            if (o->short_flag) {
                snprintf(want, sizeof want, "-%c", o->short_flag);
                if (!strstr(text, want)) fail_msg("%s --help does not name %s", sp->cmd, want);
            }
            if (o->env && !strstr(text, o->env)) fail_msg("%s --help does not name %s", sp->cmd, o->env);
            if (o->def) {
                snprintf(want, sizeof want, "(default %s)", o->def);
                if (!strstr(text, want)) fail_msg("%s --help does not say %s", sp->cmd, want);
            }
        }
        free(text);
    }
}

static const pp_opt *row(const pp_opts_spec *sp, const char *flag) {
    for (size_t i = 0; i < sp->n; i++)
        if (sp->opts[i].flag && !strcmp(sp->opts[i].flag, flag)) return &sp->opts[i];
    fail_msg("%s: no --%s", sp->cmd, flag);
    return NULL;
}

/* Defaults written as text in a table equal the constants the code uses elsewhere. */
static void test_defaults_match_constants(void **state) {
    (void)state;
    static const struct {
        const pp_opts_spec *spec;
        const char *flag;
        long want;
    } CASES[] = {
        {&CLI_LAKE_SPEC, "max-records", PP_LAKE_DEFAULT_MAX_RECORDS},
        {&CLI_LAKE_SPEC, "max-bytes", PP_LAKE_DEFAULT_MAX_BYTES},
        {&CLI_LAKE_SPEC, "max-age-ms", PP_LAKE_DEFAULT_MAX_AGE_MS},
        {&CLI_API_SPEC, "max-body", PP_API_DEFAULT_MAX_BODY},
        {&CLI_API_SPEC, "max-body", PP_EVENT_MAX_BYTES},
        {&CLI_CLEAN_SPEC, "max-line", PP_DEFAULT_MAX_LINE},
        {&CLI_METRICS_SPEC, "max-line", PP_DEFAULT_MAX_LINE},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const pp_opt *o = row(CASES[i].spec, CASES[i].flag);
        assert_non_null(o->def);
        assert_int_equal(strtol(o->def, NULL, 10), CASES[i].want);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_env_unique_per_command),
        cmocka_unit_test(test_help_names_every_option),
        cmocka_unit_test(test_defaults_match_constants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
