/* Specification of the CQL frame layer (src/cql/cql_frame.c, cql_result.c,
 * cql_type.c): request frames are byte-exact per the v4 spec; every response kind
 * decodes from frames built by hand as Cassandra sends them (Rows with metadata,
 * paging state, no metadata; Prepared; Set_keyspace; Schema_change; ERROR with the
 * server's code and message; the auth exchange); frame sizes are bounded; and every
 * truncated prefix of each valid frame, hostile length fields and random bytes are
 * clean errors — never a crash, a leak or an overread (the suite runs under ASan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/error.h"
#include "common/log.h"
#include "cql/cql_frame.h"
#include "cql/cql_result.h"
#include "cql_test_support.h"

/* ---- hand-built response bodies ------------------------------------------ */

static void body_rows_all_types(pp_cql_buf *b) {
    pp_cql_put_i32(b, PP_CQL_RESULT_ROWS);
    pp_cql_put_i32(b, 0x0001); /* Global_tables_spec */
    pp_cql_put_i32(b, 9);
    put_str(b, "pinpipe");
    put_str(b, "pins");
    put_str(b, "id");
    put_opt(b, PP_CQL_T_VARCHAR);
    put_str(b, "n");
    put_opt(b, PP_CQL_T_INT);
    put_str(b, "big");
    put_opt(b, PP_CQL_T_BIGINT);
    put_str(b, "ok");
    put_opt(b, PP_CQL_T_BOOLEAN);
    put_str(b, "at");
    put_opt(b, PP_CQL_T_TIMESTAMP);
    put_str(b, "tags");
    put_opt_coll(b, PP_CQL_T_LIST, PP_CQL_T_VARCHAR);
    put_str(b, "labels");
    put_opt_coll(b, PP_CQL_T_SET, PP_CQL_T_VARCHAR);
    put_str(b, "u");
    put_opt(b, PP_CQL_T_UUID);
    put_str(b, "m");
    pp_cql_put_u16(b, PP_CQL_T_MAP);
    put_opt(b, PP_CQL_T_VARCHAR);
    put_opt(b, PP_CQL_T_INT);
    pp_cql_put_i32(b, 3); /* rows */
    /* row 0: ordinary values */
    put_cell(b, "pin-1", 5);
    put_cell(b, "\0\0\x03\xac", 4);           /* 940 */
    put_cell(b, "\0\0\0\0\0\x2d\xc6\xc0", 8); /* 3000000 */
    put_cell(b, "\x01", 1);
    put_cell(b, "\0\0\x01\x8b\xcf\xe5\x68\x7b", 8); /* 1700000000123 */
    put_cell(b,
             "\0\0\0\x02\0\0\0\x03"
             "art\0\0\0\x06"
             "d\xc3\xa9"
             "cor",
             21);
    put_cell(b, "\0\0\0\x01\0\0\0\x01x", 9);
    put_cell(b, "\x12\x3e\x45\x67\xe8\x9b\x12\xd3\xa4\x56\x42\x66\x14\x17\x40\x00", 16);
    put_cell(b, "\0\0\0\x01\0\0\0\x01k\0\0\0\x04\0\0\0\x09", 17);
    /* row 1: all null */
    for (int i = 0; i < 9; i++) put_cell(b, NULL, -1);
    /* row 2: edges */
    put_cell(b, "", 0);
    put_cell(b, "\x80\0\0\0", 4);                       /* INT32_MIN */
    put_cell(b, "\x7f\xff\xff\xff\xff\xff\xff\xff", 8); /* INT64_MAX */
    put_cell(b, "\0", 1);
    put_cell(b, "\xff\xff\xff\xff\xff\xff\xff\xff", 8); /* -1 ms */
    put_cell(b, "\0\0\0\0", 4);                         /* empty list */
    put_cell(b, NULL, -1);
    put_cell(b, NULL, -1);
    put_cell(b, "\0\0\0\0", 4); /* empty map */
}

static void body_rows_page(pp_cql_buf *b) {
    pp_cql_put_i32(b, PP_CQL_RESULT_ROWS);
    pp_cql_put_i32(b, 0x0002); /* Has_more_pages, per-column table specs */
    pp_cql_put_i32(b, 1);
    pp_cql_put_bytes(b, "\x00\x11state", 7);
    put_str(b, "ks");
    put_str(b, "t");
    put_str(b, "k");
    put_opt(b, PP_CQL_T_VARCHAR);
    pp_cql_put_i32(b, 2);
    put_cell(b, "a", 1);
    put_cell(b, "b", 1);
}

static void body_rows_no_metadata(pp_cql_buf *b) {
    pp_cql_put_i32(b, PP_CQL_RESULT_ROWS);
    pp_cql_put_i32(b, 0x0004);
    pp_cql_put_i32(b, 2);
    pp_cql_put_i32(b, 1);
    put_cell(b, "\0\0\0\x07", 4);
    put_cell(b, NULL, -1);
}

static void body_prepared(pp_cql_buf *b) {
    pp_cql_put_i32(b, PP_CQL_RESULT_PREPARED);
    pp_cql_put_short_bytes(b, "0123456789abcdef", 16);
    pp_cql_put_i32(b, 0x0001); /* bind markers: global spec */
    pp_cql_put_i32(b, 2);
    pp_cql_put_i32(b, 1); /* pk count */
    pp_cql_put_u16(b, 0); /* pk index */
    put_str(b, "pinpipe");
    put_str(b, "pins");
    put_str(b, "id");
    put_opt(b, PP_CQL_T_VARCHAR);
    put_str(b, "tags");
    put_opt_coll(b, PP_CQL_T_LIST, PP_CQL_T_VARCHAR);
    pp_cql_put_i32(b, 0x0001); /* result metadata */
    pp_cql_put_i32(b, 1);
    put_str(b, "pinpipe");
    put_str(b, "pins");
    put_str(b, "n");
    put_opt(b, PP_CQL_T_INT);
}

