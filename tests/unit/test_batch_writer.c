/* batch_writer against a scripted fake Cassandra (a thread on 127.0.0.1, no real
 * server): never more requests in flight than allowed; rows grouped per lane into
 * single-lane UNLOGGED batches; every row arrives once; Overloaded and
 * Write_timeout answers are sent again; any other error is sticky and named (an
 * Invalid answer as PP_EREFUSED). Byte bounds and refusals: test_batch_writer_bytes.c. */
#include <poll.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "batch/batch_writer.h"
#include "common/error.h"
#include "cql/cql_session.h"
#include "cql_fake_server.h"

#define MAX_ROWS 256

/* The script and what the server saw (fake_server.state). */
typedef struct {
    /* the script */
    int fail_request;  /* 1-based request number answered with an error (0: none) */
    int32_t fail_code; /* ... this one */
    int fail_twice;    /* a second request fails too: fail_request + 3 */
    /* what the server saw */
    int requests, batches, executes, max_pending, max_group;
    int seen[2][MAX_ROWS]; /* per lane, per row: how many times answered VOID */
} fake;

/* One row's value "L<lane>-<n>" -> lane, n. */
static int row_of(pp_cql_rd *r, int *lane, int *n) {
    uint16_t nvals;
    const uint8_t *p;
    int32_t len;
    char v[32];
    if (pp_cql_get_u16(r, &nvals) || nvals != 1 || pp_cql_get_bytes(r, &p, &len) || len <= 0 ||
        len >= (int32_t)sizeof v)
        return -1;
    memcpy(v, p, (size_t)len);
    v[len] = '\0';
    return sscanf(v, "L%d-%d", lane, n) == 2 && *lane >= 0 && *lane < 2 && *n >= 0 && *n < MAX_ROWS ? 0 : -1;
}

typedef struct {
    int16_t stream;
    int nrows;
    int lane[64], n[64];
} pending;

/* The rows of an EXECUTE or BATCH body. */
static int rows_of(fake_server *srv, const pp_cql_header *h, pp_cql_buf *body, pending *p) {
    fake *f = srv->state;
    pp_cql_rd r;
    pp_cql_rd_init(&r, body->data, body->len);
    const uint8_t *id;
    size_t idn;
    p->nrows = 0;
    if (h->opcode == PP_CQL_OP_EXECUTE) {
        uint16_t cl;
        uint8_t flags;
        f->executes++;
        if (pp_cql_get_short_bytes(&r, &id, &idn) || pp_cql_get_u16(&r, &cl) || pp_cql_get_u8(&r, &flags) ||
            !(flags & 0x01) || row_of(&r, &p->lane[0], &p->n[0]))
            return -1;
        p->nrows = 1;
        return 0;
    }
    uint8_t type;
    uint16_t n;
    f->batches++;
    if (pp_cql_get_u8(&r, &type) || type != PP_CQL_BATCH_UNLOGGED || pp_cql_get_u16(&r, &n) || n > 64) return -1;
    for (int i = 0; i < n; i++) {
        uint8_t kind;
        if (pp_cql_get_u8(&r, &kind) || kind != 1 || pp_cql_get_short_bytes(&r, &id, &idn) ||
            row_of(&r, &p->lane[i], &p->n[i]))
            return -1;
        if (p->lane[i] != p->lane[0]) srv_fail(srv, "server: a batch mixes lanes %d and %d", p->lane[0], p->lane[i]);
    }
    p->nrows = n;
    return 0;
}

