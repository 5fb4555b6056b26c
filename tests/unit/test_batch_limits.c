/* batch_limits: the byte bounds of the batch's Cassandra requests come from the
 * node's settings (system_views.settings): sizes in Cassandra's syntax are read, the
 * bounds derived with their margins, an unset max_mutation_size is half of
 * commitlog_segment_size, and a node that cannot say gives the documented
 * fallbacks. The query runs against a scripted fake node, its names bound. */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "batch/batch_limits.h"
#include "common/error.h"
#include "cql/cql_session.h"
#include "cql_fake_server.h"

#define KIB 1024ull
#define MIB (1024ull * 1024)
#define GIB (1024ull * 1024 * 1024)

static void test_sizes_in_cassandra_syntax(void **state) {
    (void)state;
    static const struct {
        const char *in;
        uint64_t unit;
        int rc;
        uint64_t out;
    } C[] = {
        {"4096KiB", 1, PP_OK, 4096 * KIB},
        {"8MiB", 1, PP_OK, 8 * MIB},
        {"50KiB", 1, PP_OK, 50 * KIB},
        {"16MiB", 1, PP_OK, 16 * MIB},
        {"1GiB", 1, PP_OK, GIB},
        {"123B", 1, PP_OK, 123},
        {"64kib", 1, PP_OK, 64 * KIB},
        {"32MB", 1, PP_OK, 32 * MIB},     /* older spelling, powers of 1024 */
        {"4096", KIB, PP_OK, 4096 * KIB}, /* a bare number of a *_in_kb setting */
        {"4096", 1, PP_OK, 4096},
        {"", 1, PP_EINVAL, 0},
        {"0MiB", 1, PP_EINVAL, 0},
        {"MiB", 1, PP_EINVAL, 0},
        {"12 MiB", 1, PP_EINVAL, 0},
        {"12TiB", 1, PP_EINVAL, 0},
        {"-1", 1, PP_EINVAL, 0},
        {"18446744073709551615GiB", 1, PP_EINVAL, 0},
        {"99999999999999999999999", 1, PP_EINVAL, 0},
    };
    for (size_t i = 0; i < sizeof C / sizeof C[0]; i++) {
        uint64_t v = 0;
        int rc = pp_batch_limits_parse_size(C[i].in, C[i].unit, &v);
        if (rc != C[i].rc || (rc == PP_OK && v != C[i].out))
            fail_msg("'%s': rc %d value %llu, expected rc %d value %llu", C[i].in, rc, (unsigned long long)v, C[i].rc,
                     (unsigned long long)C[i].out);
    }
    uint64_t v;
    assert_int_equal(pp_batch_limits_parse_size(NULL, 1, &v), PP_EINVAL);
}

