/* Specification of pinpipe's PostgreSQL client against a real server
 * (ci/services/postgres.sh):
 *   - values travel as parameters: quotes, unicode and NULL round-trip exactly;
 *     rollback leaves nothing, commit keeps;
 *   - COPY FROM STDIN loads values with tabs, newlines, backslashes and NULLs that
 *     read back equal;
 *   - a bad statement surfaces the server's message and SQLSTATE;
 *   - server notices reach pinpipe's logger;
 *   - run-in-transaction retries a serialization failure and a lost connection;
 *   - a connection the server dropped between statements is re-established.
 * needs: postgres     (bash ci/services.sh up postgres; PINPIPE_PG_DSN); skipped
 *                      when PINPIPE_IT_SERVICES is set without postgres.
 * PINPIPE_IT_PG_RESTART_CMD, a shell command that restarts the server (set by
 * tests/run-integration.sh, which runs tests one at a time), enables a test that
 * restarts it for real; without it that one test is skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "pg/pg_conn.h"
#include "pg/pg_copy.h"
#include "pg/pg_exec.h"
#include "pg/pg_txn.h"

#define WAIT_MS 60000

static pp_pg *g_pg;
static char g_table[64];
static char g_sql[512];

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* SQL text with the test table's name (an identifier made by this program; every
 * VALUE still goes through parameters). */
static const char *sql(const char *fmt) {
    snprintf(g_sql, sizeof g_sql, fmt, g_table, g_table);
    return g_sql;
}

static pp_pg *connect_or_fail(void) {
    pp_pg *pg = NULL;
    char err[512];
    if (pp_pg_connect(&pg, NULL, err, sizeof err) != PP_OK) fail_msg("%s", err);
    return pg;
}

static int setup(void **state) {
    (void)state;
    char err[512] = "";
    pp_log_init_from_env();
    int64_t until = now_ms() + WAIT_MS;
    int rc;
    while ((rc = pp_pg_connect(&g_pg, NULL, err, sizeof err)) != PP_OK && now_ms() < until)
        usleep(200 * 1000); /* between attempts; each attempt is the readiness probe */
    if (rc != PP_OK) {
        fprintf(stderr, "postgres not ready: %s (start it: bash ci/services.sh up postgres)\n", err);
        return -1;
    }
    snprintf(g_table, sizeof g_table, "pinpipe_it_pg_%d_%lld", (int)getpid(), (long long)time(NULL));
    if (pp_pg_exec(g_pg, sql("CREATE TABLE %s (id int PRIMARY KEY, name text, note text)"), 0, NULL, NULL, err,
                   sizeof err) != PP_OK) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char err[512];
    if (g_pg && pp_pg_exec(g_pg, sql("DROP TABLE IF EXISTS %s"), 0, NULL, NULL, err, sizeof err) != PP_OK)
        fprintf(stderr, "cleanup: %s\n", err);
    pp_pg_destroy(g_pg);
    return 0;
}

static void clear_table(void) {
    char err[512];
    if (pp_pg_exec(g_pg, sql("DELETE FROM %s"), 0, NULL, NULL, err, sizeof err) != PP_OK) fail_msg("%s", err);
}

static long long count_rows(pp_pg *pg) {
    long long n = -1;
    char err[512];
    if (pp_pg_query_int64(pg, sql("SELECT count(*) FROM %s"), 0, NULL, &n, err, sizeof err) != PP_OK)
        fail_msg("%s", err);
    return n;
}

static const char *const TRICKY_NAME = "O'Reilly \"quoted\"; DROP TABLE students; --";
static const char *const UNICODE_NOTE = "h\xc3\xa9llo w\xc3\xb6rld \xf0\x9f\x8c\x8d \xe4\xb8\xad\xe6\x96\x87";

static void insert_row(pp_pg *pg, const char *id, const char *name, const char *note) {
    const char *const p[] = {id, name, note};
    char err[512];
    if (pp_pg_exec(pg, sql("INSERT INTO %s (id, name, note) VALUES ($1, $2, $3)"), 3, p, NULL, err, sizeof err) !=
        PP_OK)
        fail_msg("%s", err);
}

