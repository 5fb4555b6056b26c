/* batch_writer's byte bounds and refusals, against a scripted fake Cassandra that
 * behaves like a real node with a max_mutation_size: a request whose rows carry
 * more value bytes than its limit is answered Invalid "Rejected an oversized
 * mutation", as Cassandra 5.0 does.
 *
 *  - groups are bounded by group_bytes as well as group_rows: rows near the API's
 *    largest body (1 MiB) go alone under the node's default limits, small rows still
 *    go 16 to a batch;
 *  - a group the node refuses is split and its rows sent one by one; a row it
 *    refuses is never sent again: its replacement (a reject naming it, with the
 *    node's message) is written instead and the writer goes on; without a
 *    replacement the refusal is sticky, PP_EREFUSED;
 *  - a row over row_bytes is not sent at all.
 */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "batch/batch_limits.h"
#include "batch/batch_writer.h"
#include "common/error.h"
#include "cql/cql_session.h"
#include "cql_fake_server.h"

#define MAX_ROWS 256
#define KB 1000
#define MB (1000 * 1000)
#define MIB (1024 * 1024)

/* The node's behaviour and what it saw. */
typedef struct {
    /* the script */
    size_t limit; /* a request over this many value bytes is refused (max_mutation_size) */
    int poison;   /* row L<poison> is refused wherever it is (-1: none) */
    /* what it saw */
    int requests, refusals;
    int max_rows;            /* most rows in one stored request */
    size_t max_group_bytes;  /* most value bytes in one stored request of 2+ rows */
    int sent[MAX_ROWS];      /* per row: requests that carried it */
    int stored[MAX_ROWS];    /* per row: times stored */
    int replaced[MAX_ROWS];  /* per row: times its replacement "R<n>:..." was stored */
    char why[MAX_ROWS][128]; /* the first bytes of the replacement */
} node;

typedef struct {
    int n;
    int replacement;
    size_t len;
    char head[128];
} value;

/* One value "L<n>:..." (a row) or "R<n>:<why>" (its replacement). */
static int value_of(pp_cql_rd *r, value *v) {
    const uint8_t *p;
    int32_t len;
    uint16_t nvals;
    if (pp_cql_get_u16(r, &nvals) || nvals != 1 || pp_cql_get_bytes(r, &p, &len) || len < 2) return -1;
    v->len = (size_t)len;
    size_t h = v->len < sizeof v->head - 1 ? v->len : sizeof v->head - 1;
    memcpy(v->head, p, h);
    v->head[h] = '\0';
    v->replacement = v->head[0] == 'R';
    if (v->head[0] != 'L' && v->head[0] != 'R') return -1;
    return sscanf(v->head + 1, "%d", &v->n) == 1 && v->n >= 0 && v->n < MAX_ROWS ? 0 : -1;
}

static int request_rows(const pp_cql_header *h, pp_cql_buf *body, value *rows, int *nrows) {
    pp_cql_rd r;
    const uint8_t *id;
    size_t idn;
    pp_cql_rd_init(&r, body->data, body->len);
    if (h->opcode == PP_CQL_OP_EXECUTE) {
        uint16_t cl;
        uint8_t flags;
        *nrows = 1;
        return pp_cql_get_short_bytes(&r, &id, &idn) || pp_cql_get_u16(&r, &cl) || pp_cql_get_u8(&r, &flags) ||
                !(flags & 0x01) || value_of(&r, &rows[0])
            ? -1
            : 0;
    }
    uint8_t type, kind;
    uint16_t n;
    if (h->opcode != PP_CQL_OP_BATCH || pp_cql_get_u8(&r, &type) || type != PP_CQL_BATCH_UNLOGGED ||
        pp_cql_get_u16(&r, &n) || n > 64)
        return -1;
    for (int i = 0; i < n; i++)
        if (pp_cql_get_u8(&r, &kind) || kind != 1 || pp_cql_get_short_bytes(&r, &id, &idn) || value_of(&r, &rows[i]))
            return -1;
    *nrows = n;
    return 0;
}