static void test_bounds_derived_with_margins(void **state) {
    (void)state;
    static const struct {
        const char *name;
        uint64_t mutation, segment, batch_fail, frame;
        /* expected */
        uint64_t used_mutation;
        size_t group, row;
    } C[] = {
        {"pinpipe's node: 4 MiB, 50 KiB, 16 MiB", 4 * MIB, 8 * MIB, 50 * KIB, 16 * MIB, 4 * MIB, 44800,
         16 * MIB - 64 * KIB},
        {"max_mutation_size unset: half the 8 MiB segments", 0, 8 * MIB, 50 * KIB, 16 * MIB, 4 * MIB, 44800,
         16 * MIB - 64 * KIB},
        {"Cassandra's defaults: 32 MiB segments", 0, 32 * MIB, 50 * KIB, 16 * MIB, 16 * MIB, 44800,
         16 * MIB - 64 * KIB},
        {"a large batch threshold: the mutation bounds groups", 4 * MIB, 0, GIB, 16 * MIB, 4 * MIB,
         (size_t)(4 * MIB - 512 * KIB), 16 * MIB - 64 * KIB},
        {"a small node: 512 KiB mutations, 1 MiB frames", 512 * KIB, 0, 1 * GIB, 1 * MIB, 512 * KIB, 448 * KIB,
         1 * MIB - 64 * KIB},
        {"nothing known: the fallbacks", 0, 0, 0, 0, 4 * MIB, 44800, 16 * MIB - 64 * KIB},
    };
    for (size_t i = 0; i < sizeof C / sizeof C[0]; i++) {
        pp_batch_limits l;
        pp_batch_limits_derive(C[i].mutation, C[i].segment, C[i].batch_fail, C[i].frame, &l);
        if (l.max_mutation_size != C[i].used_mutation || l.group_bytes != C[i].group || l.row_bytes != C[i].row)
            fail_msg("%s: mutation %llu group %zu row %zu, expected %llu %zu %zu", C[i].name,
                     (unsigned long long)l.max_mutation_size, l.group_bytes, l.row_bytes,
                     (unsigned long long)C[i].used_mutation, C[i].group, C[i].row);
        /* a group always fits the node's mutation and batch limits */
        assert_true(l.group_bytes < l.max_mutation_size && l.group_bytes < l.batch_size_fail_threshold);
    }
    pp_batch_limits d;
    pp_batch_limits_defaults(&d);
    assert_string_equal(d.source, "fallback");
    assert_int_equal(d.max_mutation_size, PP_BATCH_FALLBACK_MAX_MUTATION);
    assert_int_equal(d.batch_size_fail_threshold, PP_BATCH_FALLBACK_BATCH_FAIL);
    assert_int_equal(d.max_frame_size, PP_BATCH_FALLBACK_MAX_FRAME);
}

/* ---- the query, against a fake node ---------------------------------------------------- */

typedef struct {
    const char *const *rows; /* name, value pairs (value NULL: null); NULL name ends */
    int32_t error;           /* answer this error instead (0: rows) */
    int bound;               /* how many values the query bound */
    char query[256];
} settings_node;

static void serve_settings(fake_server *srv) {
    settings_node *nd = srv->state;
    pp_cql_header h;
    pp_cql_buf body, b;
    pp_cql_buf_init(&body);
    pp_cql_buf_init(&b);
    if (srv_read(srv, &h, &body) || h.opcode != PP_CQL_OP_STARTUP) {
        srv_fail(srv, "server: no STARTUP");
        goto out;
    }
    srv_send(srv, h.stream, PP_CQL_OP_READY, &b);
    if (srv_read(srv, &h, &body) || h.opcode != PP_CQL_OP_QUERY) {
        srv_fail(srv, "server: expected a QUERY");
        goto out;
    }
    pp_cql_rd r;
    const char *q;
    size_t qn;
    uint16_t cl, n;
    uint8_t flags;
    pp_cql_rd_init(&r, body.data, body.len);
    if (pp_cql_get_long_string(&r, &q, &qn) || pp_cql_get_u16(&r, &cl) || pp_cql_get_u8(&r, &flags)) {
        srv_fail(srv, "server: bad QUERY");
        goto out;
    }
    snprintf(nd->query, sizeof nd->query, "%.*s", (int)qn, q);
    if ((flags & 0x01) && pp_cql_get_u16(&r, &n) == 0) nd->bound = n;
    pp_cql_buf_reset(&b);
    if (nd->error) {
        body_error(&b, nd->error, "unconfigured table settings");
        srv_send(srv, h.stream, PP_CQL_OP_ERROR, &b);
        goto out;
    }
    int32_t nrows = 0;
    while (nd->rows[2 * nrows]) nrows++;
    pp_cql_put_i32(&b, PP_CQL_RESULT_ROWS);
    pp_cql_put_i32(&b, 0x0001);
    pp_cql_put_i32(&b, 2);
    put_str(&b, "system_views");
    put_str(&b, "settings");
    put_str(&b, "name");
    put_opt(&b, PP_CQL_T_VARCHAR);
    put_str(&b, "value");
    put_opt(&b, PP_CQL_T_VARCHAR);
    pp_cql_put_i32(&b, nrows);
    for (int32_t i = 0; i < nrows; i++) {
        const char *name = nd->rows[2 * i], *value = nd->rows[2 * i + 1];
        put_cell(&b, name, (int32_t)strlen(name));
        put_cell(&b, value, value ? (int32_t)strlen(value) : -1);
    }
    srv_send(srv, h.stream, PP_CQL_OP_RESULT, &b);
    srv_read(srv, &h, &body); /* the client hangs up */
out:
    pp_cql_buf_free(&body);
    pp_cql_buf_free(&b);
}