static void body_set_keyspace(pp_cql_buf *b) {
    pp_cql_put_i32(b, PP_CQL_RESULT_SET_KEYSPACE);
    put_str(b, "pinpipe");
}

static void body_schema_keyspace(pp_cql_buf *b) {
    pp_cql_put_i32(b, PP_CQL_RESULT_SCHEMA_CHANGE);
    put_str(b, "CREATED");
    put_str(b, "KEYSPACE");
    put_str(b, "pinpipe_it");
}

static void body_schema_table(pp_cql_buf *b) {
    pp_cql_put_i32(b, PP_CQL_RESULT_SCHEMA_CHANGE);
    put_str(b, "DROPPED");
    put_str(b, "TABLE");
    put_str(b, "pinpipe");
    put_str(b, "pins");
}

static void body_schema_function(pp_cql_buf *b) {
    pp_cql_put_i32(b, PP_CQL_RESULT_SCHEMA_CHANGE);
    put_str(b, "CREATED");
    put_str(b, "FUNCTION");
    put_str(b, "ks");
    put_str(b, "f");
    pp_cql_put_u16(b, 2);
    put_str(b, "int");
    put_str(b, "text");
}

static void body_void(pp_cql_buf *b) { pp_cql_put_i32(b, PP_CQL_RESULT_VOID); }
static void body_ready(pp_cql_buf *b) { (void)b; }
static void body_authenticate(pp_cql_buf *b) { put_str(b, "org.apache.cassandra.auth.PasswordAuthenticator"); }
static void body_challenge(pp_cql_buf *b) { pp_cql_put_bytes(b, "abc", 3); }
static void body_success(pp_cql_buf *b) { pp_cql_put_i32(b, -1); }
static void body_supported(pp_cql_buf *b) {
    pp_cql_put_u16(b, 2);
    put_str(b, "CQL_VERSION");
    pp_cql_put_u16(b, 1);
    put_str(b, "3.4.7");
    put_str(b, "COMPRESSION");
    pp_cql_put_u16(b, 2);
    put_str(b, "lz4");
    put_str(b, "snappy");
}
static void body_invalid(pp_cql_buf *b) { body_error(b, 0x2200, "unconfigured table nope"); }
static void body_unprepared(pp_cql_buf *b) {
    body_error(b, 0x2500, "Prepared query with ID 30313233 not found");
    pp_cql_put_short_bytes(b, "0123", 4);
}
static void body_event(pp_cql_buf *b) { put_str(b, "SCHEMA_CHANGE"); }
/* tracing id, warnings and a custom payload before a Void result */
static void body_with_extras(pp_cql_buf *b) {
    pp_cql_put_raw(b, "0123456789abcdef", 16);
    pp_cql_put_u16(b, 1);
    put_str(b, "Batch for [pinpipe.pins] is of size 6.5KiB, exceeding threshold");
    pp_cql_put_u16(b, 1);
    put_str(b, "k");
    pp_cql_put_bytes(b, "v", 1);
    pp_cql_put_i32(b, PP_CQL_RESULT_VOID);
}

typedef struct {
    const char *name;
    uint8_t opcode, flags;
    void (*body)(pp_cql_buf *);
} frame_kind;

static const frame_kind FRAMES[] = {
    {"READY", PP_CQL_OP_READY, 0, body_ready},
    {"AUTHENTICATE", PP_CQL_OP_AUTHENTICATE, 0, body_authenticate},
    {"AUTH_CHALLENGE", PP_CQL_OP_AUTH_CHALLENGE, 0, body_challenge},
    {"AUTH_SUCCESS", PP_CQL_OP_AUTH_SUCCESS, 0, body_success},
    {"SUPPORTED", PP_CQL_OP_SUPPORTED, 0, body_supported},
    {"ERROR Invalid", PP_CQL_OP_ERROR, 0, body_invalid},
    {"ERROR Unprepared", PP_CQL_OP_ERROR, 0, body_unprepared},
    {"EVENT", PP_CQL_OP_EVENT, 0, body_event},
    {"RESULT Void", PP_CQL_OP_RESULT, 0, body_void},
    {"RESULT Rows", PP_CQL_OP_RESULT, 0, body_rows_all_types},
    {"RESULT Rows page", PP_CQL_OP_RESULT, 0, body_rows_page},
    {"RESULT Rows no metadata", PP_CQL_OP_RESULT, 0, body_rows_no_metadata},
    {"RESULT Prepared", PP_CQL_OP_RESULT, 0, body_prepared},
    {"RESULT Set_keyspace", PP_CQL_OP_RESULT, 0, body_set_keyspace},
    {"RESULT Schema_change keyspace", PP_CQL_OP_RESULT, 0, body_schema_keyspace},
    {"RESULT Schema_change table", PP_CQL_OP_RESULT, 0, body_schema_table},
    {"RESULT Schema_change function", PP_CQL_OP_RESULT, 0, body_schema_function},
    {"RESULT with tracing, warnings, payload", PP_CQL_OP_RESULT,
     PP_CQL_FLAG_TRACING | PP_CQL_FLAG_WARNING | PP_CQL_FLAG_CUSTOM_PAYLOAD, body_with_extras},
};
#define N_FRAMES (sizeof FRAMES / sizeof FRAMES[0])

/* The whole frame of kind k into out. */
static void build(const frame_kind *k, int16_t stream, pp_cql_buf *out) {
    pp_cql_buf body;
    pp_cql_buf_init(&body);
    k->body(&body);
    assert_int_equal(body.err, 0);
    put_response(out, stream, k->opcode, k->flags, &body);
    pp_cql_buf_free(&body);
}