/* An answer; the client may have hung up already (a sticky failure ends its
 * session with requests out): not a failure of the test. */
static void reply(fake_server *srv, int16_t stream, uint8_t opcode, const pp_cql_buf *body) {
    pp_cql_buf out;
    pp_cql_buf_init(&out);
    put_response(&out, stream, opcode, 0, body);
    ssize_t n = send(srv->fd, out.data, out.len, MSG_NOSIGNAL);
    (void)n;
    pp_cql_buf_free(&out);
}

static void serve(fake_server *srv) {
    node *nd = srv->state;
    pp_cql_header h;
    pp_cql_buf body, b;
    value rows[64];
    int nrows;
    pp_cql_buf_init(&body);
    pp_cql_buf_init(&b);
    if (srv_read(srv, &h, &body) || h.opcode != PP_CQL_OP_STARTUP) {
        srv_fail(srv, "server: no STARTUP");
        goto out;
    }
    srv_send(srv, h.stream, PP_CQL_OP_READY, &b);
    while (srv_read(srv, &h, &body) == 0) {
        if (h.opcode == PP_CQL_OP_PREPARE) {
            srv_send_prepared(srv, h.stream, "s1", "v");
            continue;
        }
        if (request_rows(&h, &body, rows, &nrows)) {
            srv_fail(srv, "server: unexpected request (opcode 0x%02x)", h.opcode);
            break;
        }
        size_t bytes = 0;
        int poisoned = 0;
        for (int i = 0; i < nrows; i++) {
            bytes += rows[i].len;
            if (!rows[i].replacement) nd->sent[rows[i].n]++;
            poisoned |= !rows[i].replacement && rows[i].n == nd->poison;
        }
        nd->requests++;
        pp_cql_buf_reset(&b);
        if (bytes > nd->limit || poisoned) {
            char msg[256];
            snprintf(msg, sizeof msg, "Rejected an oversized mutation (%zu/%zu) for keyspace: ks. Top keys are: t.k",
                     bytes, nd->limit);
            body_error(&b, 0x2200, poisoned ? "poisoned row" : msg);
            nd->refusals++;
            reply(srv, h.stream, PP_CQL_OP_ERROR, &b);
            continue;
        }
        for (int i = 0; i < nrows; i++) {
            if (!rows[i].replacement) {
                nd->stored[rows[i].n]++;
            } else {
                nd->replaced[rows[i].n]++;
                snprintf(nd->why[rows[i].n], sizeof nd->why[0], "%s", rows[i].head);
            }
        }
        if (nrows > nd->max_rows) nd->max_rows = nrows;
        if (nrows > 1 && bytes > nd->max_group_bytes) nd->max_group_bytes = bytes;
        pp_cql_put_i32(&b, PP_CQL_RESULT_VOID);
        reply(srv, h.stream, PP_CQL_OP_RESULT, &b);
    }
out:
    pp_cql_buf_free(&body);
    pp_cql_buf_free(&b);
}

typedef struct {
    const char *name;
    /* the node */
    size_t max_mutation_size, batch_size_fail_threshold, max_frame_size; /* for pp_batch_limits_derive */
    int poison;                                                          /* -1: none */
    /* the writer */
    int group_rows;
    size_t row_bytes; /* 0: as derived */
    int replacements; /* rows are added with a replacement */
    /* the rows: n of `size` value bytes, row `big` (-1: none) of `big_size` */
    int n;
    size_t size;
    int big;
    size_t big_size;
    /* expected */
    int rc;
    const char *err_has;
    int max_rows; /* most rows in one stored request */
    int requests; /* requests the node answered (0: not checked) */
    uint64_t refused, splits;
    int big_sent;        /* times the big row reached the node */
    const char *why_has; /* in the big row's replacement */
} bytes_case;

