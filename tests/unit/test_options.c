/* options: the one routine of defaults < environment < flags, the number ranges,
 * and the generated options block of --help. */
#define _GNU_SOURCE /* open_memstream, setenv */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/error.h"
#include "common/options.h"

typedef struct {
    const char *name;
    int n;
    long big;
    int on, off;
    const char *extra[4];
    int nextra;
} cfg_t;

static int opt_extra(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen) {
    (void)o, (void)from, (void)err, (void)errlen;
    cfg_t *c = cfg;
    c->extra[c->nextra++] = val;
    return PP_OK;
}

#define F(x) offsetof(cfg_t, x)
static const pp_opt ROWS[] = {
    {"name", 0, "NAME", "PINPIPE_TEST_NAME", "dflt", pp_opt_str, F(name), 0, 0, 0, "a name"},
    {"n", 0, "N", "PINPIPE_TEST_N", "5", pp_opt_int, F(n), 1, 10, 0, "a small number"},
    {"big-number", 0, "N", "PINPIPE_TEST_BIG", "7", pp_opt_long, F(big), 0, LONG_MAX, 0, "a big number"},
    {"on", 0, NULL, "PINPIPE_TEST_ON", NULL, pp_opt_true, F(on), 0, 0, 0, "switch on"},
    {"no-off", 0, NULL, NULL, "1", pp_opt_true, F(off), 0, 0, 0, "unused default to test pp_opt_true"},
    {"no-thing", 0, NULL, NULL, NULL, pp_opt_false, F(off), 0, 0, 0, "switch off"},
    {NULL, 'X', "KV", NULL, NULL, opt_extra, 0, 0, 0, 0, "repeatable"},
    {"secret", 0, "S", NULL, NULL, pp_opt_refuse, 0, 0, 0, PP_OPT_HIDDEN, "--secret-file F"},
    {"elsewhere", 0, "E", "PINPIPE_TEST_ELSEWHERE", "shown", pp_opt_str, F(name), 0, 0, PP_OPT_ELSEWHERE,
     "applied by the component"},
    {"help", 'h', NULL, NULL, NULL, NULL, 0, 0, 0, PP_OPT_HELP, "this text"},
};
#undef F
static const pp_opts_spec SPEC = PP_OPTS_SPEC("test", ROWS, "usage: test [options]\n", "exit status: 0\n");

static void clear_env(void) {
    unsetenv("PINPIPE_TEST_NAME");
    unsetenv("PINPIPE_TEST_N");
    unsetenv("PINPIPE_TEST_BIG");
    unsetenv("PINPIPE_TEST_ON");
    unsetenv("PINPIPE_TEST_ELSEWHERE");
}

/* Parses argv (NULL-terminated, argv[0] the command) into *c. */
static int parse(cfg_t *c, const char *const *args, int *next) {
    char *argv[16];
    int argc = 0;
    for (; args[argc]; argc++) argv[argc] = (char *)args[argc];
    argv[argc] = NULL;
    memset(c, 0, sizeof *c);
    return pp_opts_parse(&SPEC, c, argc, argv, next);
}

static void test_order_default_env_flag(void **state) {
    (void)state;
    static const struct {
        const char *env_name, *env_n, *flag_name, *flag_n;
        const char *want_name;
        int want_n;
    } CASES[] = {
        {NULL, NULL, NULL, NULL, "dflt", 5},  /* defaults */
        {"env", "8", NULL, NULL, "env", 8},   /* the environment over the defaults */
        {"env", "8", "flag", "9", "flag", 9}, /* flags over the environment */
        {NULL, NULL, "flag", "2", "flag", 2}, /* flags over the defaults */
        {"", "", NULL, NULL, "dflt", 5},      /* an empty variable is unset */
        {"env", "x", NULL, NULL, "env", 5},   /* a bad number in the environment: ignored */
        {"env", "99", NULL, NULL, "env", 99}, /* the environment is not range-checked here */
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        clear_env();
        if (CASES[i].env_name) setenv("PINPIPE_TEST_NAME", CASES[i].env_name, 1);
        if (CASES[i].env_n) setenv("PINPIPE_TEST_N", CASES[i].env_n, 1);
        const char *args[8] = {"test"};
        int k = 1;
        if (CASES[i].flag_name) args[k++] = "--name", args[k++] = CASES[i].flag_name;
        if (CASES[i].flag_n) args[k++] = "--n", args[k++] = CASES[i].flag_n;
        cfg_t c;
        int next;
        assert_int_equal(parse(&c, args, &next), PP_OPTS_RUN);
        assert_string_equal(c.name, CASES[i].want_name);
        assert_int_equal(c.n, CASES[i].want_n);
        assert_int_equal(c.big, 7);
        assert_int_equal(next, k);
    }
    clear_env();
}