static void round_trip_in_a_transaction(void **state) {
    (void)state;
    char err[512] = "";
    clear_table();
    assert_int_equal(pp_pg_begin(g_pg, PP_PG_READ_COMMITTED, err, sizeof err), PP_OK);
    assert_true(pp_pg_in_txn(g_pg));
    insert_row(g_pg, "1", TRICKY_NAME, NULL);
    assert_int_equal(count_rows(g_pg), 1); /* visible inside */
    assert_int_equal(pp_pg_rollback(g_pg, err, sizeof err), PP_OK);
    assert_false(pp_pg_in_txn(g_pg));
    assert_int_equal(count_rows(g_pg), 0); /* rollback leaves nothing */

    assert_int_equal(pp_pg_begin(g_pg, PP_PG_SERIALIZABLE, err, sizeof err), PP_OK);
    insert_row(g_pg, "1", TRICKY_NAME, NULL);
    insert_row(g_pg, "2", UNICODE_NOTE, "");
    assert_int_equal(pp_pg_commit(g_pg, err, sizeof err), PP_OK);

    pp_pg_result *r = NULL;
    assert_int_equal(pp_pg_exec(g_pg, sql("SELECT id, name, note FROM %s ORDER BY id"), 0, NULL, &r, err, sizeof err),
                     PP_OK);
    assert_int_equal(pp_pg_result_rows(r), 2);
    assert_int_equal(pp_pg_result_cols(r), 3);
    assert_int_equal(pp_pg_result_col(r, "note"), 2);
    assert_string_equal(pp_pg_result_value(r, 0, 1), TRICKY_NAME);
    assert_null(pp_pg_result_value(r, 0, 2)); /* NULL stays NULL */
    assert_string_equal(pp_pg_result_value(r, 1, 1), UNICODE_NOTE);
    assert_string_equal(pp_pg_result_value(r, 1, 2), ""); /* empty stays empty */
    assert_int_equal(pp_pg_result_len(r, 1, 1), strlen(UNICODE_NOTE));
    pp_pg_result_free(r);

    /* single values, and a parameter that looks like SQL */
    char *v = NULL;
    const char *const p[] = {TRICKY_NAME};
    assert_int_equal(pp_pg_query_value(g_pg, sql("SELECT id::text FROM %s WHERE name = $1"), 1, p, &v, err, sizeof err),
                     PP_OK);
    assert_string_equal(v, "1");
    free(v);
    const char *const none[] = {"nobody"};
    assert_int_equal(pp_pg_query_value(g_pg, sql("SELECT id FROM %s WHERE name = $1"), 1, none, &v, err, sizeof err),
                     PP_ENOTFOUND);
    assert_int_equal(pp_pg_query_value(g_pg, sql("SELECT note FROM %s WHERE id = 1"), 0, NULL, &v, err, sizeof err),
                     PP_OK);
    assert_null(v);

    /* affected rows */
    assert_int_equal(pp_pg_exec(g_pg, sql("UPDATE %s SET note = 'x'"), 0, NULL, &r, err, sizeof err), PP_OK);
    assert_int_equal(pp_pg_result_affected(r), 2);
    pp_pg_result_free(r);
}

static void prepared_statements(void **state) {
    (void)state;
    char err[512] = "";
    clear_table();
    assert_int_equal(
        pp_pg_prepare(g_pg, "it_ins", sql("INSERT INTO %s (id, name) VALUES ($1, $2)"), 2, err, sizeof err), PP_OK);
    /* same again: fine; different SQL under the same name: refused */
    assert_int_equal(
        pp_pg_prepare(g_pg, "it_ins", sql("INSERT INTO %s (id, name) VALUES ($1, $2)"), 2, err, sizeof err), PP_OK);
    assert_int_equal(pp_pg_prepare(g_pg, "it_ins", "SELECT 1", 0, err, sizeof err), PP_EINVAL);
    const char *const p[] = {"7", "seven"};
    assert_int_equal(pp_pg_exec_prepared(g_pg, "it_ins", 2, p, NULL, err, sizeof err), PP_OK);
    assert_int_equal(count_rows(g_pg), 1);
}