static void run_case(const bytes_case *c) {
    node nd;
    memset(&nd, 0, sizeof nd);
    nd.limit = c->max_mutation_size;
    nd.poison = c->poison;
    fake_server srv;
    fake_start(&srv, serve, &nd);
    pp_cql_session *s;
    const pp_cql_prepared *stmt;
    fake_session_with_insert(&srv, &s, &stmt);
    char err[512] = "";
    pp_batch_limits lim;
    pp_batch_limits_derive(c->max_mutation_size, 0, c->batch_size_fail_threshold, c->max_frame_size, &lim);
    pp_batch_writer_opts o = {.max_inflight = 4,
                              .group_rows = c->group_rows,
                              .max_attempts = 3,
                              .group_bytes = lim.group_bytes,
                              .row_bytes = c->row_bytes ? c->row_bytes : lim.row_bytes};
    pp_batch_writer *w;
    assert_int_equal(pp_batch_writer_create(&w, s, &o), PP_OK);
    size_t most = c->big >= 0 && c->big_size > c->size ? c->big_size : c->size;
    char *buf = malloc(most + 1);
    assert_non_null(buf);
    int rc = PP_OK;
    for (int i = 0; i < c->n && rc == PP_OK; i++) {
        size_t len = i == c->big ? c->big_size : c->size;
        int k = snprintf(buf, most + 1, "L%d:", i);
        memset(buf + k, 'x', len - (size_t)k); /* the writer copies: buf is reused */
        pp_cql_value v = pp_cql_textn(buf, len);
        char tag[16];
        snprintf(tag, sizeof tag, "R%d:", i);
        pp_cql_value rv = pp_cql_text(tag);
        pp_batch_writer_instead instead = {stmt, &rv, 1, 0};
        rc = pp_batch_writer_add_or(w, 0, stmt, &v, 1, c->replacements ? &instead : NULL, err, sizeof err);
    }
    free(buf);
    if (rc == PP_OK) rc = pp_batch_writer_drain(w, err, sizeof err);
    pp_batch_writer_stats st;
    pp_batch_writer_get_stats(w, &st);
    pp_batch_writer_destroy(w);
    pp_cql_session_destroy(s);
    fake_join(&srv);

    if (rc != c->rc) fail_msg("%s: writer returned %d (%s), expected %d", c->name, rc, err, c->rc);
    if (c->err_has && !strstr(err, c->err_has)) fail_msg("%s: '%s' lacks '%s'", c->name, err, c->err_has);
    if (nd.max_rows != c->max_rows)
        fail_msg("%s: at most %d rows in a request, expected %d", c->name, nd.max_rows, c->max_rows);
    if (nd.max_group_bytes > lim.group_bytes)
        fail_msg("%s: a group of %zu bytes, over group_bytes %zu", c->name, nd.max_group_bytes, lim.group_bytes);
    if (c->requests && nd.requests != c->requests)
        fail_msg("%s: %d requests, expected %d", c->name, nd.requests, c->requests);
    if (c->big >= 0 && nd.sent[c->big] != c->big_sent)
        fail_msg("%s: the big row was sent %d times, expected %d", c->name, nd.sent[c->big], c->big_sent);
    if (rc != PP_OK) return;
    assert_int_equal(st.refused, c->refused);
    assert_int_equal(st.splits, c->splits);
    assert_int_equal(st.rows, (uint64_t)c->n - c->refused);
    for (int i = 0; i < c->n; i++) {
        int refused = i == c->big || i == c->poison;
        if (nd.stored[i] != !refused) fail_msg("%s: row %d stored %d times", c->name, i, nd.stored[i]);
        if (nd.replaced[i] != (refused && c->replacements))
            fail_msg("%s: row %d's replacement stored %d times", c->name, i, nd.replaced[i]);
    }
    if (c->why_has && !strstr(nd.why[c->big >= 0 ? c->big : c->poison], c->why_has))
        fail_msg("%s: the replacement '%s' lacks '%s'", c->name, nd.why[c->big >= 0 ? c->big : c->poison], c->why_has);
}