static void test_number_ranges(void **state) {
    (void)state;
    static const struct {
        const char *flag, *val;
        int ok;
        const char *message;
    } CASES[] = {
        {"--n", "1", 1, NULL},
        {"--n", "10", 1, NULL},
        {"--n", "0", 0, "--n: a number in 1..10, not '0'"},
        {"--n", "11", 0, "--n: a number in 1..10, not '11'"},
        {"--n", "5x", 0, "--n: a number in 1..10, not '5x'"},
        {"--n", "", 0, "--n: a number in 1..10, not ''"},
        {"--big-number", "9223372036854775807", 1, NULL},
        {"--big-number", "9223372036854775808", 0, "--big-number: a number in 0..9223372036854775807"},
        {"--big-number", "-1", 0, "--big-number: a number in 0..9223372036854775807, not '-1'"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const pp_opt *row = !strcmp(CASES[i].flag, "--n") ? &ROWS[1] : &ROWS[2];
        cfg_t c = {0};
        char err[256] = "";
        int rc = row->parse(row, &c, CASES[i].val, PP_OPT_FROM_FLAG, err, sizeof err);
        assert_int_equal(rc == PP_OK, CASES[i].ok);
        if (CASES[i].message) assert_non_null(strstr(err, CASES[i].message));
        /* the whole routine: a bad flag value is bad usage, without the usage text */
        const char *args[] = {"test", CASES[i].flag, CASES[i].val, NULL};
        assert_int_equal(parse(&c, args, NULL), CASES[i].ok ? PP_OPTS_RUN : PP_OPTS_EXIT_USAGE);
    }
}

static void test_flags(void **state) {
    (void)state;
    clear_env();
    cfg_t c;
    int next;
    /* switches, a repeatable short flag in order, a unique prefix, operands after */
    const char *a1[] = {"test", "--on", "-X", "a=1", "--no-th", "-Xb=2", "--big=12", "file", NULL};
    assert_int_equal(parse(&c, a1, &next), PP_OPTS_RUN);
    assert_int_equal(c.on, 1);
    assert_int_equal(c.off, 0);
    assert_int_equal(c.big, 12);
    assert_int_equal(c.nextra, 2);
    assert_string_equal(c.extra[0], "a=1");
    assert_string_equal(c.extra[1], "b=2");
    assert_int_equal(next, 7);
    /* PINPIPE_TEST_ON=0 / =1 */
    setenv("PINPIPE_TEST_ON", "1", 1);
    const char *a2[] = {"test", NULL};
    assert_int_equal(parse(&c, a2, &next), PP_OPTS_RUN);
    assert_int_equal(c.on, 1);
    assert_int_equal(c.off, 1); /* default "1" */
    setenv("PINPIPE_TEST_ON", "0", 1);
    assert_int_equal(parse(&c, a2, &next), PP_OPTS_RUN);
    assert_int_equal(c.on, 0);
    /* a row applied elsewhere: neither its default nor its variable here */
    setenv("PINPIPE_TEST_ELSEWHERE", "env", 1);
    assert_int_equal(parse(&c, a2, &next), PP_OPTS_RUN);
    assert_string_equal(c.name, "dflt");
    const char *a3[] = {"test", "--elsewhere", "flag", NULL};
    assert_int_equal(parse(&c, a3, &next), PP_OPTS_RUN);
    assert_string_equal(c.name, "flag");
    clear_env();
    /* help, unknown flags, refused secrets, a missing argument */
    const char *h[] = {"test", "-h", NULL};
    assert_int_equal(parse(&c, h, &next), PP_OPTS_EXIT_OK);
    const char *u[] = {"test", "--nope", NULL};
    assert_int_equal(parse(&c, u, &next), PP_OPTS_EXIT_USAGE);
    const char *s[] = {"test", "--secret", "hunter2", NULL};
    assert_int_equal(parse(&c, s, &next), PP_OPTS_EXIT_USAGE);
    const char *m[] = {"test", "--name", NULL};
    assert_int_equal(parse(&c, m, &next), PP_OPTS_EXIT_USAGE);
    assert_int_equal(pp_opts_exit(PP_OPTS_EXIT_OK), 0);
    assert_int_equal(pp_opts_exit(PP_OPTS_EXIT_USAGE), 2);
    char err[512];
    assert_int_equal(pp_opt_refuse(&ROWS[7], &c, "hunter2", PP_OPT_FROM_FLAG, err, sizeof err), PP_EINVAL);
    assert_null(strstr(err, "hunter2"));
    assert_non_null(strstr(err, "--secret is not accepted"));
    assert_non_null(strstr(err, "use --secret-file F"));
}

static void test_help(void **state) {
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    pp_opts_usage(f, &SPEC);
    fclose(f);
    assert_true(!strncmp(text, "usage: test [options]\n  --name", 30));
    assert_non_null(strstr(text, "  -h, --help            this text\nexit status: 0\n"));
    static const char *const WANT[] = {
        "  --name NAME           a name [PINPIPE_TEST_NAME] (default dflt)\n",
        "  --n N                 a small number [PINPIPE_TEST_N] (default 5)\n",
        "  -X KV                 repeatable\n",
        "  --elsewhere E         applied by the component [PINPIPE_TEST_ELSEWHERE]\n"
        "                        (default shown)\n",
        "  -h, --help            this text\n",
    };
    for (size_t i = 0; i < sizeof WANT / sizeof WANT[0]; i++) {
        if (!strstr(text, WANT[i])) fail_msg("help lacks\n%s\nin\n%s", WANT[i], text);
    }
    assert_null(strstr(text, "--secret ")); /* hidden */
    for (const char *p = text; *p;) {       /* no line over 80 columns */
        size_t n = strcspn(p, "\n");
        assert_true(n <= 80);
        p += n + (p[n] == '\n');
    }
    free(text);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_default_env_flag),
        cmocka_unit_test(test_number_ranges),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_help),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
