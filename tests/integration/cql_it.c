/* Specification of pinpipe's CQL client against a real Cassandra 5.0 node (the one
 * of ci/services/cassandra.sh: 127.0.0.1:19042, PasswordAuthenticator):
 *   - a wrong password is refused with the server's own message;
 *   - every supported type (text, int, bigint, boolean, timestamp, list<text>,
 *     set<text>, null) round-trips through a prepared INSERT and SELECT;
 *   - an unlogged batch of prepared statements lands whole;
 *   - a bad statement surfaces the server's code and message, and the session
 *     stays usable;
 *   - many requests in flight on one connection are all answered, collected in
 *     whatever order they complete or the caller asks;
 *   - a SELECT over more rows than a page follows the paging state;
 *   - a statement whose table was dropped and re-created is re-prepared
 *     transparently;
 *   - `pinpipe cql` runs a script and prints table, CSV and JSON.
 * needs: cassandra    (bash ci/services.sh up cassandra; PINPIPE_CASSANDRA_*). Fails
 *                      (does not skip) when Cassandra is unreachable; skipped only when
 *                      PINPIPE_IT_SERVICES is set without cassandra.
 * Everything lives in the keyspace pinpipe_it_cql, dropped at the start and the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "cql/cql_session.h"

#define KS "pinpipe_it_cql"

static pp_cql_session *g_s;
static char g_err[1024];

static void config(pp_cql_config *cfg) {
    char err[256] = "";
    if (pp_cql_config_from_env(cfg, err, sizeof err)) fail_msg("%s", err);
    cfg->request_timeout_ms = 60000; /* schema changes on a fresh node can be slow */
}

static void must(int rc) {
    if (rc) fail_msg("%s (%s)", g_err, pp_strerror(rc));
}

static void run(const char *cql) { must(pp_cql_query(g_s, cql, NULL, 0, NULL, g_err, sizeof g_err)); }

static int setup(void **state) {
    (void)state;
    pp_cql_config cfg;
    config(&cfg);
    int rc = pp_cql_session_create(&cfg, &g_s, g_err, sizeof g_err);
    if (rc) {
        fprintf(stderr, "cql_it: cannot reach Cassandra at %s:%d: %s\n", cfg.host, cfg.port, g_err);
        return -1;
    }
    if (pp_cql_query(g_s, "DROP KEYSPACE IF EXISTS " KS, NULL, 0, NULL, g_err, sizeof g_err) ||
        pp_cql_query(g_s,
                     "CREATE KEYSPACE " KS " WITH replication = "
                     "{'class': 'SimpleStrategy', 'replication_factor': 1}",
                     NULL, 0, NULL, g_err, sizeof g_err)) {
        fprintf(stderr, "cql_it: creating keyspace " KS ": %s\n", g_err);
        return -1;
    }
    return 0;
}

static int teardown(void **state) {
    (void)state;
    int rc = 0;
    if (g_s && pp_cql_query(g_s, "DROP KEYSPACE IF EXISTS " KS, NULL, 0, NULL, g_err, sizeof g_err)) {
        fprintf(stderr, "cql_it: dropping " KS ": %s\n", g_err);
        rc = -1;
    }
    pp_cql_session_destroy(g_s);
    g_s = NULL;
    return rc;
}

static void a_wrong_password_is_refused_with_the_servers_message(void **state) {
    (void)state;
    pp_cql_config cfg;
    config(&cfg);
    cfg.password = "not-the-password";
    pp_cql_session *s = NULL;
    char err[512] = "";
    assert_int_equal(pp_cql_session_create(&cfg, &s, err, sizeof err), PP_ESERVER);
    assert_null(s);
    print_message("%s\n", err);
    assert_true(strncmp(err, "code 0x0100 Bad credentials: ", 29) == 0);
    assert_non_null(strstr(err, "password are incorrect")); /* Cassandra's own words */
}

/* ---- types ---------------------------------------------------------------- */

static const char *const TAGS[] = {"art",
                                   "d\xc3\xa9"
                                   "cor",
                                   "art", "", "\xe6\x97\xa5\xe6\x9c\xac"};
