/* Specification of the CQL connection and session (src/cql/cql_conn.c,
 * cql_session.c) against a scripted fake server on 127.0.0.1 (a thread in this
 * process; no Cassandra needed): STARTUP and SASL PLAIN (with a challenge round);
 * bad credentials surface the server's code and message; several requests in flight
 * on one connection answered in reverse order are matched by stream id; a statement
 * the server forgot (Unprepared) is re-prepared and retried once, for EXECUTE and
 * BATCH; SELECTs follow the paging state; a request past its deadline times out and
 * its late answer is dropped; an oversized frame or a closed socket fails cleanly;
 * a refused connection fails at once. */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/error.h"
#include "common/log.h"
#include "cql/cql_session.h"
#include "cql_fake_server.h"

/* ---- the fake server (cql_fake_server.h) and its replies ------------------- */

typedef fake_server fake;

/* Reads a request and checks its opcode. */
static int srv_expect(fake *f, uint8_t opcode, pp_cql_header *h, pp_cql_buf *body) {
    if (srv_read(f, h, body)) {
        srv_fail(f, "server: no request where opcode 0x%02x was expected", opcode);
        return -1;
    }
    if (h->opcode != opcode) {
        srv_fail(f, "server: expected opcode 0x%02x, got 0x%02x", opcode, h->opcode);
        return -1;
    }
    return 0;
}

static void srv_send_empty(fake *f, int16_t stream, uint8_t opcode) {
    pp_cql_buf b;
    pp_cql_buf_init(&b);
    srv_send(f, stream, opcode, &b);
    pp_cql_buf_free(&b);
}

/* A Rows result of one text column "v" holding the given values. */
static void srv_send_rows(fake *f, int16_t stream, const char *const *vals, size_t n, const char *paging_state) {
    pp_cql_buf b;
    pp_cql_buf_init(&b);
    pp_cql_put_i32(&b, PP_CQL_RESULT_ROWS);
    pp_cql_put_i32(&b, 0x0001 | (paging_state ? 0x0002 : 0));
    pp_cql_put_i32(&b, 1);
    if (paging_state) pp_cql_put_bytes(&b, paging_state, strlen(paging_state));
    put_str(&b, "ks");
    put_str(&b, "t");
    put_str(&b, "v");
    put_opt(&b, PP_CQL_T_VARCHAR);
    pp_cql_put_i32(&b, (int32_t)n);
    for (size_t i = 0; i < n; i++) put_cell(&b, vals[i], (int32_t)strlen(vals[i]));
    srv_send(f, stream, PP_CQL_OP_RESULT, &b);
    pp_cql_buf_free(&b);
}

static void srv_send_error(fake *f, int16_t stream, int32_t code, const char *msg, const char *unprepared_id) {
    pp_cql_buf b;
    pp_cql_buf_init(&b);
    body_error(&b, code, msg);
    if (unprepared_id) pp_cql_put_short_bytes(&b, unprepared_id, strlen(unprepared_id));
    srv_send(f, stream, PP_CQL_OP_ERROR, &b);
    pp_cql_buf_free(&b);
}

static void srv_send_void(fake *f, int16_t stream) {
    pp_cql_buf b;
    pp_cql_buf_init(&b);
    pp_cql_put_i32(&b, PP_CQL_RESULT_VOID);
    srv_send(f, stream, PP_CQL_OP_RESULT, &b);
    pp_cql_buf_free(&b);
}

/* The [long string] query at the start of a QUERY/PREPARE body, NUL-terminated. */
static const char *query_text(pp_cql_buf *body) {
    static __thread char q[512];
    pp_cql_rd r;
    pp_cql_rd_init(&r, body->data, body->len);
    const char *s;
    size_t n;
    if (pp_cql_get_long_string(&r, &s, &n) || n >= sizeof q) return "";
    memcpy(q, s, n);
    q[n] = '\0';
    return q;
}

/* The [short bytes] id at the start of an EXECUTE body. */
static const char *execute_id(pp_cql_buf *body) {
    static __thread char id[64];
    pp_cql_rd r;
    pp_cql_rd_init(&r, body->data, body->len);
    const uint8_t *p;
    size_t n;
    if (pp_cql_get_short_bytes(&r, &p, &n) || n >= sizeof id) return "";
    memcpy(id, p, n);
    id[n] = '\0';
    return id;
}

