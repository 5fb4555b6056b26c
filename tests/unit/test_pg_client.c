/* Specification of the PostgreSQL client's parts that need no server: which
 * failures pp_pg_run_txn retries, its default policy, and what connecting to a
 * port where nothing listens returns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common/error.h"
#include "common/log.h"
#include "pg/pg_conn.h"
#include "pg/pg_txn.h"

typedef struct {
    const char *state;
    int retry;
} state_case;

static void retryable_states_table(void **state) {
    (void)state;
    static const state_case CASES[] = {
        {"40001", 1}, /* serialization_failure */
        {"40P01", 1}, /* deadlock_detected */
        {"23505", 0}, /* unique_violation: retrying cannot help */
        {"42601", 0}, /* syntax_error */
        {"57014", 0}, /* query_canceled */
        {"", 0},      {NULL, 0},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++)
        if (pp_pg_retryable_state(CASES[i].state) != CASES[i].retry)
            fail_msg("SQLSTATE %s: retry=%d", CASES[i].state ? CASES[i].state : "NULL", !CASES[i].retry);
}

static void default_retry_policy(void **state) {
    (void)state;
    pp_pg_retry r;
    pp_pg_retry_init(&r);
    assert_int_equal(r.isolation, PP_PG_READ_COMMITTED);
    assert_int_equal(r.max_attempts, 5);
    assert_int_equal(r.backoff_ms, 50);
    assert_int_equal(r.max_backoff_ms, 2000);
    assert_int_equal(r.retry_unknown_commit, 0);
}

static void connect_to_nothing_is_eio_with_libpq_message(void **state) {
    (void)state;
    pp_pg *pg = NULL;
    char err[512] = "";
    int rc = pp_pg_connect(&pg, "postgresql://nobody:x@127.0.0.1:1/none?connect_timeout=2", err, sizeof err);
    assert_int_equal(rc, PP_EIO);
    assert_null(pg);
    assert_non_null(strstr(err, "pg connect"));
    assert_non_null(strstr(err, "127.0.0.1"));
    assert_null(strstr(err, "nobody:x")); /* no credentials in messages */
}

int main(void) {
    pp_log_init_from_env();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(retryable_states_table),
        cmocka_unit_test(default_retry_policy),
        cmocka_unit_test(connect_to_nothing_is_eio_with_libpq_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