static const char *const LABELS[] = {"b", "a", "c"};
static const char *const LABELS_SORTED[] = {"a", "b", "c"};
static const char *const NONE[1] = {NULL};

typedef struct {
    const char *id;
    pp_cql_value v[7];    /* t, i, b, ok, ts, tags, labels */
    pp_cql_value want[7]; /* as read back (sets sorted, empty collections null) */
} typed_row;

static void assert_value(const pp_cql_value *want, const pp_cql_value *got, const char *what) {
    print_message("  %s\n", what);
    assert_int_equal(got->kind, want->kind);
    switch (want->kind) {
    case PP_CQL_NULL: break;
    case PP_CQL_TEXT:
        assert_int_equal(got->u.text.len, want->u.text.len);
        assert_memory_equal(got->u.text.s, want->u.text.s, want->u.text.len);
        break;
    case PP_CQL_INT: assert_int_equal(got->u.i32, want->u.i32); break;
    case PP_CQL_BIGINT:
    case PP_CQL_TIMESTAMP: assert_true(got->u.i64 == want->u.i64); break;
    case PP_CQL_BOOLEAN: assert_int_equal(got->u.b, want->u.b); break;
    case PP_CQL_LIST_TEXT:
    case PP_CQL_SET_TEXT:
        assert_int_equal(got->u.list.count, want->u.list.count);
        for (size_t i = 0; i < want->u.list.count; i++)
            assert_string_equal(got->u.list.items[i], want->u.list.items[i]);
        break;
    default: fail_msg("unexpected kind");
    }
}