/* STARTUP, then READY or the PLAIN exchange (with one challenge round). */
static int srv_handshake(fake *f, int auth, const char *password) {
    pp_cql_header h;
    pp_cql_buf body;
    pp_cql_buf_init(&body);
    int rc = srv_expect(f, PP_CQL_OP_STARTUP, &h, &body);
    static const char startup[] = "\x00\x01\x00\x0b"
                                  "CQL_VERSION\x00\x05"
                                  "3.0.0";
    if (!rc && (body.len != sizeof startup - 1 || memcmp(body.data, startup, body.len))) {
        srv_fail(f, "server: STARTUP body is not {CQL_VERSION: 3.0.0}");
        rc = -1;
    }
    if (!rc && !auth) srv_send_empty(f, h.stream, PP_CQL_OP_READY);
    if (!rc && auth) {
        pp_cql_buf b;
        pp_cql_buf_init(&b);
        put_str(&b, "org.apache.cassandra.auth.PasswordAuthenticator");
        srv_send(f, h.stream, PP_CQL_OP_AUTHENTICATE, &b);
        char token[128];
        int tn = snprintf(token, sizeof token, "%c%s%c%s", 0, "cassandra", 0, password);
        for (int round = 0; !rc && round < 2; round++) {
            rc = srv_expect(f, PP_CQL_OP_AUTH_RESPONSE, &h, &body);
            if (!rc && (body.len != (size_t)tn + 4 || memcmp(body.data + 4, token, (size_t)tn))) {
                srv_fail(f, "server: AUTH_RESPONSE is not PLAIN cassandra/%s", password);
                rc = -1;
            }
            pp_cql_buf_reset(&b);
            pp_cql_put_bytes(&b, "more?", 5);
            if (!rc) srv_send(f, h.stream, round ? PP_CQL_OP_AUTH_SUCCESS : PP_CQL_OP_AUTH_CHALLENGE, &b);
        }
        pp_cql_buf_free(&b);
    }
    pp_cql_buf_free(&body);
    return rc;
}

/* Starts the fake server with run; cfg points a client at it (user cassandra,
 * password "secret", 5 s request timeout). */
static void start_fake(fake *f, fake_scenario run, pp_cql_config *cfg) {
    fake_start(f, run, NULL);
    pp_cql_config_defaults(cfg);
    cfg->host = "127.0.0.1";
    cfg->port = f->port;
    cfg->password = "secret";
    cfg->request_timeout_ms = 5000;
}

/* A session with cfg, which must open. */
static pp_cql_session *open_session(const pp_cql_config *cfg) {
    pp_cql_session *s = NULL;
    char err[512] = "";
    if (pp_cql_session_create(cfg, &s, err, sizeof err)) fail_msg("session: %s", err);
    return s;
}

/* Starts the fake server with run and opens a session to it with the default cfg. */
static pp_cql_session *session_on(fake *f, fake_scenario run) {
    pp_cql_config cfg;
    start_fake(f, run, &cfg);
    return open_session(&cfg);
}

/* ---- scenarios ------------------------------------------------------------ */

static void sc_out_of_order(fake *f) {
    if (srv_handshake(f, 1, "secret")) return;
    pp_cql_header h[3];
    char q[3][64];
    pp_cql_buf body;
    pp_cql_buf_init(&body);
    for (int i = 0; i < 3; i++) {
        if (srv_expect(f, PP_CQL_OP_QUERY, &h[i], &body)) goto done;
        snprintf(q[i], sizeof q[i], "%s", query_text(&body));
    }
    for (int i = 2; i >= 0; i--) { /* answered last first */
        const char *v = q[i];
        srv_send_rows(f, h[i].stream, &v, 1, NULL);
    }
    /* then a statement the server refuses */
    if (srv_expect(f, PP_CQL_OP_QUERY, &h[0], &body)) goto done;
    srv_send_error(f, h[0].stream, 0x2000, "line 1:0 no viable alternative at input 'SELEC'", NULL);
done:
    pp_cql_buf_free(&body);
}

