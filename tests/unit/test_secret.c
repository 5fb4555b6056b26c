/* secret — a secret comes from a file only its owner can read, never echoed back;
 * a DSN flag with a password in it is recognised. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/error.h"
#include "common/secret.h"
#include "pg/pg_dsn_secret.h"

static char dir[] = "/tmp/pp-secret-test-XXXXXX";
static char path[256];

/* Writes len bytes of content to the test file with the given mode. */
static void put_file(const char *content, size_t len, mode_t mode) {
    unlink(path);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(content, 1, len, f), len);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

static int setup(void **state) {
    (void)state;
    if (!mkdtemp(dir)) return -1;
    snprintf(path, sizeof path, "%s/secret", dir);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    unlink(path);
    rmdir(dir);
    return 0;
}

static void test_reads_an_owner_only_file_without_its_line_ending(void **state) {
    (void)state;
    static const struct {
        const char *content;
        const char *secret;
    } CASES[] = {
        {"s3cr3t\n", "s3cr3t"},
        {"s3cr3t", "s3cr3t"},             /* no line ending */
        {"s3cr3t\r\n", "s3cr3t"},         /* written on Windows */
        {" spaced out ", " spaced out "}, /* spaces are part of a secret */
    };
    static const mode_t MODES[] = {0600, 0400};
    for (size_t m = 0; m < sizeof MODES / sizeof *MODES; m++) {
        for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
            char *s = NULL, err[256] = "";
            put_file(CASES[i].content, strlen(CASES[i].content), MODES[m]);
            assert_int_equal(pp_secret_read_file(path, &s, err, sizeof err), PP_OK);
            assert_string_equal(s, CASES[i].secret);
            pp_secret_free(s);
        }
    }
}

static void test_refuses_a_file_others_may_read_and_never_echoes_it(void **state) {
    (void)state;
    static const mode_t MODES[] = {0644, 0640, 0604, 0660, 0606, 0601, 0610, 0777};
    for (size_t i = 0; i < sizeof MODES / sizeof *MODES; i++) {
        char *s = (char *)"untouched", err[256] = "";
        put_file("hunter2\n", 8, MODES[i]);
        assert_int_equal(pp_secret_read_file(path, &s, err, sizeof err), PP_EINVAL);
        assert_null(s);
        assert_non_null(strstr(err, path));        /* names the file */
        assert_non_null(strstr(err, "chmod 600")); /* says what to do */
        assert_null(strstr(err, "hunter2"));       /* never the secret */
    }
}

static void test_refuses_content_that_is_not_one_secret(void **state) {
    (void)state;
    static const struct {
        const char *content;
        size_t len;
        const char *why;
    } CASES[] = {
        {"", 0, "empty"},
        {"\n", 1, "empty"},
        {"\r\n", 2, "empty"},
        {"hunter2\nsecond\n", 15, "more than one line"},
        {"hunter2\n\n", 9, "more than one line"},
        {"hun\0ter2\n", 9, "NUL"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
        char *s = NULL, err[256] = "";
        put_file(CASES[i].content, CASES[i].len, 0600);
        assert_int_equal(pp_secret_read_file(path, &s, err, sizeof err), PP_EINVAL);
        assert_null(s);
        assert_non_null(strstr(err, CASES[i].why));
        assert_null(strstr(err, "hunter2"));
    }
}

static void test_refuses_a_secret_larger_than_the_limit(void **state) {
    (void)state;
    char *big = malloc(PP_SECRET_MAX + 1);
    assert_non_null(big);
    memset(big, 'x', PP_SECRET_MAX + 1);
    char *s = NULL, err[256] = "";
    put_file(big, PP_SECRET_MAX, 0600); /* exactly the limit: fine */
    assert_int_equal(pp_secret_read_file(path, &s, err, sizeof err), PP_OK);
    assert_int_equal(strlen(s), PP_SECRET_MAX);
    pp_secret_free(s);
    put_file(big, PP_SECRET_MAX + 1, 0600);
    assert_int_equal(pp_secret_read_file(path, &s, err, sizeof err), PP_EINVAL);
    assert_null(s);
    assert_non_null(strstr(err, "larger than"));
    free(big);
}

static void test_missing_file_directory_and_no_path(void **state) {
    (void)state;
    char *s = NULL, err[256] = "", missing[300];
    snprintf(missing, sizeof missing, "%s/nope", dir);
    assert_int_equal(pp_secret_read_file(missing, &s, err, sizeof err), PP_ENOTFOUND);
    assert_non_null(strstr(err, missing));
    assert_int_equal(pp_secret_read_file(dir, &s, err, sizeof err), PP_EINVAL);
    assert_non_null(strstr(err, "not a regular file"));
    assert_int_equal(pp_secret_read_file(NULL, &s, err, sizeof err), PP_EINVAL);
    assert_int_equal(pp_secret_read_file("", &s, err, sizeof err), PP_EINVAL);
    assert_null(s);
    pp_secret_free(NULL); /* harmless */
}

static void test_a_dsn_with_a_password_is_recognised(void **state) {
    (void)state;
    static const struct {
        const char *dsn;
        int has;
    } CASES[] = {
        {"postgresql://pinpipe:s3cret@127.0.0.1:15432/pinpipe", 1},
        {"postgres://u:p@h/db?sslmode=disable", 1},
        {"postgresql://u@h/db?password=p", 1},
        {"host=127.0.0.1 user=u password=p dbname=db", 1},
        {"host=127.0.0.1 user=u password='a b' dbname=db", 1},
        {"postgresql://pinpipe@127.0.0.1:15432/pinpipe", 0},
        {"postgresql://u:@h/db", 0}, /* an empty password is no secret */
        {"host=127.0.0.1 user=u dbname=db", 0},
        {"", 0},
        {"not a dsn =", 0}, /* unparsable: connecting says so */
    };
    for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
        if (pp_pg_dsn_has_password(CASES[i].dsn) != CASES[i].has) fail_msg("dsn case %zu", i);
    }
    assert_int_equal(pp_pg_dsn_has_password(NULL), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_an_owner_only_file_without_its_line_ending),
        cmocka_unit_test(test_refuses_a_file_others_may_read_and_never_echoes_it),
        cmocka_unit_test(test_refuses_content_that_is_not_one_secret),
        cmocka_unit_test(test_refuses_a_secret_larger_than_the_limit),
        cmocka_unit_test(test_missing_file_directory_and_no_path),
        cmocka_unit_test(test_a_dsn_with_a_password_is_recognised),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