static void every_type_round_trips_through_prepared_statements(void **state) {
    (void)state;
    run("CREATE TABLE " KS ".types (id text PRIMARY KEY, t text, i int, b bigint, ok boolean, "
        "ts timestamp, tags list<text>, labels set<text>)");
    const pp_cql_prepared *ins, *sel;
    must(pp_cql_prepare(g_s,
                        "INSERT INTO " KS ".types (id, t, i, b, ok, ts, tags, labels) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        &ins, g_err, sizeof g_err));
    assert_int_equal(pp_cql_prepared_nbind(ins), 8);
    must(pp_cql_prepare(g_s, "SELECT t, i, b, ok, ts, tags, labels FROM " KS ".types WHERE id = ?", &sel, g_err,
                        sizeof g_err));
    static const char UTF8[] = "h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x93\x8c 'quoted' \"q\"";
    const typed_row rows[] = {
        {"ordinary",
         {pp_cql_text("pinpipe"), pp_cql_int(940), pp_cql_bigint(3000000), pp_cql_bool(true),
          pp_cql_timestamp(1700000000123), pp_cql_list_text(TAGS, 5), pp_cql_set_text(LABELS, 3)},
         {pp_cql_text("pinpipe"), pp_cql_int(940), pp_cql_bigint(3000000), pp_cql_bool(true),
          pp_cql_timestamp(1700000000123), pp_cql_list_text(TAGS, 5), pp_cql_set_text(LABELS_SORTED, 3)}},
        {"all null",
         {pp_cql_null(), pp_cql_null(), pp_cql_null(), pp_cql_null(), pp_cql_null(), pp_cql_null(), pp_cql_null()},
         {pp_cql_null(), pp_cql_null(), pp_cql_null(), pp_cql_null(), pp_cql_null(), pp_cql_null(), pp_cql_null()}},
        {"minimums",
         {pp_cql_text(""), pp_cql_int(INT32_MIN), pp_cql_bigint(INT64_MIN), pp_cql_bool(false),
          pp_cql_timestamp(-62135596800000LL), pp_cql_list_text(NONE, 0), pp_cql_set_text(NONE, 0)},
         {pp_cql_text(""), pp_cql_int(INT32_MIN), pp_cql_bigint(INT64_MIN), pp_cql_bool(false),
          pp_cql_timestamp(-62135596800000LL), pp_cql_null(), pp_cql_null()}},
        {"maximums",
         {pp_cql_text(UTF8), pp_cql_int(INT32_MAX), pp_cql_bigint(INT64_MAX), pp_cql_bool(true),
          pp_cql_timestamp(253402300799999LL), pp_cql_list_text(TAGS + 4, 1), pp_cql_set_text(TAGS + 3, 1)},
         {pp_cql_text(UTF8), pp_cql_int(INT32_MAX), pp_cql_bigint(INT64_MAX), pp_cql_bool(true),
          pp_cql_timestamp(253402300799999LL), pp_cql_list_text(TAGS + 4, 1), pp_cql_set_text(TAGS + 3, 1)}},
        {"negatives",
         {pp_cql_text("-"), pp_cql_int(-1), pp_cql_bigint(-1), pp_cql_bool(false), pp_cql_timestamp(-1),
          pp_cql_list_text(TAGS, 1), pp_cql_set_text(TAGS, 1)},
         {pp_cql_text("-"), pp_cql_int(-1), pp_cql_bigint(-1), pp_cql_bool(false), pp_cql_timestamp(-1),
          pp_cql_list_text(TAGS, 1), pp_cql_set_text(TAGS, 1)}},
    };
    static const char *const COLS[] = {"t", "i", "b", "ok", "ts", "tags", "labels"};
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        pp_cql_value bind[8];
        bind[0] = pp_cql_text(rows[r].id);
        memcpy(bind + 1, rows[r].v, sizeof rows[r].v);
        must(pp_cql_execute(g_s, ins, bind, 8, NULL, g_err, sizeof g_err));
    }
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        print_message("row %s\n", rows[r].id);
        pp_cql_value key = pp_cql_text(rows[r].id);
        pp_cql_result *res = NULL;
        must(pp_cql_execute(g_s, sel, &key, 1, &res, g_err, sizeof g_err));
        assert_int_equal(pp_cql_result_nrows(res), 1);
        assert_int_equal(pp_cql_result_ncols(res), 7);
        for (size_t c = 0; c < 7; c++) {
            assert_string_equal(pp_cql_result_column(res, c)->name, COLS[c]);
            assert_value(&rows[r].want[c], pp_cql_result_value(res, 0, c), COLS[c]);
        }
        pp_cql_result_destroy(res);
    }
    /* typed getters on the ordinary row */
    pp_cql_value key = pp_cql_text("ordinary");
    pp_cql_result *res = NULL;
    must(pp_cql_execute(g_s, sel, &key, 1, &res, g_err, sizeof g_err));
    const char *t;
    int32_t i;
    int64_t b, ts;
    bool ok;
    const char *const *items;
    size_t n;
    assert_int_equal(pp_cql_result_get_text(res, 0, 0, &t, NULL), 0);
    assert_int_equal(pp_cql_result_get_int(res, 0, 1, &i), 0);
    assert_int_equal(pp_cql_result_get_bigint(res, 0, 2, &b), 0);
    assert_int_equal(pp_cql_result_get_bool(res, 0, 3, &ok), 0);
    assert_int_equal(pp_cql_result_get_timestamp(res, 0, 4, &ts), 0);
    assert_int_equal(pp_cql_result_get_list(res, 0, 5, &items, NULL, &n), 0);
    assert_string_equal(t, "pinpipe");
    assert_int_equal(i, 940);
    assert_true(b == 3000000 && ok && ts == 1700000000123LL && n == 5);
    pp_cql_result_destroy(res);

    /* unprepared statements bind values too (by their own kinds) */
    pp_cql_value q[2] = {pp_cql_text("ordinary"), pp_cql_text("x")};
    res = NULL;
    must(pp_cql_query(g_s, "SELECT id FROM " KS ".types WHERE id = ?", q, 1, &res, g_err, sizeof g_err));
    assert_int_equal(pp_cql_result_nrows(res), 1);
    pp_cql_result_destroy(res);
    assert_int_equal(pp_cql_query(g_s, "SELECT id FROM " KS ".types WHERE id = ?", q, 2, NULL, g_err, sizeof g_err),
                     PP_ESERVER); /* the server counts the markers */
}