static void answers_in_flight_requests_in_any_order(void **state) {
    (void)state;
    fake f;
    pp_cql_session *s = session_on(&f, sc_out_of_order);
    char err[512] = "";

    static const char *const Q[3] = {"SELECT v FROM t WHERE k = 0", "SELECT v FROM t WHERE k = 1",
                                     "SELECT v FROM t WHERE k = 2"};
    pp_cql_future *fut[3];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(pp_cql_submit_query(s, Q[i], NULL, 0, &fut[i], err, sizeof err), 0);
        assert_int_equal(pp_cql_future_stream(fut[i]), i); /* three ids on one connection */
    }
    for (int want = 2; want >= 0; want--) { /* ready in the order the server answered */
        pp_cql_future *ready = NULL;
        assert_int_equal(pp_cql_poll(s, -1, &ready, err, sizeof err), 0);
        assert_ptr_equal(ready, fut[want]);
        pp_cql_result *res = NULL;
        assert_int_equal(pp_cql_wait(s, ready, &res, err, sizeof err), 0);
        const char *v;
        assert_int_equal(pp_cql_result_get_text(res, 0, 0, &v, NULL), 0);
        assert_string_equal(v, Q[want]);
        pp_cql_result_destroy(res);
    }
    pp_cql_future *none;
    assert_int_equal(pp_cql_poll(s, 0, &none, err, sizeof err), PP_EINVAL);

    assert_int_equal(pp_cql_query(s, "SELEC 1", NULL, 0, NULL, err, sizeof err), PP_ESERVER);
    assert_string_equal(err,
                        "code 0x2000 Syntax error: line 1:0 no viable alternative at input "
                        "'SELEC'");
    assert_int_equal(pp_cql_session_server_code(s), 0x2000);
    pp_cql_session_destroy(s);
    fake_join(&f);
}

static void sc_bad_password(fake *f) {
    pp_cql_header h;
    pp_cql_buf body;
    pp_cql_buf_init(&body);
    if (!srv_expect(f, PP_CQL_OP_STARTUP, &h, &body)) {
        pp_cql_buf b;
        pp_cql_buf_init(&b);
        put_str(&b, "org.apache.cassandra.auth.PasswordAuthenticator");
        srv_send(f, h.stream, PP_CQL_OP_AUTHENTICATE, &b);
        pp_cql_buf_free(&b);
        if (!srv_expect(f, PP_CQL_OP_AUTH_RESPONSE, &h, &body))
            srv_send_error(f, h.stream, 0x0100, "Provided username cassandra and/or password are incorrect", NULL);
    }
    pp_cql_buf_free(&body);
}

static void rejects_bad_credentials_with_the_servers_message(void **state) {
    (void)state;
    fake f;
    pp_cql_config cfg;
    start_fake(&f, sc_bad_password, &cfg);
    cfg.password = "wrong";
    pp_cql_session *s = NULL;
    char err[512] = "";
    assert_int_equal(pp_cql_session_create(&cfg, &s, err, sizeof err), PP_ESERVER);
    assert_null(s);
    assert_string_equal(err,
                        "code 0x0100 Bad credentials: Provided username cassandra and/or "
                        "password are incorrect");
    fake_join(&f);
}

static void sc_auth_needed(fake *f) {
    pp_cql_header h;
    pp_cql_buf body;
    pp_cql_buf_init(&body);
    if (!srv_expect(f, PP_CQL_OP_STARTUP, &h, &body)) {
        pp_cql_buf b;
        pp_cql_buf_init(&b);
        put_str(&b, "org.apache.cassandra.auth.PasswordAuthenticator");
        srv_send(f, h.stream, PP_CQL_OP_AUTHENTICATE, &b);
        pp_cql_buf_free(&b);
    }
    pp_cql_buf_free(&body);
}

static void says_when_the_server_wants_credentials_it_was_not_given(void **state) {
    (void)state;
    fake f;
    pp_cql_config cfg;
    start_fake(&f, sc_auth_needed, &cfg);
    cfg.user = "";
    pp_cql_session *s = NULL;
    char err[512] = "";
    assert_int_equal(pp_cql_session_create(&cfg, &s, err, sizeof err), PP_EINVAL);
    assert_non_null(strstr(err, "requires authentication"));
    fake_join(&f);
}