typedef struct {
    const char *id;
    const char *name;
    const char *note;
} copy_row;

static const copy_row COPY_ROWS[] = {
    {"10", "tab\there", "newline\nhere"},
    {"11", "back\\slash \\N \\. \\t", NULL},
    {"12", "", "crlf\r\nend"},
    {"13", NULL, NULL},
    {"14", "\\N", "\\"},
    {"15", "h\xc3\xa9llo\t\xf0\x9f\x8c\x8d", "trailing backslash\\"},
    {"16", "\\.", "."},
};
#define N_COPY (sizeof COPY_ROWS / sizeof COPY_ROWS[0])

static void copy_bulk_insert_reads_back_equal(void **state) {
    (void)state;
    char err[512] = "";
    pp_pg_copy *cp = NULL;
    long long rows = -1;
    clear_table();
    assert_int_equal(pp_pg_copy_begin(g_pg, sql("COPY %s (id, name, note) FROM STDIN"), 3, &cp, err, sizeof err),
                     PP_OK);
    for (size_t i = 0; i < N_COPY; i++) {
        const char *v[] = {COPY_ROWS[i].id, COPY_ROWS[i].name, COPY_ROWS[i].note};
        assert_int_equal(pp_pg_copy_row(cp, v, NULL, err, sizeof err), PP_OK);
    }
    /* a NUL byte cannot travel in text format: refused, and the copy goes on */
    const char nul_val[] = {'x', '\0', 'y'};
    const char *badv[] = {"99", nul_val, "b"};
    const size_t badv_lens[] = {2, 3, 1};
    assert_int_equal(pp_pg_copy_row(cp, badv, badv_lens, err, sizeof err), PP_EINVAL);
    assert_int_equal(pp_pg_copy_end(cp, &rows, err, sizeof err), PP_OK);
    assert_int_equal(rows, (long long)N_COPY);

    pp_pg_result *r = NULL;
    assert_int_equal(
        pp_pg_exec(g_pg, sql("SELECT id::text, name, note FROM %s ORDER BY id"), 0, NULL, &r, err, sizeof err), PP_OK);
    assert_int_equal(pp_pg_result_rows(r), (int)N_COPY);
    for (size_t i = 0; i < N_COPY; i++) {
        const copy_row *want = &COPY_ROWS[i];
        assert_string_equal(pp_pg_result_value(r, (int)i, 0), want->id);
        for (int col = 1; col <= 2; col++) {
            const char *w = col == 1 ? want->name : want->note;
            const char *got = pp_pg_result_value(r, (int)i, col);
            if (!w) {
                if (got) fail_msg("row %s col %d: want NULL, got '%s'", want->id, col, got);
            } else {
                if (!got) fail_msg("row %s col %d: want '%s', got NULL", want->id, col, w);
                assert_string_equal(got, w);
            }
        }
    }
    pp_pg_result_free(r);
}

static void copy_abort_and_copy_error(void **state) {
    (void)state;
    char err[512] = "";
    pp_pg_copy *cp = NULL;
    long long rows = 0;
    clear_table();
    /* abort: the server keeps none of it */
    assert_int_equal(pp_pg_copy_begin(g_pg, sql("COPY %s (id, name) FROM STDIN"), 2, &cp, err, sizeof err), PP_OK);
    const char *v[] = {"1", "one"};
    assert_int_equal(pp_pg_copy_row(cp, v, NULL, err, sizeof err), PP_OK);
    pp_pg_copy_abort(cp, "test abort");
    assert_int_equal(count_rows(g_pg), 0);

    /* a value the column cannot take: the server's message, the line, nothing kept */
    assert_int_equal(pp_pg_copy_begin(g_pg, sql("COPY %s (id, name) FROM STDIN"), 2, &cp, err, sizeof err), PP_OK);
    const char *ok[] = {"1", "one"};
    const char *bad[] = {"not-a-number", "two"};
    assert_int_equal(pp_pg_copy_row(cp, ok, NULL, err, sizeof err), PP_OK);
    assert_int_equal(pp_pg_copy_row(cp, bad, NULL, err, sizeof err), PP_OK);   /* buffered */
    assert_int_equal(pp_pg_copy_end(cp, &rows, err, sizeof err), PP_EREFUSED); /* the data, for good */
    assert_non_null(strstr(err, "invalid input syntax for type integer"));
    assert_non_null(strstr(err, "22P02"));
    assert_string_equal(pp_pg_sqlstate(g_pg), "22P02");
    assert_int_equal(count_rows(g_pg), 0);
}