/* ---- batches, errors -------------------------------------------------------- */

static void an_unlogged_batch_lands_whole(void **state) {
    (void)state;
    run("CREATE TABLE " KS ".batched (k text, n int, tags list<text>, PRIMARY KEY (k, n))");
    const pp_cql_prepared *ins, *ins2;
    must(pp_cql_prepare(g_s, "INSERT INTO " KS ".batched (k, n, tags) VALUES (?, ?, ?)", &ins, g_err, sizeof g_err));
    must(pp_cql_prepare(g_s, "INSERT INTO " KS ".batched (k, n) VALUES (?, ?)", &ins2, g_err, sizeof g_err));
    enum { N = 40 };
    pp_cql_value vals[N][3];
    pp_cql_batch_item items[N];
    char keys[N][8];
    for (int i = 0; i < N; i++) {
        snprintf(keys[i], sizeof keys[i], "k%d", i % 4);
        vals[i][0] = pp_cql_text(keys[i]);
        vals[i][1] = pp_cql_int(i);
        vals[i][2] = pp_cql_list_text(TAGS, (size_t)(i % 3));
        items[i] = (pp_cql_batch_item){i % 2 ? ins : ins2, vals[i], i % 2 ? 3u : 2u};
    }
    must(pp_cql_batch(g_s, PP_CQL_BATCH_UNLOGGED, items, N, g_err, sizeof g_err));
    pp_cql_result *res = NULL;
    must(pp_cql_query(g_s, "SELECT count(*) FROM " KS ".batched", NULL, 0, &res, g_err, sizeof g_err));
    int64_t count;
    assert_int_equal(pp_cql_result_get_bigint(res, 0, 0, &count), 0);
    assert_true(count == N);
    pp_cql_result_destroy(res);
}

static void a_bad_statement_surfaces_the_servers_message(void **state) {
    (void)state;
    assert_int_equal(pp_cql_query(g_s, "SELECT nope FROM " KS ".types", NULL, 0, NULL, g_err, sizeof g_err),
                     PP_ESERVER);
    print_message("%s\n", g_err);
    assert_true(strncmp(g_err, "code 0x2200 Invalid: ", 21) == 0);
    assert_non_null(strstr(g_err, "nope"));
    assert_int_equal(pp_cql_session_server_code(g_s), 0x2200);

    assert_int_equal(pp_cql_query(g_s, "SELEC 1", NULL, 0, NULL, g_err, sizeof g_err), PP_ESERVER);
    assert_true(strncmp(g_err, "code 0x2000 Syntax error: ", 26) == 0);

    assert_int_equal(
        pp_cql_query(g_s, "CREATE TABLE " KS ".types (k int PRIMARY KEY)", NULL, 0, NULL, g_err, sizeof g_err),
        PP_ESERVER);
    assert_int_equal(pp_cql_session_server_code(g_s), 0x2400); /* Already_exists */

    const pp_cql_prepared *p;
    assert_int_equal(pp_cql_prepare(g_s, "SELECT * FROM " KS ".missing", &p, g_err, sizeof g_err), PP_ESERVER);
    /* the session goes on */
    run("SELECT release_version FROM system.local");
}

/* ---- concurrency, paging, re-prepare ----------------------------------------- */