/* Decodes a frame of kind `name` into *r (asserting success). */
static void decode_named(const char *name, pp_cql_response *r) {
    for (size_t i = 0; i < N_FRAMES; i++) {
        if (strcmp(FRAMES[i].name, name) != 0) continue;
        pp_cql_buf f;
        pp_cql_buf_init(&f);
        build(&FRAMES[i], 7, &f);
        char err[256] = "";
        int rc = pp_cql_frame_decode(f.data, f.len, PP_CQL_MAX_FRAME_DEFAULT, r, err, sizeof err);
        pp_cql_buf_free(&f);
        if (rc) fail_msg("%s: %s", name, err);
        assert_int_equal(r->h.stream, 7);
        return;
    }
    fail_msg("no frame %s", name);
}

/* ---- responses ------------------------------------------------------------ */

static void decodes_rows_with_typed_getters(void **state) {
    (void)state;
    pp_cql_response r;
    decode_named("RESULT Rows", &r);
    const pp_cql_result *res = r.result;
    assert_non_null(res);
    assert_int_equal(pp_cql_result_kind_of(res), PP_CQL_RESULT_ROWS);
    assert_int_equal(pp_cql_result_ncols(res), 9);
    assert_int_equal(pp_cql_result_nrows(res), 3);
    assert_false(pp_cql_result_has_more(res));
    assert_string_equal(pp_cql_result_column(res, 0)->keyspace, "pinpipe");
    assert_string_equal(pp_cql_result_column(res, 0)->table, "pins");
    assert_int_equal(pp_cql_result_column_index(res, "tags"), 5);
    assert_int_equal(pp_cql_result_column_index(res, "nope"), -1);
    char tn[64];
    assert_string_equal(pp_cql_type_name(&pp_cql_result_column(res, 5)->type, tn, sizeof tn), "list<text>");
    assert_string_equal(pp_cql_type_name(&pp_cql_result_column(res, 8)->type, tn, sizeof tn), "map<text, int>");

    const char *s;
    size_t n;
    int32_t i32;
    int64_t i64;
    bool b;
    const char *const *items;
    const size_t *lens;
    size_t count;
    /* row 0 */
    assert_int_equal(pp_cql_result_get_text(res, 0, 0, &s, &n), 0);
    assert_string_equal(s, "pin-1");
    assert_int_equal(n, 5);
    assert_int_equal(pp_cql_result_get_int(res, 0, 1, &i32), 0);
    assert_int_equal(i32, 940);
    assert_int_equal(pp_cql_result_get_bigint(res, 0, 2, &i64), 0);
    assert_true(i64 == 3000000);
    assert_int_equal(pp_cql_result_get_bigint(res, 0, 1, &i64), 0); /* int widens */
    assert_true(i64 == 940);
    assert_int_equal(pp_cql_result_get_bool(res, 0, 3, &b), 0);
    assert_true(b);
    assert_int_equal(pp_cql_result_get_timestamp(res, 0, 4, &i64), 0);
    assert_true(i64 == 1700000000123LL);
    assert_int_equal(pp_cql_result_get_list(res, 0, 5, &items, &lens, &count), 0);
    assert_int_equal(count, 2);
    assert_string_equal(items[0], "art");
    assert_string_equal(items[1],
                        "d\xc3\xa9"
                        "cor");
    assert_int_equal(lens[1], 6);
    assert_int_equal(pp_cql_result_get_list(res, 0, 6, &items, NULL, &count), 0); /* set */
    assert_int_equal(count, 1);
    assert_string_equal(items[0], "x");
    assert_int_equal(pp_cql_result_value(res, 0, 7)->kind, PP_CQL_OTHER); /* uuid: raw */
    const uint8_t *raw;
    int32_t rawlen;
    assert_int_equal(pp_cql_result_raw(res, 0, 7, &raw, &rawlen), 0);
    assert_int_equal(rawlen, 16);
    /* row 1: nulls read as PP_ENOTFOUND with zeroed outputs */
    assert_int_equal(pp_cql_result_get_text(res, 1, 0, &s, &n), PP_ENOTFOUND);
    assert_null(s);
    assert_int_equal(pp_cql_result_get_int(res, 1, 1, &i32), PP_ENOTFOUND);
    assert_int_equal(pp_cql_result_get_list(res, 1, 5, &items, NULL, &count), PP_ENOTFOUND);
    assert_int_equal(count, 0);
    for (size_t c = 0; c < 9; c++) assert_int_equal(pp_cql_result_is_null(res, 1, c), 1);
    assert_int_equal(pp_cql_result_is_null(res, 0, 0), 0);
    /* row 2: edges */
    assert_int_equal(pp_cql_result_get_text(res, 2, 0, &s, &n), 0);
    assert_string_equal(s, "");
    assert_int_equal(pp_cql_result_get_int(res, 2, 1, &i32), 0);
    assert_int_equal(i32, INT32_MIN);
    assert_int_equal(pp_cql_result_get_bigint(res, 2, 2, &i64), 0);
    assert_true(i64 == INT64_MAX);
    assert_int_equal(pp_cql_result_get_bool(res, 2, 3, &b), 0);
    assert_false(b);
    assert_int_equal(pp_cql_result_get_timestamp(res, 2, 4, &i64), 0);
    assert_true(i64 == -1);
    assert_int_equal(pp_cql_result_get_list(res, 2, 5, &items, NULL, &count), 0);
    assert_int_equal(count, 0);
    /* wrong type or out of range: PP_EINVAL */
    assert_int_equal(pp_cql_result_get_int(res, 0, 0, &i32), PP_EINVAL);
    assert_int_equal(pp_cql_result_get_text(res, 0, 1, &s, NULL), PP_EINVAL);
    assert_int_equal(pp_cql_result_get_list(res, 0, 8, &items, NULL, &count), PP_EINVAL);
    assert_int_equal(pp_cql_result_get_text(res, 3, 0, &s, NULL), PP_EINVAL);
    assert_int_equal(pp_cql_result_get_text(res, 0, 9, &s, NULL), PP_EINVAL);
    assert_null(pp_cql_result_value(res, 3, 0));
    assert_int_equal(pp_cql_result_is_null(res, 0, 99), PP_EINVAL);
    pp_cql_response_clear(&r);
}