static void bad_statement_surfaces_the_server_message(void **state) {
    (void)state;
    char err[512] = "";
    assert_int_equal(pp_pg_exec(g_pg, "SELEC 1", 0, NULL, NULL, err, sizeof err), PP_ESERVER);
    assert_non_null(strstr(err, "syntax error at or near \"SELEC\""));
    assert_non_null(strstr(err, "42601"));
    assert_string_equal(pp_pg_sqlstate(g_pg), "42601");
    assert_false(pp_pg_lost(g_pg));

    clear_table();
    insert_row(g_pg, "1", "a", NULL);
    const char *const p[] = {"1", "dup", NULL};
    assert_int_equal(
        pp_pg_exec(g_pg, sql("INSERT INTO %s (id, name, note) VALUES ($1, $2, $3)"), 3, p, NULL, err, sizeof err),
        PP_EREFUSED);
    assert_non_null(strstr(err, "duplicate key value violates unique constraint"));
    assert_non_null(strstr(err, "DETAIL: Key (id)=(1) already exists."));
    assert_string_equal(pp_pg_sqlstate(g_pg), "23505");

    /* the connection is still good */
    long long one = 0;
    assert_int_equal(pp_pg_query_int64(g_pg, "SELECT 1", 0, NULL, &one, err, sizeof err), PP_OK);
    assert_int_equal(one, 1);
    assert_string_equal(pp_pg_sqlstate(g_pg), "");

    /* a failed statement inside a transaction makes COMMIT fail, not silently roll back */
    assert_int_equal(pp_pg_begin(g_pg, PP_PG_READ_COMMITTED, err, sizeof err), PP_OK);
    assert_int_equal(pp_pg_exec(g_pg, "SELEC 1", 0, NULL, NULL, err, sizeof err), PP_ESERVER);
    assert_int_equal(pp_pg_commit(g_pg, err, sizeof err), PP_ESERVER);
    assert_non_null(strstr(err, "rolled back"));
    assert_false(pp_pg_in_txn(g_pg));
}

static void notices_reach_the_logger(void **state) {
    (void)state;
    char err[512] = "", path[] = "/tmp/pinpipe-it-pg-log-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    int saved = dup(STDERR_FILENO);
    pp_log_set_level(PP_LOG_INFO);
    dup2(fd, STDERR_FILENO);
    int rc = pp_pg_exec(g_pg,
                        "DO $$BEGIN RAISE NOTICE 'pinpipe-it-notice-%', 42; "
                        "RAISE WARNING 'pinpipe-it-warning-%', 7; END$$",
                        0, NULL, NULL, err, sizeof err);
    dup2(saved, STDERR_FILENO);
    close(saved);
    pp_log_init_from_env();
    char buf[4096] = "";
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    close(fd);
    unlink(path);
    assert_int_equal(rc, PP_OK);
    assert_true(n > 0);
    assert_non_null(strstr(buf, " info pg: server NOTICE: pinpipe-it-notice-42"));
    assert_non_null(strstr(buf, " warn pg: server WARNING: pinpipe-it-warning-7"));
}

/* ---- run-in-transaction ---- */

typedef struct {
    int calls;
    pp_pg *other; /* a second connection that interferes on the first call */
    const char *id;
} txn_job;

/* Attempt 1 reads row 1 (the snapshot is taken), then another session updates it
 * and commits, then this one updates it: "could not serialize access due to
 * concurrent update" (40001) under REPEATABLE READ. Attempt 2 runs undisturbed. */