static void sc_unprepared(fake *f) {
    pp_cql_header h;
    pp_cql_buf body;
    pp_cql_buf_init(&body);
    if (srv_handshake(f, 0, "")) goto done;
    /* prepare, execute -> Unprepared, re-prepare -> new id, execute -> rows */
    if (srv_expect(f, PP_CQL_OP_PREPARE, &h, &body)) goto done;
    srv_send_prepared(f, h.stream, "A", "id");
    if (srv_expect(f, PP_CQL_OP_EXECUTE, &h, &body)) goto done;
    if (strcmp(execute_id(&body), "A")) srv_fail(f, "server: first EXECUTE not with id A");
    srv_send_error(f, h.stream, 0x2500, "Prepared query with ID 41 not found", "A");
    if (srv_expect(f, PP_CQL_OP_PREPARE, &h, &body)) goto done;
    if (strcmp(query_text(&body), "SELECT v FROM t WHERE id = ?"))
        srv_fail(f, "server: re-PREPARE of another statement: %s", query_text(&body));
    srv_send_prepared(f, h.stream, "B", "id");
    if (srv_expect(f, PP_CQL_OP_EXECUTE, &h, &body)) goto done;
    if (strcmp(execute_id(&body), "B")) srv_fail(f, "server: retried EXECUTE not with id B");
    const char *v = "found";
    srv_send_rows(f, h.stream, &v, 1, NULL);
    /* a batch of it -> Unprepared(B), re-prepare -> C, batch again -> Void */
    if (srv_expect(f, PP_CQL_OP_BATCH, &h, &body)) goto done;
    srv_send_error(f, h.stream, 0x2500, "Prepared query with ID 42 not found", "B");
    if (srv_expect(f, PP_CQL_OP_PREPARE, &h, &body)) goto done;
    srv_send_prepared(f, h.stream, "C", "id");
    if (srv_expect(f, PP_CQL_OP_BATCH, &h, &body)) goto done;
    /* type 1 (unlogged), 2 statements, each kind 1 with id "C" */
    static const char head[] = "\x01\x00\x02\x01\x00\x01"
                               "C";
    if (body.len < 7 || memcmp(body.data, head, 7)) srv_fail(f, "server: retried BATCH is not unlogged with id C");
    srv_send_void(f, h.stream);
    /* retried once only: Unprepared twice is the caller's error */
    if (srv_expect(f, PP_CQL_OP_EXECUTE, &h, &body)) goto done;
    srv_send_error(f, h.stream, 0x2500, "Prepared query with ID 43 not found", "C");
    if (srv_expect(f, PP_CQL_OP_PREPARE, &h, &body)) goto done;
    srv_send_prepared(f, h.stream, "D", "id");
    if (srv_expect(f, PP_CQL_OP_EXECUTE, &h, &body)) goto done;
    srv_send_error(f, h.stream, 0x2500, "Prepared query with ID 44 not found", "D");
done:
    pp_cql_buf_free(&body);
}