/* The defaults of pinpipe's node: 4 MiB mutations, 50 KiB batches, 16 MiB frames. */
#define NODE 4 * MIB, 50 * 1024, 16 * MIB

static void test_groups_are_bounded_in_bytes(void **state) {
    (void)state;
    static const bytes_case C[] = {
        /* the issue: 20 pins of 950 KB were sent 16 to a batch (15 MB: refused) */
        {"20 rows of 950 KB, each alone", NODE, -1, 16, 0, 0, 20, 950 * KB, -1, 0, .max_rows = 1, .requests = 20},
        {"rows near the API's largest body (1 MiB), each alone", NODE, -1, 16, 0, 0, 20, MIB - 64, -1, 0, .max_rows = 1,
         .requests = 20},
        /* without the batch threshold, the mutation limit (7/8 of 4 MiB) still bounds groups */
        {"950 KB rows, no batch threshold: 3 a group", 4 * MIB, 1024 * MIB, 16 * MIB, -1, 16, 0, 0, 20, 950 * KB, -1, 0,
         .max_rows = 3, .requests = 7},
        {"10 KB rows: 4 a group under 50 KiB", NODE, -1, 16, 0, 0, 40, 10 * KB, -1, 0, .max_rows = 4, .requests = 10},
        /* small rows: the groups of 16 rows are what they were */
        {"200 rows of 100 bytes: 16 a group as before", NODE, -1, 16, 0, 0, 200, 100, -1, 0, .max_rows = 16,
         .requests = 13},
        {"group_rows 1: plain EXECUTEs", NODE, -1, 1, 0, 0, 30, 100, -1, 0, .max_rows = 1, .requests = 30},
    };
    for (size_t i = 0; i < sizeof C / sizeof C[0]; i++) run_case(&C[i]);
}

static void test_refused_rows_are_replaced_never_retried(void **state) {
    (void)state;
    static const bytes_case C[] = {
        {"a 5 MB row (over max_mutation_size) among small rows: sent once, replaced", NODE, -1, 16, 0, 1, 40, 1 * KB,
         17, 5 * MB, .max_rows = 16, .refused = 1, .big_sent = 1,
         .why_has = "R17:code 0x2200 Invalid: Rejected an oversized mutation (5000000/4194304)"},
        {"the same without a replacement: sticky PP_EREFUSED", NODE, -1, 16, 0, 0, 40, 1 * KB, 17, 5 * MB,
         .rc = PP_EREFUSED, .err_has = "refused for good after 1 tries: code 0x2200 Invalid: Rejected an oversized",
         .max_rows = 16, .big_sent = 1},
        {"a poisoned row in a group: the group split, only that row replaced", NODE, 5, 8, 0, 1, 20, 100, -1, 0,
         .max_rows = 8, .refused = 1, .splits = 1, .why_has = "R5:code 0x2200 Invalid: poisoned row"},
        {"a row over row_bytes: never sent, replaced", NODE, -1, 16, 1 * MIB, 1, 10, 100, 3, 2 * MB, .max_rows = 9,
         .refused = 1, .big_sent = 0, .why_has = "R3:a row of 2000036 bytes is over the largest request"},
        {"a row over row_bytes without a replacement: sticky, not sent", NODE, -1, 16, 1 * MIB, 0, 10, 100, 3, 2 * MB,
         .rc = PP_EREFUSED, .err_has = "not sent", .max_rows = 0, .big_sent = 0},
    };
    for (size_t i = 0; i < sizeof C / sizeof C[0]; i++) run_case(&C[i]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_groups_are_bounded_in_bytes),
        cmocka_unit_test(test_refused_rows_are_replaced_never_retried),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