static void insert_rows(const char *table, int partition, int n) {
    char cql[256];
    snprintf(cql, sizeof cql, "INSERT INTO " KS ".%s (p, c, v) VALUES (?, ?, ?)", table);
    const pp_cql_prepared *ins;
    must(pp_cql_prepare(g_s, cql, &ins, g_err, sizeof g_err));
    /* batches of 100, all in flight at once */
    enum { PER = 100 };
    int nb = (n + PER - 1) / PER;
    pp_cql_future **fut = calloc((size_t)nb, sizeof *fut);
    pp_cql_value(*vals)[3] = calloc((size_t)n, sizeof *vals);
    char(*text)[16] = calloc((size_t)n, sizeof *text);
    pp_cql_batch_item *items = calloc((size_t)n, sizeof *items);
    assert_true(fut && vals && text && items);
    for (int i = 0; i < n; i++) {
        snprintf(text[i], sizeof text[i], "v%05d", i);
        vals[i][0] = pp_cql_int(partition);
        vals[i][1] = pp_cql_int(i);
        vals[i][2] = pp_cql_text(text[i]);
        items[i] = (pp_cql_batch_item){ins, vals[i], 3};
    }
    for (int b = 0; b < nb; b++) {
        size_t from = (size_t)b * PER, cnt = (size_t)(n - b * PER < PER ? n - b * PER : PER);
        must(pp_cql_submit_batch(g_s, PP_CQL_BATCH_UNLOGGED, items + from, cnt, &fut[b], g_err, sizeof g_err));
    }
    for (int b = nb; b-- > 0;) must(pp_cql_wait(g_s, fut[b], NULL, g_err, sizeof g_err));
    free(fut);
    free(vals);
    free(text);
    free(items);
}

static void many_requests_in_flight_on_one_connection(void **state) {
    (void)state;
    run("CREATE TABLE " KS ".flight (p int, c int, v text, PRIMARY KEY (p, c))");
    insert_rows("flight", 0, 3000); /* a heavy partition */
    insert_rows("flight", 1, 64);
    const pp_cql_prepared *one;
    must(pp_cql_prepare(g_s, "SELECT c, v FROM " KS ".flight WHERE p = 1 AND c = ?", &one, g_err, sizeof g_err));
    enum { N = 64 };
    pp_cql_future *fut[N + 1];
    int streams[N + 1];
    /* a heavy SELECT first, then light ones: the light ones usually come back first */
    must(pp_cql_submit_query(g_s, "SELECT * FROM " KS ".flight WHERE p = 0", NULL, 0, &fut[N], g_err, sizeof g_err));
    for (int i = 0; i < N; i++) {
        pp_cql_value v = pp_cql_int(i);
        must(pp_cql_submit_execute(g_s, one, &v, 1, &fut[i], g_err, sizeof g_err));
    }
    for (int i = 0; i <= N; i++) {
        streams[i] = pp_cql_future_stream(fut[i]);
        for (int j = 0; j < i; j++) assert_int_not_equal(streams[i], streams[j]);
    }
    int seen[N + 1] = {0}, order = 0, heavy_at = -1;
    for (int k = 0; k <= N; k++) {
        pp_cql_future *ready = NULL;
        must(pp_cql_poll(g_s, -1, &ready, g_err, sizeof g_err));
        int idx = -1;
        for (int i = 0; i <= N; i++)
            if (fut[i] == ready) idx = i;
        assert_true(idx >= 0 && !seen[idx]);
        seen[idx] = 1;
        pp_cql_result *res = NULL;
        must(pp_cql_wait(g_s, ready, &res, g_err, sizeof g_err));
        if (idx == N) {
            heavy_at = order;
            assert_int_equal(pp_cql_result_nrows(res), 3000);
        } else {
            int32_t c;
            const char *v;
            char want[16];
            snprintf(want, sizeof want, "v%05d", idx);
            assert_int_equal(pp_cql_result_nrows(res), 1);
            assert_int_equal(pp_cql_result_get_int(res, 0, 0, &c), 0);
            assert_int_equal(c, idx);
            assert_int_equal(pp_cql_result_get_text(res, 0, 1, &v, NULL), 0);
            assert_string_equal(v, want);
        }
        order++;
        pp_cql_result_destroy(res);
    }
    print_message("the heavy SELECT, sent first, was answered %d of %d\n", heavy_at + 1, N + 1);

    /* and collected in the reverse of the order they were sent */
    for (int i = 0; i < N; i++) {
        pp_cql_value v = pp_cql_int(i);
        must(pp_cql_submit_execute(g_s, one, &v, 1, &fut[i], g_err, sizeof g_err));
    }
    for (int i = N; i-- > 0;) {
        pp_cql_result *res = NULL;
        must(pp_cql_wait(g_s, fut[i], &res, g_err, sizeof g_err));
        int32_t c;
        assert_int_equal(pp_cql_result_get_int(res, 0, 0, &c), 0);
        assert_int_equal(c, i);
        pp_cql_result_destroy(res);
    }
}