static void answer(fake_server *srv, pending *p) {
    fake *f = srv->state;
    int k = ++f->requests;
    pp_cql_buf b;
    pp_cql_buf_init(&b);
    if (k == f->fail_request || (f->fail_twice && k == f->fail_request + 3)) {
        body_error(&b, f->fail_code, "scripted failure");
        if (f->fail_code == 0x1100) { /* Write_timeout: cl, received, blockfor, writeType */
            pp_cql_put_u16(&b, 1);
            pp_cql_put_i32(&b, 0);
            pp_cql_put_i32(&b, 1);
            put_str(&b, "BATCH");
        } else if (f->fail_code == 0x1000) { /* Unavailable: cl, required, alive */
            pp_cql_put_u16(&b, 1);
            pp_cql_put_i32(&b, 1);
            pp_cql_put_i32(&b, 0);
        }
        srv_send(srv, p->stream, PP_CQL_OP_ERROR, &b);
    } else {
        pp_cql_put_i32(&b, PP_CQL_RESULT_VOID);
        srv_send(srv, p->stream, PP_CQL_OP_RESULT, &b);
        for (int i = 0; i < p->nrows; i++) f->seen[p->lane[i]][p->n[i]]++;
    }
    pp_cql_buf_free(&b);
}

/* STARTUP, PREPARE, then requests answered in bursts: whatever is pending once the
 * client has paused, so the writer's in-flight limit can be seen. */
static void serve(fake_server *srv) {
    fake *f = srv->state;
    pp_cql_header h;
    pp_cql_buf body, b;
    pp_cql_buf_init(&body);
    pp_cql_buf_init(&b);
    pending *pend = calloc(1024, sizeof *pend);
    int npend = 0;
    if (srv_read(srv, &h, &body) || h.opcode != PP_CQL_OP_STARTUP) {
        srv_fail(srv, "server: no STARTUP");
        goto out;
    }
    srv_send(srv, h.stream, PP_CQL_OP_READY, &b);
    for (;;) {
        /* answer what is pending once the client has nothing more to send for now */
        struct pollfd pf = {.fd = srv->fd, .events = POLLIN};
        if (npend && poll(&pf, 1, 30) == 0) {
            for (int i = 0; i < npend; i++) answer(srv, &pend[i]);
            npend = 0;
        }
        if (srv_read(srv, &h, &body)) break;
        if (h.opcode == PP_CQL_OP_PREPARE) {
            srv_send_prepared(srv, h.stream, "s1", "v");
            continue;
        }
        if (npend == 1024 || rows_of(srv, &h, &body, &pend[npend])) {
            srv_fail(srv, "server: unexpected request (opcode 0x%02x)", h.opcode);
            break;
        }
        pend[npend].stream = h.stream;
        if (pend[npend].nrows > f->max_group) f->max_group = pend[npend].nrows;
        npend++;
        if (npend > f->max_pending) f->max_pending = npend;
    }
out:
    free(pend);
    pp_cql_buf_free(&body);
    pp_cql_buf_free(&b);
}

typedef struct {
    int inflight, group;
    int rows[2]; /* rows on lane 0 and 1, added alternately */
    int fail_request;
    int32_t fail_code;
    int fail_twice;
    /* expected */
    int rc;
    uint64_t retries;
    const char *err_has;
} writer_case;