static int query_node(settings_node *nd, pp_batch_limits *l, char *err, size_t errlen) {
    fake_server srv;
    fake_start(&srv, serve_settings, nd);
    pp_cql_config cfg;
    pp_cql_config_defaults(&cfg);
    cfg.host = "127.0.0.1";
    cfg.port = srv.port;
    cfg.user = NULL;
    pp_cql_session *s;
    assert_int_equal(pp_cql_session_create(&cfg, &s, err, errlen), PP_OK);
    int rc = pp_batch_limits_query(s, l, err, errlen);
    pp_cql_session_destroy(s);
    fake_join(&srv);
    return rc;
}

static void test_read_from_the_node(void **state) {
    (void)state;
    static const char *const ROWS[] = {"batch_size_fail_threshold",
                                       "50KiB",
                                       "commitlog_segment_size",
                                       "8MiB",
                                       "max_mutation_size",
                                       "4096KiB",
                                       "native_transport_max_frame_size",
                                       "16MiB",
                                       NULL};
    settings_node nd = {.rows = ROWS};
    pp_batch_limits l;
    char err[512] = "";
    assert_int_equal(query_node(&nd, &l, err, sizeof err), PP_OK);
    assert_string_equal(nd.query, "SELECT name, value FROM system_views.settings WHERE name IN (?, ?, ?, ?)");
    assert_int_equal(nd.bound, 4); /* the names are bound, not spliced */
    assert_string_equal(l.source, "system_views.settings");
    assert_int_equal(l.max_mutation_size, 4 * MIB);
    assert_int_equal(l.group_bytes, 44800);
    assert_int_equal(l.row_bytes, 16 * MIB - 64 * KIB);

    static const char *const SMALL[] = {
        "max_mutation_size", NULL, "commitlog_segment_size", "1MiB", "batch_size_fail_threshold", "1GiB", NULL};
    settings_node small = {.rows = SMALL};
    assert_int_equal(query_node(&small, &l, err, sizeof err), PP_OK);
    assert_int_equal(l.max_mutation_size, 512 * KIB); /* null: half the segment */
    assert_int_equal(l.group_bytes, 448 * KIB);
    assert_int_equal(l.max_frame_size, PP_BATCH_FALLBACK_MAX_FRAME); /* not listed: the default */
}

static void test_fallbacks_when_the_node_cannot_say(void **state) {
    (void)state;
    static const char *const NONE[] = {NULL};
    settings_node nd = {.rows = NONE, .error = 0x2200};
    pp_batch_limits l;
    char err[512] = "";
    assert_int_not_equal(query_node(&nd, &l, err, sizeof err), PP_OK);
    assert_non_null(strstr(err, "system_views.settings"));
    assert_string_equal(l.source, "fallback");
    assert_int_equal(l.max_mutation_size, PP_BATCH_FALLBACK_MAX_MUTATION);
    assert_int_equal(l.group_bytes, 44800);

    static const char *const BAD[] = {"max_mutation_size", "lots", NULL};
    settings_node bad = {.rows = BAD};
    assert_int_equal(query_node(&bad, &l, err, sizeof err), PP_EPROTO);
    assert_non_null(strstr(err, "max_mutation_size = 'lots' is not a size"));
    assert_string_equal(l.source, "fallback");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes_in_cassandra_syntax),
        cmocka_unit_test(test_bounds_derived_with_margins),
        cmocka_unit_test(test_read_from_the_node),
        cmocka_unit_test(test_fallbacks_when_the_node_cannot_say),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