static void selects_follow_pages_past_the_first(void **state) {
    (void)state;
    run("CREATE TABLE " KS ".paged (p int, c int, v text, PRIMARY KEY (p, c))");
    insert_rows("paged", 7, 2500);
    pp_cql_config cfg;
    config(&cfg);
    cfg.page_size = 1000;
    pp_cql_session *s = NULL;
    must(pp_cql_session_create(&cfg, &s, g_err, sizeof g_err));
    pp_cql_value p = pp_cql_int(7);
    pp_cql_result *all = NULL;
    must(pp_cql_query(s, "SELECT c, v FROM " KS ".paged WHERE p = ?", &p, 1, &all, g_err, sizeof g_err));
    assert_int_equal(pp_cql_result_nrows(all), 2500);
    for (size_t i = 0; i < 2500; i++) {
        int32_t c;
        assert_int_equal(pp_cql_result_get_int(all, i, 0, &c), 0);
        assert_int_equal(c, (int32_t)i);
    }
    pp_cql_result_destroy(all);

    const pp_cql_prepared *sel;
    must(pp_cql_prepare(s, "SELECT c FROM " KS ".paged WHERE p = ?", &sel, g_err, sizeof g_err));
    pp_cql_result *page = NULL, *next = NULL;
    size_t total = 0, pages = 0;
    must(pp_cql_execute_page(s, sel, &p, 1, NULL, &page, g_err, sizeof g_err));
    for (;;) {
        pages++;
        total += pp_cql_result_nrows(page);
        if (!pp_cql_result_has_more(page)) break;
        must(pp_cql_execute_page(s, sel, &p, 1, page, &next, g_err, sizeof g_err));
        pp_cql_result_destroy(page);
        page = next;
    }
    pp_cql_result_destroy(page);
    assert_int_equal(total, 2500);
    assert_true(pages >= 3);
    pp_cql_session_destroy(s);
}

static void a_forgotten_statement_is_reprepared(void **state) {
    (void)state;
    run("CREATE TABLE " KS ".re (k text PRIMARY KEY, v int)");
    run("INSERT INTO " KS ".re (k, v) VALUES ('a', 1)");
    const pp_cql_prepared *sel;
    must(pp_cql_prepare(g_s, "SELECT v FROM " KS ".re WHERE k = ?", &sel, g_err, sizeof g_err));
    pp_cql_value k = pp_cql_text("a");
    pp_cql_result *res = NULL;
    must(pp_cql_execute(g_s, sel, &k, 1, &res, g_err, sizeof g_err));
    assert_int_equal(pp_cql_result_nrows(res), 1);
    pp_cql_result_destroy(res);
    uint64_t before = pp_cql_session_reprepares(g_s);

    /* dropping the table makes the node forget statements on it */
    run("DROP TABLE " KS ".re");
    run("CREATE TABLE " KS ".re (k text PRIMARY KEY, v int)");
    run("INSERT INTO " KS ".re (k, v) VALUES ('a', 2)");
    must(pp_cql_execute(g_s, sel, &k, 1, &res, g_err, sizeof g_err));
    int32_t v;
    assert_int_equal(pp_cql_result_get_int(res, 0, 0, &v), 0);
    assert_int_equal(v, 2);
    pp_cql_result_destroy(res);
    assert_true(pp_cql_session_reprepares(g_s) == before + 1);
}

/* ---- the command ------------------------------------------------------------ */