static void run_case(const writer_case *c) {
    fake f;
    memset(&f, 0, sizeof f);
    f.fail_request = c->fail_request;
    f.fail_code = c->fail_code;
    f.fail_twice = c->fail_twice;
    fake_server srv;
    fake_start(&srv, serve, &f);
    pp_cql_session *s;
    const pp_cql_prepared *stmt;
    fake_session_with_insert(&srv, &s, &stmt);
    char err[512] = "";
    pp_batch_writer *w;
    pp_batch_writer_opts o = {.max_inflight = c->inflight, .group_rows = c->group, .max_attempts = 3};
    assert_int_equal(pp_batch_writer_create(&w, s, &o), PP_OK);
    int rc = PP_OK;
    int next[2] = {0, 0}; /* the lanes' rows alternate */
    while (rc == PP_OK && (next[0] < c->rows[0] || next[1] < c->rows[1])) {
        for (int lane = 0; lane < 2 && rc == PP_OK; lane++) {
            if (next[lane] >= c->rows[lane]) continue;
            char v[32];
            snprintf(v, sizeof v, "L%d-%d", lane, next[lane]++);
            pp_cql_value val = pp_cql_text(v); /* copied by the writer: v is reused */
            rc = pp_batch_writer_add(w, lane, stmt, &val, 1, err, sizeof err);
        }
    }
    if (rc == PP_OK) rc = pp_batch_writer_drain(w, err, sizeof err);
    if (rc != c->rc) fail_msg("writer returned %d (%s), expected %d", rc, err, c->rc);
    if (c->err_has && !strstr(err, c->err_has)) fail_msg("'%s' lacks '%s'", err, c->err_has);
    if (rc != PP_OK) { /* sticky */
        pp_cql_value val = pp_cql_text("L0-0");
        char err2[512] = "";
        assert_int_equal(pp_batch_writer_add(w, 0, stmt, &val, 1, err2, sizeof err2), c->rc);
        assert_string_equal(err2, err);
    }
    pp_batch_writer_stats st;
    pp_batch_writer_get_stats(w, &st);
    pp_batch_writer_destroy(w);
    pp_cql_session_destroy(s); /* the server sees EOF and ends */
    fake_join(&srv);
    if (f.max_pending > c->inflight) fail_msg("%d requests in flight, at most %d allowed", f.max_pending, c->inflight);
    if (f.max_group > c->group) fail_msg("a request of %d rows, groups of %d asked", f.max_group, c->group);
    if (c->group == 1) assert_int_equal(f.batches, 0); /* plain EXECUTEs */
    if (rc == PP_OK) {
        for (int lane = 0; lane < 2; lane++)
            for (int i = 0; i < c->rows[lane]; i++)
                if (f.seen[lane][i] != 1) fail_msg("row L%d-%d stored %d times", lane, i, f.seen[lane][i]);
        assert_int_equal(st.rows, (uint64_t)(c->rows[0] + c->rows[1]));
        assert_int_equal(st.retries, c->retries);
    }
}

static void test_bounded_and_grouped(void **state) {
    (void)state;
    static const writer_case C[] = {
        {.inflight = 3, .group = 4, .rows = {50, 30}},
        {.inflight = 1, .group = 4, .rows = {9, 0}},
        {.inflight = 8, .group = 1, .rows = {40, 40}},
        {.inflight = 64, .group = 16, .rows = {200, 7}},
    };
    for (size_t i = 0; i < sizeof C / sizeof C[0]; i++) run_case(&C[i]);
}

static void test_retries_what_is_safe(void **state) {
    (void)state;
    static const writer_case C[] = {
        {.inflight = 3, .group = 4, .rows = {50, 30}, .fail_request = 2, .fail_code = 0x1001, .retries = 1},
        {.inflight = 3, .group = 4, .rows = {50, 30}, .fail_request = 5, .fail_code = 0x1100, .retries = 1},
        {.inflight = 2,
         .group = 1,
         .rows = {10, 10},
         .fail_request = 1,
         .fail_code = 0x1000,
         .fail_twice = 1,
         .retries = 2},
    };
    for (size_t i = 0; i < sizeof C / sizeof C[0]; i++) run_case(&C[i]);
}

static void test_other_errors_are_sticky(void **state) {
    (void)state;
    static const writer_case C[] = {
        {.inflight = 3,
         .group = 4,
         .rows = {50, 30},
         .fail_request = 3,
         .fail_code = 0x2000,
         .rc = PP_ESERVER,
         .err_has = "failed after 1 tries"},
        /* Invalid: the server refuses the row for good (PP_EREFUSED), never sent again */
        {.inflight = 2,
         .group = 1,
         .rows = {10, 10},
         .fail_request = 4,
         .fail_code = 0x2200,
         .rc = PP_EREFUSED,
         .err_has = "refused for good after 1 tries: code 0x2200 Invalid: scripted failure"},
    };
    for (size_t i = 0; i < sizeof C / sizeof C[0]; i++) run_case(&C[i]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounded_and_grouped),
        cmocka_unit_test(test_retries_what_is_safe),
        cmocka_unit_test(test_other_errors_are_sticky),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