static void decodes_the_paging_state_and_appends_pages(void **state) {
    (void)state;
    pp_cql_response a, b;
    decode_named("RESULT Rows page", &a);
    decode_named("RESULT Rows page", &b);
    assert_true(pp_cql_result_has_more(a.result));
    const uint8_t *p;
    size_t n;
    pp_cql_result_paging_state(a.result, &p, &n);
    assert_int_equal(n, 7);
    assert_memory_equal(p, "\x00\x11state", 7);
    assert_string_equal(pp_cql_result_column(a.result, 0)->table, "t");
    assert_int_equal(pp_cql_result_append(a.result, b.result, NULL, 0), 0);
    b.result = NULL; /* consumed */
    assert_int_equal(pp_cql_result_nrows(a.result), 4);
    const char *s;
    assert_int_equal(pp_cql_result_get_text(a.result, 3, 0, &s, NULL), 0);
    assert_string_equal(s, "b");
    pp_cql_response_clear(&a);
    pp_cql_response_clear(&b);

    /* pages with different column counts do not mix */
    pp_cql_response c, d;
    decode_named("RESULT Rows page", &c);
    decode_named("RESULT Rows", &d);
    char err[128];
    assert_int_equal(pp_cql_result_append(c.result, d.result, err, sizeof err), PP_EINVAL);
    d.result = NULL;
    pp_cql_response_clear(&c);
    pp_cql_response_clear(&d);
}

static void decodes_rows_without_metadata(void **state) {
    (void)state;
    pp_cql_response r;
    decode_named("RESULT Rows no metadata", &r);
    assert_int_equal(pp_cql_result_ncols(r.result), 2);
    assert_int_equal(pp_cql_result_column(r.result, 0)->type.id, PP_CQL_T_UNKNOWN);
    assert_int_equal(pp_cql_result_value(r.result, 0, 0)->kind, PP_CQL_OTHER);
    assert_int_equal(pp_cql_result_is_null(r.result, 0, 1), 1);
    pp_cql_response_clear(&r);
}

static void decodes_prepared_keyspace_and_schema_results(void **state) {
    (void)state;
    pp_cql_response r;
    decode_named("RESULT Prepared", &r);
    const uint8_t *id;
    size_t n;
    assert_int_equal(pp_cql_result_prepared_id(r.result, &id, &n), 0);
    assert_int_equal(n, 16);
    assert_memory_equal(id, "0123456789abcdef", 16);
    assert_int_equal(pp_cql_result_nbind(r.result), 2);
    assert_string_equal(pp_cql_result_bind(r.result, 1)->name, "tags");
    assert_int_equal(pp_cql_result_bind(r.result, 1)->type.id, PP_CQL_T_LIST);
    assert_null(pp_cql_result_bind(r.result, 2));
    assert_int_equal(pp_cql_result_ncols(r.result), 1);
    assert_string_equal(pp_cql_result_column(r.result, 0)->name, "n");
    pp_cql_response_clear(&r);

    decode_named("RESULT Set_keyspace", &r);
    assert_string_equal(pp_cql_result_keyspace(r.result), "pinpipe");
    pp_cql_response_clear(&r);

    const char *change, *target, *ks, *name;
    decode_named("RESULT Schema_change keyspace", &r);
    assert_int_equal(pp_cql_result_schema_change(r.result, &change, &target, &ks, &name), 0);
    assert_string_equal(change, "CREATED");
    assert_string_equal(target, "KEYSPACE");
    assert_string_equal(ks, "pinpipe_it");
    assert_string_equal(name, "");
    pp_cql_response_clear(&r);
    decode_named("RESULT Schema_change table", &r);
    assert_int_equal(pp_cql_result_schema_change(r.result, &change, &target, &ks, &name), 0);
    assert_string_equal(change, "DROPPED");
    assert_string_equal(name, "pins");
    pp_cql_response_clear(&r);
    decode_named("RESULT Schema_change function", &r);
    assert_int_equal(pp_cql_result_schema_change(r.result, NULL, &target, NULL, &name), 0);
    assert_string_equal(target, "FUNCTION");
    assert_string_equal(name, "f");
    assert_null(pp_cql_result_keyspace(r.result));
    pp_cql_response_clear(&r);

    decode_named("RESULT Void", &r);
    assert_int_equal(pp_cql_result_kind_of(r.result), PP_CQL_RESULT_VOID);
    assert_int_equal(pp_cql_result_nrows(r.result), 0);
    assert_int_equal(pp_cql_result_schema_change(r.result, NULL, NULL, NULL, NULL), PP_EINVAL);
    pp_cql_response_clear(&r);
}