static int bump_with_interference(pp_pg *pg, void *arg, char *err, size_t errlen) {
    txn_job *job = arg;
    job->calls++;
    char *v = NULL;
    int rc = pp_pg_query_value(pg, sql("SELECT name FROM %s WHERE id = 1"), 0, NULL, &v, err, errlen);
    free(v);
    if (rc != PP_OK) return rc;
    if (job->calls == 1) {
        char e2[512];
        if (pp_pg_exec(job->other, sql("UPDATE %s SET name = 'other' WHERE id = 1"), 0, NULL, NULL, e2, sizeof e2) !=
            PP_OK)
            fail_msg("%s", e2);
    }
    rc = pp_pg_exec(pg, sql("UPDATE %s SET name = 'mine' WHERE id = 1"), 0, NULL, NULL, err, errlen);
    if (rc != PP_OK) return rc;
    const char *const p[] = {job->id, "inserted"};
    return pp_pg_exec(pg, sql("INSERT INTO %s (id, name) VALUES ($1, $2)"), 2, p, NULL, err, errlen);
}

static void run_txn_retries_a_serialization_failure(void **state) {
    (void)state;
    char err[512] = "";
    pp_pg_retry pol;
    int attempts = 0;
    txn_job job = {0, connect_or_fail(), "2"};
    clear_table();
    insert_row(g_pg, "1", "start", NULL);
    pp_pg_retry_init(&pol);
    pol.isolation = PP_PG_REPEATABLE_READ;
    pol.backoff_ms = 1;
    assert_int_equal(pp_pg_run_txn(g_pg, &pol, bump_with_interference, &job, &attempts, err, sizeof err), PP_OK);
    assert_int_equal(attempts, 2);
    assert_int_equal(job.calls, 2);
    char *v = NULL;
    assert_int_equal(pp_pg_query_value(g_pg, sql("SELECT name FROM %s WHERE id = 1"), 0, NULL, &v, err, sizeof err),
                     PP_OK);
    assert_string_equal(v, "mine");
    free(v);
    assert_int_equal(count_rows(g_pg), 2); /* the first attempt's work did not survive twice */
    pp_pg_destroy(job.other);
}

static int insert_after_killing_self_once(pp_pg *pg, void *arg, char *err, size_t errlen) {
    txn_job *job = arg;
    job->calls++;
    const char *const p[] = {job->id, "survivor"};
    int rc = pp_pg_exec(pg, sql("INSERT INTO %s (id, name) VALUES ($1, $2)"), 2, p, NULL, err, errlen);
    if (rc != PP_OK || job->calls > 1) return rc;
    /* the server ends this session mid-transaction: like a crash or a restart */
    return pp_pg_exec(pg, "SELECT pg_terminate_backend(pg_backend_pid())", 0, NULL, NULL, err, errlen);
}

static void run_txn_reconnects_after_a_lost_connection(void **state) {
    (void)state;
    char err[512] = "";
    pp_pg_retry pol;
    int attempts = 0;
    txn_job job = {0, NULL, "3"};
    clear_table();
    pp_pg_retry_init(&pol);
    pol.backoff_ms = 1;
    unsigned before = pp_pg_reconnects(g_pg);
    assert_int_equal(pp_pg_run_txn(g_pg, &pol, insert_after_killing_self_once, &job, &attempts, err, sizeof err),
                     PP_OK);
    assert_int_equal(attempts, 2);
    assert_int_equal(pp_pg_reconnects(g_pg), before + 1);
    assert_int_equal(count_rows(g_pg), 1); /* attempt 1's insert died with its session */
}

static int always_unique_violation(pp_pg *pg, void *arg, char *err, size_t errlen) {
    txn_job *job = arg;
    job->calls++;
    const char *const p[] = {"1", "dup"};
    return pp_pg_exec(pg, sql("INSERT INTO %s (id, name) VALUES ($1, $2)"), 2, p, NULL, err, errlen);
}