static void reprepares_once_when_the_server_forgot_a_statement(void **state) {
    (void)state;
    fake f;
    pp_cql_session *s = session_on(&f, sc_unprepared);
    char err[512] = "";
    const pp_cql_prepared *p;
    assert_int_equal(pp_cql_prepare(s, "SELECT v FROM t WHERE id = ?", &p, err, sizeof err), 0);
    const pp_cql_prepared *again;
    assert_int_equal(pp_cql_prepare(s, "SELECT v FROM t WHERE id = ?", &again, err, sizeof err), 0);
    assert_ptr_equal(p, again); /* cached: no second PREPARE on the wire */
    assert_int_equal(pp_cql_prepared_nbind(p), 1);

    pp_cql_value v = pp_cql_text("k1");
    pp_cql_result *res = NULL;
    assert_int_equal(pp_cql_execute(s, p, &v, 1, &res, err, sizeof err), 0);
    const char *got;
    assert_int_equal(pp_cql_result_get_text(res, 0, 0, &got, NULL), 0);
    assert_string_equal(got, "found");
    pp_cql_result_destroy(res);
    assert_int_equal(pp_cql_session_reprepares(s), 1);

    pp_cql_batch_item items[2] = {{p, &v, 1}, {p, &v, 1}};
    assert_int_equal(pp_cql_batch(s, PP_CQL_BATCH_UNLOGGED, items, 2, err, sizeof err), 0);
    assert_int_equal(pp_cql_session_reprepares(s), 2);

    assert_int_equal(pp_cql_execute(s, p, &v, 1, NULL, err, sizeof err), PP_ESERVER);
    assert_string_equal(err, "code 0x2500 Unprepared: Prepared query with ID 44 not found");

    /* wrong value counts never reach the wire */
    assert_int_equal(pp_cql_execute(s, p, NULL, 0, NULL, err, sizeof err), PP_EINVAL);
    assert_string_equal(err, "the statement takes 1 bound values, 0 given");
    pp_cql_value wrong = pp_cql_int(1);
    assert_int_equal(pp_cql_execute(s, p, &wrong, 1, NULL, err, sizeof err), PP_EINVAL);
    assert_string_equal(err, "bound value 1 (id): a int value cannot be bound to a text column");
    pp_cql_session_destroy(s);
    fake_join(&f);
}

/* Checks a QUERY's parameters: page size and paging state. */
static void check_paging(fake *f, pp_cql_buf *body, int32_t page_size, const char *state) {
    pp_cql_rd r;
    pp_cql_rd_init(&r, body->data, body->len);
    const char *s;
    size_t n;
    uint16_t cl;
    uint8_t flags;
    int32_t ps;
    if (pp_cql_get_long_string(&r, &s, &n) || pp_cql_get_u16(&r, &cl) || pp_cql_get_u8(&r, &flags) || !(flags & 0x04) ||
        pp_cql_get_i32(&r, &ps) || ps != page_size) {
        srv_fail(f, "server: QUERY without page size %d", page_size);
        return;
    }
    if (cl != PP_CQL_LOCAL_ONE) srv_fail(f, "server: consistency 0x%04x, not LOCAL_ONE", cl);
    const uint8_t *p;
    int32_t pl;
    if (!state) {
        if (flags & 0x08) srv_fail(f, "server: a first page asked with a paging state");
        return;
    }
    if (!(flags & 0x08) || pp_cql_get_bytes(&r, &p, &pl) || pl != (int32_t)strlen(state) ||
        memcmp(p, state, (size_t)pl))
        srv_fail(f, "server: next page not asked with paging state %s", state);
}

static void sc_paging(fake *f) {
    pp_cql_header h;
    pp_cql_buf body;
    pp_cql_buf_init(&body);
    if (srv_handshake(f, 0, "")) goto done;
    if (srv_expect(f, PP_CQL_OP_QUERY, &h, &body)) goto done;
    if (strcmp(query_text(&body), "USE pinpipe")) srv_fail(f, "server: no USE pinpipe first");
    pp_cql_buf ks;
    pp_cql_buf_init(&ks);
    pp_cql_put_i32(&ks, PP_CQL_RESULT_SET_KEYSPACE);
    put_str(&ks, "pinpipe");
    srv_send(f, h.stream, PP_CQL_OP_RESULT, &ks);
    pp_cql_buf_free(&ks);
    /* a synchronous query follows every page */
    static const char *const p1[] = {"a", "b"}, *const p2[] = {"c", "d"}, *const p3[] = {"e"};
    if (srv_expect(f, PP_CQL_OP_QUERY, &h, &body)) goto done;
    check_paging(f, &body, 2, NULL);
    srv_send_rows(f, h.stream, p1, 2, "S1");
    if (srv_expect(f, PP_CQL_OP_QUERY, &h, &body)) goto done;
    check_paging(f, &body, 2, "S1");
    srv_send_rows(f, h.stream, p2, 2, "S2");
    if (srv_expect(f, PP_CQL_OP_QUERY, &h, &body)) goto done;
    check_paging(f, &body, 2, "S2");
    srv_send_rows(f, h.stream, p3, 1, NULL);
    /* page by page */
    if (srv_expect(f, PP_CQL_OP_QUERY, &h, &body)) goto done;
    check_paging(f, &body, 2, NULL);
    srv_send_rows(f, h.stream, p1, 2, "T1");
    if (srv_expect(f, PP_CQL_OP_QUERY, &h, &body)) goto done;
    check_paging(f, &body, 2, "T1");
    srv_send_rows(f, h.stream, p3, 1, NULL);
done:
    pp_cql_buf_free(&body);
}