static void decodes_errors_with_the_servers_code_and_message(void **state) {
    (void)state;
    pp_cql_response r;
    char err[256];
    decode_named("ERROR Invalid", &r);
    assert_int_equal(r.h.opcode, PP_CQL_OP_ERROR);
    assert_int_equal(r.error_code, 0x2200);
    assert_string_equal(r.message, "unconfigured table nope");
    pp_cql_error_format(r.error_code, r.message, err, sizeof err);
    assert_string_equal(err, "code 0x2200 Invalid: unconfigured table nope");
    pp_cql_response_clear(&r);

    decode_named("ERROR Unprepared", &r);
    assert_int_equal(r.error_code, PP_CQL_ERR_UNPREPARED);
    assert_int_equal(r.token_len, 4);
    assert_memory_equal(r.token, "0123", 4);
    pp_cql_response_clear(&r);

    pp_cql_error_format(0x0100, "Provided username x and/or password are incorrect", err, sizeof err);
    assert_string_equal(err,
                        "code 0x0100 Bad credentials: Provided username x and/or "
                        "password are incorrect");
    pp_cql_error_format(0x2000, "line 1:0 no viable alternative", err, sizeof err);
    assert_string_equal(err, "code 0x2000 Syntax error: line 1:0 no viable alternative");
    pp_cql_error_format(0x7777, "?", err, sizeof err);
    assert_string_equal(err, "code 0x7777 Unknown: ?");
}

static void decodes_the_auth_exchange_and_skips_extras(void **state) {
    (void)state;
    pp_cql_response r;
    decode_named("AUTHENTICATE", &r);
    assert_string_equal(r.message, "org.apache.cassandra.auth.PasswordAuthenticator");
    pp_cql_response_clear(&r);
    decode_named("AUTH_CHALLENGE", &r);
    assert_int_equal(r.token_len, 3);
    assert_memory_equal(r.token, "abc", 3);
    pp_cql_response_clear(&r);
    decode_named("AUTH_SUCCESS", &r);
    assert_int_equal(r.token_len, -1);
    assert_null(r.token);
    pp_cql_response_clear(&r);
    decode_named("READY", &r);
    assert_int_equal(r.h.opcode, PP_CQL_OP_READY);
    pp_cql_response_clear(&r);
    decode_named("RESULT with tracing, warnings, payload", &r);
    assert_int_equal(r.nwarnings, 1);
    assert_int_equal(pp_cql_result_kind_of(r.result), PP_CQL_RESULT_VOID);
    pp_cql_response_clear(&r);
}

/* ---- robustness ----------------------------------------------------------- */