/* Runs `pinpipe cql ARGS` with the output into *out (malloc'd); returns the exit code. */
static int pinpipe_cql(const char *args, char **out) {
    const char *build = getenv("PINPIPE_BUILD");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s/pinpipe' cql %s 2>&1", build && *build ? build : "build", args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 16, n = 0;
    *out = malloc(cap);
    size_t got;
    while ((got = fread(*out + n, 1, cap - n - 1, p)) > 0) n += got;
    (*out)[n] = '\0';
    int st = pclose(p);
    print_message("$ pinpipe cql %s\n%s", args, *out);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void the_command_runs_scripts_and_prints_rows(void **state) {
    (void)state;
    char path[] = "/tmp/pinpipe_it_cql_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char script[] = "-- a script: ';' ends a statement at the end of a line\n"
                                 "CREATE TABLE " KS ".cli (k text PRIMARY KEY, n int,\n"
                                 "                         tags list<text>);\n"
                                 "INSERT INTO " KS ".cli (k, n, tags) VALUES ('a,b', 1, ['x', 'y']);\n"
                                 "INSERT INTO " KS ".cli (k, n) VALUES ('c', 22);\n"
                                 "SELECT k, n, tags FROM " KS ".cli WHERE k = 'a,b';\n";
    assert_int_equal(write(fd, script, sizeof script - 1), (ssize_t)(sizeof script - 1));
    close(fd);
    char args[512], *out;
    snprintf(args, sizeof args, "--file %s --format csv", path);
    assert_int_equal(pinpipe_cql(args, &out), 0);
    assert_string_equal(out, "k,n,tags\r\n\"a,b\",1,\"['x', 'y']\"\r\n");
    free(out);
    unlink(path);

    assert_int_equal(pinpipe_cql("-k " KS " -e \"SELECT k, n FROM cli WHERE k = 'c'\"", &out), 0);
    assert_string_equal(out, " k | n\n---+----\n c | 22\n\n(1 row)\n");
    free(out);
    assert_int_equal(pinpipe_cql("--format json -e \"SELECT k, n, tags FROM " KS ".cli WHERE k = 'a,b'\"", &out), 0);
    assert_string_equal(out, "{\"k\":\"a,b\",\"n\":1,\"tags\":[\"x\",\"y\"]}\n");
    free(out);
    assert_int_equal(pinpipe_cql("-e \"SELECT nope FROM " KS ".cli\"", &out), 1);
    assert_non_null(strstr(out, "pinpipe cql: code 0x2200 Invalid: "));
    free(out);
    char pw[] = "/tmp/pinpipe_it_cql_pw_XXXXXX", pw_args[256]; /* mkstemp: mode 0600 */
    int pfd = mkstemp(pw);
    assert_true(pfd >= 0);
    assert_int_equal(write(pfd, "wrong\n", 6), 6);
    close(pfd);
    snprintf(pw_args, sizeof pw_args, "--password-file %s -e \"SELECT 1\"", pw);
    assert_int_equal(pinpipe_cql(pw_args, &out), 1);
    unlink(pw);
    assert_non_null(strstr(out, "code 0x0100 Bad credentials"));
    free(out);
}

/* Skipped (exit 0) only when PINPIPE_IT_SERVICES is set without cassandra. */
static int service_wanted(void) {
    const char *svcs = getenv("PINPIPE_IT_SERVICES");
    if (!svcs || !*svcs) return 1;
    char padded[512];
    snprintf(padded, sizeof padded, " %s ", svcs);
    return strstr(padded, " cassandra ") != NULL;
}

int main(void) {
    if (!service_wanted()) {
        printf("cql_it: SKIP (cassandra not in PINPIPE_IT_SERVICES)\n");
        return 0;
    }
    pp_log_init_from_env();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_wrong_password_is_refused_with_the_servers_message),
        cmocka_unit_test(every_type_round_trips_through_prepared_statements),
        cmocka_unit_test(an_unlogged_batch_lands_whole),
        cmocka_unit_test(a_bad_statement_surfaces_the_servers_message),
        cmocka_unit_test(many_requests_in_flight_on_one_connection),
        cmocka_unit_test(selects_follow_pages_past_the_first),
        cmocka_unit_test(a_forgotten_statement_is_reprepared),
        cmocka_unit_test(the_command_runs_scripts_and_prints_rows),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