static void follows_the_paging_state(void **state) {
    (void)state;
    fake f;
    pp_cql_config cfg;
    start_fake(&f, sc_paging, &cfg);
    cfg.user = NULL;
    cfg.keyspace = "pinpipe";
    cfg.page_size = 2;
    pp_cql_session *s = open_session(&cfg);
    char err[512] = "";
    assert_string_equal(pp_cql_session_keyspace(s), "pinpipe");
    pp_cql_result *all = NULL;
    assert_int_equal(pp_cql_query(s, "SELECT v FROM t", NULL, 0, &all, err, sizeof err), 0);
    assert_int_equal(pp_cql_result_nrows(all), 5);
    assert_false(pp_cql_result_has_more(all));
    static const char *const want[] = {"a", "b", "c", "d", "e"};
    for (size_t i = 0; i < 5; i++) {
        const char *v;
        assert_int_equal(pp_cql_result_get_text(all, i, 0, &v, NULL), 0);
        assert_string_equal(v, want[i]);
    }
    pp_cql_result_destroy(all);

    pp_cql_result *page1 = NULL, *page2 = NULL;
    assert_int_equal(pp_cql_query_page(s, "SELECT v FROM t", NULL, 0, NULL, &page1, err, sizeof err), 0);
    assert_true(pp_cql_result_has_more(page1));
    assert_int_equal(pp_cql_result_nrows(page1), 2);
    assert_int_equal(pp_cql_query_page(s, "SELECT v FROM t", NULL, 0, page1, &page2, err, sizeof err), 0);
    assert_false(pp_cql_result_has_more(page2));
    assert_int_equal(pp_cql_result_nrows(page2), 1);
    pp_cql_result *after = NULL;
    assert_int_equal(pp_cql_query_page(s, "SELECT v FROM t", NULL, 0, page2, &after, err, sizeof err),
                     PP_EINVAL); /* no page after the last */
    pp_cql_result_destroy(page1);
    pp_cql_result_destroy(page2);
    pp_cql_session_destroy(s);
    fake_join(&f);
}

static void sc_late(fake *f) {
    pp_cql_header slow, fast;
    pp_cql_buf body;
    pp_cql_buf_init(&body);
    if (srv_handshake(f, 0, "")) goto done;
    if (srv_expect(f, PP_CQL_OP_QUERY, &slow, &body)) goto done;
    /* no answer until the client, having given up, sends the next request */
    if (srv_expect(f, PP_CQL_OP_QUERY, &fast, &body)) goto done;
    if (slow.stream == fast.stream) srv_fail(f, "server: a timed-out stream id was reused");
    const char *a = "slow", *b = "fast";
    srv_send_rows(f, slow.stream, &a, 1, NULL);
    srv_send_rows(f, fast.stream, &b, 1, NULL);
done:
    pp_cql_buf_free(&body);
}

static void times_out_and_drops_the_late_answer(void **state) {
    (void)state;
    fake f;
    pp_cql_config cfg;
    start_fake(&f, sc_late, &cfg);
    cfg.user = NULL;
    cfg.request_timeout_ms = 200;
    pp_cql_session *s = open_session(&cfg);
    char err[512] = "";
    assert_int_equal(pp_cql_query(s, "SELECT slow", NULL, 0, NULL, err, sizeof err), PP_ETIMEOUT);
    assert_non_null(strstr(err, "timed out after 200 ms"));
    pp_cql_result *res = NULL;
    assert_int_equal(pp_cql_query(s, "SELECT fast", NULL, 0, &res, err, sizeof err), 0);
    const char *v;
    assert_int_equal(pp_cql_result_get_text(res, 0, 0, &v, NULL), 0);
    assert_string_equal(v, "fast");
    pp_cql_result_destroy(res);
    pp_cql_session_destroy(s);
    fake_join(&f);
}