static void run_txn_does_not_retry_other_errors(void **state) {
    (void)state;
    char err[512] = "";
    int attempts = 0;
    txn_job job = {0, NULL, NULL};
    clear_table();
    insert_row(g_pg, "1", "a", NULL);
    assert_int_equal(pp_pg_run_txn(g_pg, NULL, always_unique_violation, &job, &attempts, err, sizeof err), PP_EREFUSED);
    assert_int_equal(attempts, 1);
    assert_int_equal(job.calls, 1);
    assert_non_null(strstr(err, "23505"));
    assert_false(pp_pg_in_txn(g_pg));
}

static void dropped_connection_is_reestablished_between_statements(void **state) {
    (void)state;
    char err[512] = "", pid[16];
    pp_pg *victim = connect_or_fail();
    pp_pg *killer = connect_or_fail();
    assert_int_equal(pp_pg_prepare(victim, "it_two", "SELECT 2", 0, err, sizeof err), PP_OK);
    snprintf(pid, sizeof pid, "%d", pp_pg_backend_pid(victim));
    const char *const p[] = {pid};
    char *v = NULL;
    /* waits (up to 5 s) until that backend has exited */
    assert_int_equal(
        pp_pg_query_value(killer, "SELECT pg_terminate_backend($1::int, 5000)::text", 1, p, &v, err, sizeof err),
        PP_OK);
    assert_string_equal(v, "true");
    free(v);
    long long two = 0;
    pp_pg_result *r = NULL;
    assert_int_equal(pp_pg_exec_prepared(victim, "it_two", 0, NULL, &r, err, sizeof err), PP_OK);
    two = strtoll(pp_pg_result_value(r, 0, 0), NULL, 10);
    pp_pg_result_free(r);
    assert_int_equal(two, 2); /* prepared again after the reconnect */
    assert_int_equal(pp_pg_reconnects(victim), 1);
    assert_int_not_equal(pp_pg_backend_pid(victim), atoi(pid));
    pp_pg_destroy(killer);
    pp_pg_destroy(victim);
}

static void survives_a_real_server_restart(void **state) {
    (void)state;
    const char *cmd = getenv("PINPIPE_IT_PG_RESTART_CMD");
    if (!cmd || !*cmd) skip();
    char err[512] = "";
    pp_pg *pg = connect_or_fail();
    long long v = 0;
    assert_int_equal(pp_pg_query_int64(pg, "SELECT 1", 0, NULL, &v, err, sizeof err), PP_OK);
    assert_int_equal(system(cmd), 0);
    /* the first statement after the restart reconnects first */
    assert_int_equal(pp_pg_query_int64(pg, "SELECT 3", 0, NULL, &v, err, sizeof err), PP_OK);
    assert_int_equal(v, 3);
    assert_int_equal(pp_pg_reconnects(pg), 1);
    pp_pg_destroy(pg);
    /* g_pg's connection died too; its next statement reconnects */
}

/* Skipped (exit 0) when PINPIPE_IT_SERVICES is set without postgres. */
static int service_wanted(void) {
    const char *svcs = getenv("PINPIPE_IT_SERVICES");
    if (!svcs || !*svcs) return 1;
    char padded[512];
    snprintf(padded, sizeof padded, " %s ", svcs);
    return strstr(padded, " postgres ") != NULL;
}

int main(void) {
    if (!service_wanted()) {
        printf("pg_it: SKIP (postgres not in PINPIPE_IT_SERVICES)\n");
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_in_a_transaction),
        cmocka_unit_test(prepared_statements),
        cmocka_unit_test(copy_bulk_insert_reads_back_equal),
        cmocka_unit_test(copy_abort_and_copy_error),
        cmocka_unit_test(bad_statement_surfaces_the_server_message),
        cmocka_unit_test(notices_reach_the_logger),
        cmocka_unit_test(run_txn_retries_a_serialization_failure),
        cmocka_unit_test(run_txn_reconnects_after_a_lost_connection),
        cmocka_unit_test(run_txn_does_not_retry_other_errors),
        cmocka_unit_test(dropped_connection_is_reestablished_between_statements),
        cmocka_unit_test(survives_a_real_server_restart),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