static void every_truncated_prefix_of_every_frame_is_a_clean_error(void **state) {
    (void)state;
    for (size_t k = 0; k < N_FRAMES; k++) {
        pp_cql_buf f;
        pp_cql_buf_init(&f);
        build(&FRAMES[k], 1, &f);
        /* the whole frame cut short: header and body as read from a socket */
        for (size_t cut = 0; cut < f.len; cut++) {
            uint8_t *copy = malloc(cut ? cut : 1); /* exactly cut bytes: ASan sees overreads */
            memcpy(copy, f.data, cut);
            pp_cql_response r;
            char err[256] = "";
            int rc = pp_cql_frame_decode(copy, cut, PP_CQL_MAX_FRAME_DEFAULT, &r, err, sizeof err);
            if (rc == 0) fail_msg("%s: prefix of %zu bytes decoded", FRAMES[k].name, cut);
            assert_int_equal(rc, PP_EPROTO);
            assert_true(err[0] != '\0');
            free(copy);
        }
        /* the body cut short under a header that claims only what is there */
        pp_cql_header h;
        assert_int_equal(pp_cql_header_decode(f.data, f.len, PP_CQL_V4_RESPONSE, PP_CQL_MAX_FRAME_DEFAULT, &h, NULL, 0),
                         0);
        size_t body = f.len - PP_CQL_HEADER_LEN;
        for (size_t cut = 0; cut < body; cut++) {
            uint8_t *copy = malloc(cut ? cut : 1);
            memcpy(copy, f.data + PP_CQL_HEADER_LEN, cut);
            h.length = (uint32_t)cut;
            pp_cql_response r;
            char err[256] = "";
            int rc = pp_cql_response_decode(&h, copy, cut, &r, err, sizeof err);
            if (rc == 0) fail_msg("%s: body prefix of %zu bytes decoded", FRAMES[k].name, cut);
            assert_true(rc == PP_EPROTO);
            assert_true(err[0] != '\0');
            free(copy);
        }
        /* and the whole frame decodes */
        pp_cql_response r;
        assert_int_equal(pp_cql_frame_decode(f.data, f.len, PP_CQL_MAX_FRAME_DEFAULT, &r, NULL, 0), 0);
        pp_cql_response_clear(&r);
        pp_cql_buf_free(&f);
    }
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint32_t next_rand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static void random_bytes_are_clean_errors(void **state) {
    (void)state;
    static const uint8_t OPS[] = {PP_CQL_OP_ERROR,  PP_CQL_OP_READY, PP_CQL_OP_AUTHENTICATE,   PP_CQL_OP_SUPPORTED,
                                  PP_CQL_OP_RESULT, PP_CQL_OP_EVENT, PP_CQL_OP_AUTH_CHALLENGE, PP_CQL_OP_AUTH_SUCCESS};
    for (int i = 0; i < 40000; i++) {
        size_t len = next_rand() % 200;
        uint8_t *p = malloc(len ? len : 1);
        for (size_t j = 0; j < len; j++) p[j] = (uint8_t)next_rand();
        /* bias towards plausible bodies: a RESULT kind in front */
        if (len >= 4 && (i & 1)) {
            p[0] = p[1] = p[2] = 0;
            p[3] = (uint8_t)(1 + next_rand() % 5);
        }
        pp_cql_header h = {.version = PP_CQL_V4_RESPONSE,
                           .flags = (uint8_t)(next_rand() % 16 & ~PP_CQL_FLAG_COMPRESSION),
                           .opcode = OPS[next_rand() % sizeof OPS],
                           .length = (uint32_t)len};
        if (i % 4 == 0) h.flags = 0;
        pp_cql_response r;
        int rc = pp_cql_response_decode(&h, p, len, &r, NULL, 0);
        assert_true(rc == 0 || rc == PP_EPROTO);
        if (rc == 0) pp_cql_response_clear(&r);
        /* as a whole frame too */
        rc = pp_cql_frame_decode(p, len, 1 << 16, &r, NULL, 0);
        assert_true(rc == 0 || rc == PP_EPROTO);
        if (rc == 0) pp_cql_response_clear(&r);
        free(p);
    }
    /* valid frames with a few bytes flipped */
    for (size_t k = 0; k < N_FRAMES; k++) {
        pp_cql_buf f;
        pp_cql_buf_init(&f);
        build(&FRAMES[k], 1, &f);
        for (int i = 0; i < 3000; i++) {
            uint8_t *copy = malloc(f.len);
            memcpy(copy, f.data, f.len);
            int flips = 1 + (int)(next_rand() % 4);
            for (int j = 0; j < flips; j++) /* anywhere, the header too */
                copy[next_rand() % f.len] ^= (uint8_t)(1u << (next_rand() % 8));
            pp_cql_response r;
            int rc = pp_cql_frame_decode(copy, f.len, PP_CQL_MAX_FRAME_DEFAULT, &r, NULL, 0);
            assert_true(rc == 0 || rc == PP_EPROTO);
            if (rc == 0) pp_cql_response_clear(&r);
            free(copy);
        }
        pp_cql_buf_free(&f);
    }
}

typedef struct {
    const char *name;
    void (*body)(pp_cql_buf *);
} hostile;

static void rows_count_huge(pp_cql_buf *b) {
    pp_cql_put_i32(b, 2);
    pp_cql_put_i32(b, 1);
    pp_cql_put_i32(b, 1);
    put_str(b, "k");
    put_str(b, "t");
    put_str(b, "c");
    put_opt(b, PP_CQL_T_INT);
    pp_cql_put_i32(b, INT32_MAX);
    put_cell(b, "\0\0\0\x01", 4);
}
static void columns_count_huge(pp_cql_buf *b) {
    pp_cql_put_i32(b, 2);
    pp_cql_put_i32(b, 1);
    pp_cql_put_i32(b, INT32_MAX);
    put_str(b, "k");
    put_str(b, "t");
}
static void columns_count_huge_no_metadata(pp_cql_buf *b) {
    pp_cql_put_i32(b, 2);
    pp_cql_put_i32(b, 4);
    pp_cql_put_i32(b, INT32_MAX);
    pp_cql_put_i32(b, 0);
}
static void columns_negative(pp_cql_buf *b) {
    pp_cql_put_i32(b, 2);
    pp_cql_put_i32(b, 0);
    pp_cql_put_i32(b, -5);
}
static void type_nesting_too_deep(pp_cql_buf *b) {
    pp_cql_put_i32(b, 2);
    pp_cql_put_i32(b, 1);
    pp_cql_put_i32(b, 1);
    put_str(b, "k");
    put_str(b, "t");
    put_str(b, "c");
    for (int i = 0; i < 40; i++) pp_cql_put_u16(b, PP_CQL_T_LIST);
    put_opt(b, PP_CQL_T_INT);
    pp_cql_put_i32(b, 0);
}
static void udt_fields_huge(pp_cql_buf *b) {
    pp_cql_put_i32(b, 2);
    pp_cql_put_i32(b, 1);
    pp_cql_put_i32(b, 1);
    put_str(b, "k");
    put_str(b, "t");
    put_str(b, "c");
    pp_cql_put_u16(b, PP_CQL_T_UDT);
    put_str(b, "k");
    put_str(b, "u");
    pp_cql_put_u16(b, 0xFFFF);
}
static void pk_count_huge(pp_cql_buf *b) {
    pp_cql_put_i32(b, 4);
    pp_cql_put_short_bytes(b, "id", 2);
    pp_cql_put_i32(b, 0);
    pp_cql_put_i32(b, 0);
    pp_cql_put_i32(b, INT32_MAX);
}
static void unknown_result_kind(pp_cql_buf *b) { pp_cql_put_i32(b, 0x0009); }
static void cell_length_past_end(pp_cql_buf *b) {
    pp_cql_put_i32(b, 2);
    pp_cql_put_i32(b, 1);
    pp_cql_put_i32(b, 1);
    put_str(b, "k");
    put_str(b, "t");
    put_str(b, "c");
    put_opt(b, PP_CQL_T_VARCHAR);
    pp_cql_put_i32(b, 1);
    pp_cql_put_i32(b, 0x7ffffff0);
    pp_cql_put_raw(b, "abc", 3);
}

static void hostile_length_fields_are_refused_before_allocating(void **state) {
    (void)state;
    const hostile cases[] = {
        {"rows_count INT32_MAX", rows_count_huge},
        {"columns_count INT32_MAX", columns_count_huge},
        {"columns_count INT32_MAX without metadata", columns_count_huge_no_metadata},
        {"columns_count negative", columns_negative},
        {"type nested 40 deep", type_nesting_too_deep},
        {"UDT of 65535 fields", udt_fields_huge},
        {"pk_count INT32_MAX", pk_count_huge},
        {"unknown result kind", unknown_result_kind},
        {"cell length past the end", cell_length_past_end},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pp_cql_buf b;
        pp_cql_buf_init(&b);
        cases[i].body(&b);
        pp_cql_result *res = NULL;
        char err[256] = "";
        print_message("%s\n", cases[i].name);
        assert_int_equal(pp_cql_result_decode(b.data, b.len, &res, err, sizeof err), PP_EPROTO);
        assert_null(res);
        assert_true(err[0] != '\0');
        pp_cql_buf_free(&b);
    }
}

static void frame_sizes_are_bounded(void **state) {
    (void)state;
    char err[256] = "";
    pp_cql_header h;
    /* 256 MiB is the default limit: one byte more is refused before any allocation */
    const uint8_t at_limit[9] = {0x84, 0, 0, 1, 0x08, 0x10, 0x00, 0x00, 0x00};
    const uint8_t over[9] = {0x84, 0, 0, 1, 0x08, 0x10, 0x00, 0x00, 0x01};
    const uint8_t negative[9] = {0x84, 0, 0, 1, 0x08, 0xff, 0xff, 0xff, 0xff};
    assert_int_equal(
        pp_cql_header_decode(at_limit, 9, PP_CQL_V4_RESPONSE, PP_CQL_MAX_FRAME_DEFAULT, &h, err, sizeof err), 0);
    assert_int_equal(h.length, 256u * 1024 * 1024);
    assert_int_equal(pp_cql_header_decode(over, 9, PP_CQL_V4_RESPONSE, PP_CQL_MAX_FRAME_DEFAULT, &h, err, sizeof err),
                     PP_EPROTO);
    assert_string_equal(err, "frame body of 268435457 bytes exceeds the limit of 268435456 bytes");
    assert_int_equal(
        pp_cql_header_decode(negative, 9, PP_CQL_V4_RESPONSE, PP_CQL_MAX_FRAME_DEFAULT, &h, err, sizeof err),
        PP_EPROTO);
    /* a configured limit */
    const uint8_t small[9] = {0x84, 0, 0, 1, 0x08, 0, 0, 0x04, 0x01};
    assert_int_equal(pp_cql_header_decode(small, 9, PP_CQL_V4_RESPONSE, 1024, &h, err, sizeof err), PP_EPROTO);
    assert_int_equal(pp_cql_header_decode(small, 9, PP_CQL_V4_RESPONSE, 1025, &h, err, sizeof err), 0);
    /* not a v4 response */
    const uint8_t v5[9] = {0x85, 0, 0, 1, 0x08, 0, 0, 0, 0};
    assert_int_equal(pp_cql_header_decode(v5, 9, PP_CQL_V4_RESPONSE, 1024, &h, err, sizeof err), PP_EPROTO);
    assert_string_equal(err, "frame version byte 0x85, expected 0x84 (protocol v4)");
    /* compressed frames were never negotiated */
    const uint8_t compressed[9] = {0x84, PP_CQL_FLAG_COMPRESSION, 0, 1, 0x02, 0, 0, 0, 0};
    pp_cql_response r;
    assert_int_equal(pp_cql_frame_decode(compressed, 9, 1024, &r, err, sizeof err), PP_EPROTO);
    /* a request opcode in a response */
    const uint8_t query[9] = {0x84, 0, 0, 1, PP_CQL_OP_QUERY, 0, 0, 0, 0};
    assert_int_equal(pp_cql_frame_decode(query, 9, 1024, &r, err, sizeof err), PP_EPROTO);
    assert_string_equal(err, "unexpected opcode 0x07 in a response");

    /* requests are bounded too */
    pp_cql_buf b;
    pp_cql_buf_init(&b);
    size_t at = pp_cql_frame_begin(&b, PP_CQL_V4_REQUEST, 0, PP_CQL_OP_QUERY);
    char big[2000];
    memset(big, 'x', sizeof big);
    pp_cql_put_long_string(&b, big, sizeof big);
    assert_int_equal(pp_cql_frame_end(&b, at, 1000, err, sizeof err), PP_EINVAL);
    assert_string_equal(err, "request body of 2004 bytes exceeds the limit of 1000 bytes");
    pp_cql_buf_free(&b);
}

/* ---- requests ------------------------------------------------------------- */

static void encodes_requests_byte_for_byte(void **state) {
    (void)state;
    pp_cql_buf b;
    pp_cql_buf_init(&b);

    size_t at = pp_cql_frame_begin(&b, PP_CQL_V4_REQUEST, 0, PP_CQL_OP_STARTUP);
    pp_cql_body_startup(&b);
    assert_int_equal(pp_cql_frame_end(&b, at, 1 << 20, NULL, 0), 0);
    static const char startup[] = "\x04\x00\x00\x00\x01\x00\x00\x00\x16"
                                  "\x00\x01\x00\x0b"
                                  "CQL_VERSION\x00\x05"
                                  "3.0.0";
    assert_int_equal(b.len, sizeof startup - 1);
    assert_memory_equal(b.data, startup, b.len);

    pp_cql_buf_reset(&b);
    at = pp_cql_frame_begin(&b, PP_CQL_V4_REQUEST, 0, PP_CQL_OP_AUTH_RESPONSE);
    pp_cql_body_auth_plain(&b, "cassandra", "pw");
    pp_cql_frame_set_stream(b.data, 0x0102);
    assert_int_equal(pp_cql_frame_end(&b, at, 1 << 20, NULL, 0), 0);
    static const char auth[] = "\x04\x00\x01\x02\x0f\x00\x00\x00\x11"
                               "\x00\x00\x00\x0d\x00"
                               "cassandra\x00"
                               "pw";
    assert_int_equal(b.len, sizeof auth - 1);
    assert_memory_equal(b.data, auth, b.len);

    /* QUERY with two bound values, a page size and a paging state */
    pp_cql_buf vals;
    pp_cql_buf_init(&vals);
    pp_cql_value v[2] = {pp_cql_text("x"), pp_cql_null()};
    assert_int_equal(pp_cql_encode_values(&vals, v, 2, NULL, 0, NULL, 0), 0);
    pp_cql_buf_reset(&b);
    at = pp_cql_frame_begin(&b, PP_CQL_V4_REQUEST, 3, PP_CQL_OP_QUERY);
    pp_cql_put_long_string(&b, "S ?", 3);
    pp_cql_query_params qp = {.consistency = PP_CQL_LOCAL_ONE,
                              .page_size = 100,
                              .paging_state = (const uint8_t *)"ps",
                              .paging_len = 2,
                              .values = vals.data,
                              .values_len = vals.len};
    pp_cql_body_query_params(&b, &qp);
    assert_int_equal(pp_cql_frame_end(&b, at, 1 << 20, NULL, 0), 0);
    static const char query[] = "\x04\x00\x00\x03\x07\x00\x00\x00\x1f"
                                "\x00\x00\x00\x03"
                                "S ?"
                                "\x00\x0a" /* LOCAL_ONE */
                                "\x0d"     /* values|page|state */
                                "\x00\x02"
                                "\x00\x00\x00\x01x"
                                "\xff\xff\xff\xff"
                                "\x00\x00\x00\x64" /* page size 100 */
                                "\x00\x00\x00\x02"
                                "ps";
    assert_int_equal(b.len, sizeof query - 1);
    assert_memory_equal(b.data, query, b.len);

    /* EXECUTE without values or paging */
    pp_cql_buf_reset(&b);
    at = pp_cql_frame_begin(&b, PP_CQL_V4_REQUEST, 0, PP_CQL_OP_EXECUTE);
    pp_cql_put_short_bytes(&b, "ID", 2);
    pp_cql_query_params none = {.consistency = PP_CQL_ONE};
    pp_cql_body_query_params(&b, &none);
    assert_int_equal(pp_cql_frame_end(&b, at, 1 << 20, NULL, 0), 0);
    static const char exec[] = "\x04\x00\x00\x00\x0a\x00\x00\x00\x07"
                               "\x00\x02"
                               "ID"
                               "\x00\x01"
                               "\x00";
    assert_int_equal(b.len, sizeof exec - 1);
    assert_memory_equal(b.data, exec, b.len);

    /* an unlogged BATCH of two prepared statements */
    pp_cql_buf_reset(&b);
    at = pp_cql_frame_begin(&b, PP_CQL_V4_REQUEST, 0, PP_CQL_OP_BATCH);
    pp_cql_body_batch_begin(&b, PP_CQL_BATCH_UNLOGGED, 2);
    pp_cql_body_batch_prepared(&b, (const uint8_t *)"A", 1, vals.data, vals.len);
    pp_cql_body_batch_prepared(&b, (const uint8_t *)"B", 1, NULL, 0);
    pp_cql_body_batch_end(&b, PP_CQL_QUORUM);
    assert_int_equal(pp_cql_frame_end(&b, at, 1 << 20, NULL, 0), 0);
    static const char batch[] = "\x04\x00\x00\x00\x0d\x00\x00\x00\x1b"
                                "\x01"
                                "\x00\x02"
                                "\x01"
                                "\x00\x01"
                                "A"
                                "\x00\x02"
                                "\x00\x00\x00\x01x"
                                "\xff\xff\xff\xff"
                                "\x01"
                                "\x00\x01"
                                "B"
                                "\x00\x00"
                                "\x00\x04"
                                "\x00";
    assert_int_equal(b.len, sizeof batch - 1);
    assert_memory_equal(b.data, batch, b.len);
    pp_cql_buf_free(&vals);
    pp_cql_buf_free(&b);
}

static void bound_values_must_match_the_markers(void **state) {
    (void)state;
    pp_cql_buf b;
    pp_cql_buf_init(&b);
    pp_cql_column bind[2];
    memset(bind, 0, sizeof bind);
    bind[0].name = "id";
    bind[0].type = t_native(PP_CQL_T_VARCHAR);
    bind[1].name = "n";
    bind[1].type = t_native(PP_CQL_T_INT);
    pp_cql_value v[2] = {pp_cql_text("a"), pp_cql_text("b")};
    char err[256] = "";
    assert_int_equal(pp_cql_encode_values(&b, v, 1, bind, 2, err, sizeof err), PP_EINVAL);
    assert_string_equal(err, "the statement takes 2 bound values, 1 given");
    assert_int_equal(pp_cql_encode_values(&b, v, 2, bind, 2, err, sizeof err), PP_EINVAL);
    assert_string_equal(err, "bound value 2 (n): a text value cannot be bound to a int column");
    pp_cql_buf_reset(&b);
    v[1] = pp_cql_int(7);
    assert_int_equal(pp_cql_encode_values(&b, v, 2, bind, 2, err, sizeof err), 0);
    pp_cql_buf_free(&b);
}

int main(void) {
    pp_log_set_level(PP_LOG_ERROR); /* server warnings in test frames are logged as warn */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decodes_rows_with_typed_getters),
        cmocka_unit_test(decodes_the_paging_state_and_appends_pages),
        cmocka_unit_test(decodes_rows_without_metadata),
        cmocka_unit_test(decodes_prepared_keyspace_and_schema_results),
        cmocka_unit_test(decodes_errors_with_the_servers_code_and_message),
        cmocka_unit_test(decodes_the_auth_exchange_and_skips_extras),
        cmocka_unit_test(every_truncated_prefix_of_every_frame_is_a_clean_error),
        cmocka_unit_test(random_bytes_are_clean_errors),
        cmocka_unit_test(hostile_length_fields_are_refused_before_allocating),
        cmocka_unit_test(frame_sizes_are_bounded),
        cmocka_unit_test(encodes_requests_byte_for_byte),
        cmocka_unit_test(bound_values_must_match_the_markers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