static void sc_answer_one_of_two(fake *f) {
    pp_cql_header a, b;
    pp_cql_buf body;
    pp_cql_buf_init(&body);
    if (!srv_handshake(f, 0, "") && !srv_expect(f, PP_CQL_OP_QUERY, &a, &body) &&
        !srv_expect(f, PP_CQL_OP_QUERY, &b, &body)) {
        const char *v = "answered";
        srv_send_rows(f, a.stream, &v, 1, NULL);
        uint8_t x;
        if (read(f->fd, &x, 1) != 0) srv_fail(f, "server: expected the client to hang up");
    }
    pp_cql_buf_free(&body);
}

static void futures_never_waited_for_are_freed_with_the_session(void **state) {
    (void)state;
    fake f;
    pp_cql_config cfg;
    start_fake(&f, sc_answer_one_of_two, &cfg);
    cfg.user = NULL;
    pp_cql_session *s = open_session(&cfg);
    char err[512] = "";
    pp_cql_future *a, *b, *ready;
    assert_int_equal(pp_cql_submit_query(s, "SELECT a", NULL, 0, &a, err, sizeof err), 0);
    assert_int_equal(pp_cql_submit_query(s, "SELECT b", NULL, 0, &b, err, sizeof err), 0);
    assert_int_equal(pp_cql_poll(s, -1, &ready, err, sizeof err), 0);
    assert_ptr_equal(ready, a);
    assert_int_equal(pp_cql_poll(s, 50, &ready, err, sizeof err), 0);
    assert_ptr_equal(ready, a); /* ready until waited for */
    pp_cql_session_destroy(s);  /* a answered, b in flight: both freed (ASan checks) */
    fake_join(&f);
}

static void sc_oversized(fake *f) {
    pp_cql_header h;
    pp_cql_buf body;
    pp_cql_buf_init(&body);
    if (!srv_handshake(f, 0, "") && !srv_expect(f, PP_CQL_OP_QUERY, &h, &body)) {
        uint8_t hdr[9] = {0x84, 0,   (uint8_t)(h.stream >> 8), (uint8_t)h.stream, 0x08, 0, 0,
                          0x13, 0x88}; /* a 5000-byte body announced */
        if (send(f->fd, hdr, sizeof hdr, MSG_NOSIGNAL) != (ssize_t)sizeof hdr) srv_fail(f, "server: write");
    }
    pp_cql_buf_free(&body);
}

static void refuses_frames_over_the_configured_size(void **state) {
    (void)state;
    fake f;
    pp_cql_config cfg;
    start_fake(&f, sc_oversized, &cfg);
    cfg.user = NULL;
    cfg.max_frame = 4096;
    pp_cql_session *s = open_session(&cfg);
    char err[512] = "";
    assert_int_equal(pp_cql_query(s, "SELECT big", NULL, 0, NULL, err, sizeof err), PP_EPROTO);
    assert_non_null(strstr(err, "frame body of 5000 bytes exceeds the limit of 4096 bytes"));
    pp_cql_session_destroy(s);
    fake_join(&f);
}

static void sc_hang_up(fake *f) {
    pp_cql_header h;
    pp_cql_buf body;
    pp_cql_buf_init(&body);
    if (!srv_handshake(f, 0, "") && !srv_expect(f, PP_CQL_OP_QUERY, &h, &body)) {
        static const uint8_t half[5] = {0x84, 0, 0, 0, 0x08}; /* half a header, then EOF */
        if (send(f->fd, half, sizeof half, MSG_NOSIGNAL) != (ssize_t)sizeof half) srv_fail(f, "server: write");
    }
    pp_cql_buf_free(&body);
}

static void a_closed_connection_fails_the_request(void **state) {
    (void)state;
    fake f;
    pp_cql_config cfg;
    start_fake(&f, sc_hang_up, &cfg);
    cfg.user = NULL;
    pp_cql_session *s = open_session(&cfg);
    char err[512] = "";
    assert_int_equal(pp_cql_query(s, "SELECT 1", NULL, 0, NULL, err, sizeof err), PP_EIO);
    assert_non_null(strstr(err, "connection closed by the server"));
    pp_cql_session_destroy(s);
    fake_join(&f);
}

static void a_refused_connection_fails_at_once(void **state) {
    (void)state;
    /* a port bound but not listening refuses connections */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    pp_cql_config cfg;
    pp_cql_config_defaults(&cfg);
    cfg.port = ntohs(a.sin_port);
    pp_cql_session *s = NULL;
    char err[512] = "", want[128];
    assert_int_equal(pp_cql_session_create(&cfg, &s, err, sizeof err), PP_EIO);
    snprintf(want, sizeof want, "connect to 127.0.0.1:%d: Connection refused", cfg.port);
    assert_string_equal(err, want);
    cfg.host = "localhost"; /* a name (from /etc/hosts), refused the same way */
    assert_int_equal(pp_cql_session_create(&cfg, &s, err, sizeof err), PP_EIO);
    assert_non_null(strstr(err, "Connection refused"));
    close(fd);
}

static void config_comes_from_the_environment(void **state) {
    (void)state;
    pp_cql_config cfg;
    char err[256] = "";
    setenv("PINPIPE_CASSANDRA_HOST", "db.example", 1);
    setenv("PINPIPE_CASSANDRA_PORT", "9042", 1);
    setenv("PINPIPE_CASSANDRA_USER", "pin", 1);
    setenv("PINPIPE_CASSANDRA_PASSWORD", "pipe", 1);
    setenv("PINPIPE_CASSANDRA_CONSISTENCY", "quorum", 1);
    assert_int_equal(pp_cql_config_from_env(&cfg, err, sizeof err), 0);
    assert_string_equal(cfg.host, "db.example");
    assert_int_equal(cfg.port, 9042);
    assert_string_equal(cfg.user, "pin");
    assert_string_equal(cfg.password, "pipe");
    assert_int_equal(cfg.consistency, PP_CQL_QUORUM);
    assert_null(cfg.keyspace);
    setenv("PINPIPE_CASSANDRA_PORT", "90x", 1);
    assert_int_equal(pp_cql_config_from_env(&cfg, err, sizeof err), PP_EINVAL);
    assert_string_equal(err, "PINPIPE_CASSANDRA_PORT=90x: not a port number");
    unsetenv("PINPIPE_CASSANDRA_HOST");
    unsetenv("PINPIPE_CASSANDRA_PORT");
    unsetenv("PINPIPE_CASSANDRA_USER");
    unsetenv("PINPIPE_CASSANDRA_PASSWORD");
    unsetenv("PINPIPE_CASSANDRA_CONSISTENCY");
    assert_int_equal(pp_cql_config_from_env(&cfg, err, sizeof err), 0);
    assert_string_equal(cfg.host, "127.0.0.1");
    assert_int_equal(cfg.port, 19042);
    assert_string_equal(cfg.user, "cassandra");
    assert_string_equal(cfg.password, "cassandra");
    assert_int_equal(cfg.consistency, PP_CQL_LOCAL_ONE);
    assert_int_equal(cfg.max_frame, 256u * 1024 * 1024);

    pp_cql_session *s = NULL;
    cfg.keyspace = "bad name; DROP";
    assert_int_equal(pp_cql_session_create(&cfg, &s, err, sizeof err), PP_EINVAL);
}

int main(void) {
    pp_log_set_level(PP_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(answers_in_flight_requests_in_any_order),
        cmocka_unit_test(rejects_bad_credentials_with_the_servers_message),
        cmocka_unit_test(says_when_the_server_wants_credentials_it_was_not_given),
        cmocka_unit_test(reprepares_once_when_the_server_forgot_a_statement),
        cmocka_unit_test(follows_the_paging_state),
        cmocka_unit_test(times_out_and_drops_the_late_answer),
        cmocka_unit_test(futures_never_waited_for_are_freed_with_the_session),
        cmocka_unit_test(refuses_frames_over_the_configured_size),
        cmocka_unit_test(a_closed_connection_fails_the_request),
        cmocka_unit_test(a_refused_connection_fails_at_once),
        cmocka_unit_test(config_comes_from_the_environment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
