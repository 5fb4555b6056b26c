/* Specification of the CQL value codec (src/cql/cql_codec.c, cql_wire.c,
 * cql_format.c): every supported type round-trips through its serialization (null,
 * empty strings, negative numbers, INT32/INT64 extremes, timestamps before and after
 * the epoch, empty and non-empty lists, UTF-8 text); values bind to compatible
 * column types only; malformed cells are clean errors; any value renders as text the
 * way cqlsh shows it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/error.h"
#include "cql/cql_codec.h"
#include "cql/cql_format.h"
#include "cql/cql_value.h"
#include "cql/cql_wire.h"
#include "cql_test_support.h"

/* Encodes v (for type t, or by its own kind when typed is 0), decodes it back as t,
 * and returns the decoded value (its memory lives in *arena and *buf). */
static pp_cql_value round_trip(const pp_cql_value *v, const pp_cql_type *t, int typed, pp_cql_buf *buf,
                               pp_cql_arena *arena) {
    char err[256] = "";
    assert_int_equal(pp_cql_value_encode(buf, v, typed ? t : NULL, err, sizeof err), 0);
    pp_cql_rd r;
    pp_cql_rd_init(&r, buf->data, buf->len);
    const uint8_t *p;
    int32_t n;
    assert_int_equal(pp_cql_get_bytes(&r, &p, &n), 0);
    assert_int_equal(pp_cql_rd_left(&r), 0);
    const uint8_t *copy = NULL;
    if (n >= 0) copy = (const uint8_t *)pp_cql_arena_strndup(arena, p, (size_t)n);
    pp_cql_value out;
    assert_int_equal(pp_cql_value_decode(t, copy, n, arena, &out), 0);
    return out;
}

static void assert_same(const pp_cql_value *want, const pp_cql_value *got) {
    assert_int_equal(want->kind, got->kind);
    switch (want->kind) {
    case PP_CQL_NULL: break;
    case PP_CQL_TEXT:
    case PP_CQL_BLOB:
        assert_int_equal(want->u.text.len, got->u.text.len);
        assert_memory_equal(want->u.text.s, got->u.text.s, want->u.text.len);
        assert_int_equal(got->u.text.s[got->u.text.len], '\0');
        break;
    case PP_CQL_INT: assert_int_equal(want->u.i32, got->u.i32); break;
    case PP_CQL_BIGINT:
    case PP_CQL_TIMESTAMP: assert_true(want->u.i64 == got->u.i64); break;
    case PP_CQL_BOOLEAN: assert_int_equal(want->u.b, got->u.b); break;
    case PP_CQL_LIST_TEXT:
    case PP_CQL_SET_TEXT:
        assert_int_equal(want->u.list.count, got->u.list.count);
        for (size_t i = 0; i < want->u.list.count; i++) {
            assert_string_equal(want->u.list.items[i], got->u.list.items[i]);
            assert_int_equal(strlen(want->u.list.items[i]), got->u.list.lens[i]);
        }
        break;
    default: fail_msg("unexpected kind %d", want->kind);
    }
}

static const char *const NO_ITEMS[1] = {NULL};
static const char *const ITEMS[] = {"art", "", "caf\xc3\xa9 \xe2\x98\x95", "a'b,c\"d"};
static const char *const ONE_ITEM[] = {"x"};
static const char UTF8[] = "h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x93\x8c";

typedef struct {
    const char *name;
    uint16_t type, elem; /* elem: element type of a list/set */
    pp_cql_value v;
} rt_case;

static void round_trips_every_supported_type(void **state) {
    (void)state;
    const rt_case cases[] = {
        {"text", PP_CQL_T_VARCHAR, 0, pp_cql_text("pinpipe")},
        {"empty text", PP_CQL_T_VARCHAR, 0, pp_cql_text("")},
        {"utf-8 text", PP_CQL_T_VARCHAR, 0, pp_cql_text(UTF8)},
        {"text with NUL", PP_CQL_T_VARCHAR, 0, pp_cql_textn("a\0b", 3)},
        {"ascii", PP_CQL_T_ASCII, 0, pp_cql_text("plain")},
        {"null text", PP_CQL_T_VARCHAR, 0, pp_cql_null()},
        {"int 0", PP_CQL_T_INT, 0, pp_cql_int(0)},
        {"int -1", PP_CQL_T_INT, 0, pp_cql_int(-1)},
        {"int min", PP_CQL_T_INT, 0, pp_cql_int(INT32_MIN)},
        {"int max", PP_CQL_T_INT, 0, pp_cql_int(INT32_MAX)},
        {"null int", PP_CQL_T_INT, 0, pp_cql_null()},
        {"bigint -42", PP_CQL_T_BIGINT, 0, pp_cql_bigint(-42)},
        {"bigint min", PP_CQL_T_BIGINT, 0, pp_cql_bigint(INT64_MIN)},
        {"bigint max", PP_CQL_T_BIGINT, 0, pp_cql_bigint(INT64_MAX)},
        {"null bigint", PP_CQL_T_BIGINT, 0, pp_cql_null()},
        {"true", PP_CQL_T_BOOLEAN, 0, pp_cql_bool(true)},
        {"false", PP_CQL_T_BOOLEAN, 0, pp_cql_bool(false)},
        {"null boolean", PP_CQL_T_BOOLEAN, 0, pp_cql_null()},
        {"epoch", PP_CQL_T_TIMESTAMP, 0, pp_cql_timestamp(0)},
        {"before the epoch", PP_CQL_T_TIMESTAMP, 0, pp_cql_timestamp(-86400001)},
        {"2023-11-14", PP_CQL_T_TIMESTAMP, 0, pp_cql_timestamp(1700000000123)},
        {"timestamp min", PP_CQL_T_TIMESTAMP, 0, pp_cql_timestamp(INT64_MIN)},
        {"timestamp max", PP_CQL_T_TIMESTAMP, 0, pp_cql_timestamp(INT64_MAX)},
        {"null timestamp", PP_CQL_T_TIMESTAMP, 0, pp_cql_null()},
        {"list of 4", PP_CQL_T_LIST, PP_CQL_T_VARCHAR, pp_cql_list_text(ITEMS, 4)},
        {"list of 1", PP_CQL_T_LIST, PP_CQL_T_VARCHAR, pp_cql_list_text(ONE_ITEM, 1)},
        {"empty list", PP_CQL_T_LIST, PP_CQL_T_VARCHAR, pp_cql_list_text(NO_ITEMS, 0)},
        {"null list", PP_CQL_T_LIST, PP_CQL_T_VARCHAR, pp_cql_null()},
        {"set", PP_CQL_T_SET, PP_CQL_T_VARCHAR, pp_cql_set_text(ITEMS, 4)},
        {"blob", PP_CQL_T_BLOB, 0, pp_cql_blob("\x00\xff\x10", 3)},
        {"empty blob", PP_CQL_T_BLOB, 0, pp_cql_blob("", 0)},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const rt_case *c = &cases[i];
        pp_cql_type elem = t_native(c->elem);
        pp_cql_type t = c->elem ? t_coll(c->type, &elem) : t_native(c->type);
        for (int typed = 0; typed < 2; typed++) { /* with the column type and without */
            pp_cql_buf buf;
            pp_cql_arena arena;
            pp_cql_buf_init(&buf);
            pp_cql_arena_init(&arena);
            pp_cql_value v = c->v;
            if (!typed && c->type == PP_CQL_T_ASCII) v.kind = PP_CQL_TEXT;
            pp_cql_value got = round_trip(&v, &t, typed, &buf, &arena);
            if (!typed && c->type == PP_CQL_T_ASCII) got.kind = PP_CQL_TEXT;
            print_message("%s%s\n", c->name, typed ? " (typed)" : "");
            assert_same(&v, &got);
            pp_cql_arena_free(&arena);
            pp_cql_buf_free(&buf);
        }
    }
}

typedef struct {
    const char *name;
    pp_cql_value v;
    uint16_t type;
    const char *bytes; /* expected [value] */
    size_t nbytes;
} wire_case;

static void serializes_exactly_as_the_spec_says(void **state) {
    (void)state;
    const wire_case cases[] = {
        {"null", pp_cql_null(), PP_CQL_T_INT, "\xff\xff\xff\xff", 4},
        {"int 1", pp_cql_int(1), PP_CQL_T_INT, "\0\0\0\x04\0\0\0\x01", 8},
        {"int -2", pp_cql_int(-2), PP_CQL_T_INT, "\0\0\0\x04\xff\xff\xff\xfe", 8},
        {"int widened to bigint", pp_cql_int(-1), PP_CQL_T_BIGINT, "\0\0\0\x08\xff\xff\xff\xff\xff\xff\xff\xff", 12},
        {"int widened to timestamp", pp_cql_int(5), PP_CQL_T_TIMESTAMP, "\0\0\0\x08\0\0\0\0\0\0\0\x05", 12},
        {"bigint min", pp_cql_bigint(INT64_MIN), PP_CQL_T_BIGINT, "\0\0\0\x08\x80\0\0\0\0\0\0\0", 12},
        {"true", pp_cql_bool(true), PP_CQL_T_BOOLEAN, "\0\0\0\x01\x01", 5},
        {"empty text", pp_cql_text(""), PP_CQL_T_VARCHAR, "\0\0\0\0", 4},
        {"text", pp_cql_text("ab"), PP_CQL_T_VARCHAR,
         "\0\0\0\x02"
         "ab",
         6},
        {"list [x]", pp_cql_list_text(ONE_ITEM, 1), PP_CQL_T_LIST, "\0\0\0\x09\0\0\0\x01\0\0\0\x01x", 13},
        {"empty list", pp_cql_list_text(NO_ITEMS, 0), PP_CQL_T_LIST, "\0\0\0\x04\0\0\0\0", 8},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pp_cql_buf b;
        pp_cql_buf_init(&b);
        pp_cql_type elem = t_native(PP_CQL_T_VARCHAR);
        pp_cql_type t = cases[i].type == PP_CQL_T_LIST ? t_coll(PP_CQL_T_LIST, &elem) : t_native(cases[i].type);
        print_message("%s\n", cases[i].name);
        assert_int_equal(pp_cql_value_encode(&b, &cases[i].v, &t, NULL, 0), 0);
        assert_int_equal(b.len, cases[i].nbytes);
        assert_memory_equal(b.data, cases[i].bytes, cases[i].nbytes);
        pp_cql_buf_free(&b);
    }
}

typedef struct {
    pp_cql_value v;
    uint16_t type, elem;
    const char *message;
} mismatch_case;

static void refuses_values_that_do_not_fit_the_column(void **state) {
    (void)state;
    static const char *const WITH_NULL[] = {"a", NULL};
    const mismatch_case cases[] = {
        {pp_cql_bool(true), PP_CQL_T_LIST, PP_CQL_T_VARCHAR, "a boolean value cannot be bound to a list<text> column"},
        {pp_cql_text("1"), PP_CQL_T_INT, 0, "a text value cannot be bound to a int column"},
        {pp_cql_bigint(1), PP_CQL_T_INT, 0, "a bigint value cannot be bound to a int column"},
        {pp_cql_int(1), PP_CQL_T_BOOLEAN, 0, "a int value cannot be bound to a boolean column"},
        {pp_cql_list_text(ITEMS, 1), PP_CQL_T_LIST, PP_CQL_T_INT,
         "a list<text> value cannot be bound to a list<int> column"},
        {pp_cql_list_text(WITH_NULL, 2), PP_CQL_T_LIST, PP_CQL_T_VARCHAR,
         "item 1 of a list<text> value is NULL (collections hold no nulls)"},
        {pp_cql_timestamp(1), PP_CQL_T_INT, 0, "a timestamp value cannot be bound to a int column"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pp_cql_buf b;
        pp_cql_buf_init(&b);
        pp_cql_type elem = t_native(cases[i].elem);
        pp_cql_type t = cases[i].elem ? t_coll(cases[i].type, &elem) : t_native(cases[i].type);
        char err[256] = "";
        assert_int_equal(pp_cql_value_encode(&b, &cases[i].v, &t, err, sizeof err), PP_EINVAL);
        assert_string_equal(err, cases[i].message);
        pp_cql_buf_free(&b);
    }
}

typedef struct {
    const char *name;
    uint16_t type, elem;
    const char *bytes;
    int32_t len;
} bad_cell;

static void malformed_cells_are_clean_errors(void **state) {
    (void)state;
    const bad_cell cases[] = {
        {"int of 3 bytes", PP_CQL_T_INT, 0, "\0\0\x01", 3},
        {"int of 5 bytes", PP_CQL_T_INT, 0, "\0\0\0\0\x01", 5},
        {"bigint of 4 bytes", PP_CQL_T_BIGINT, 0, "\0\0\0\x01", 4},
        {"boolean of 2 bytes", PP_CQL_T_BOOLEAN, 0, "\0\x01", 2},
        {"timestamp of 7 bytes", PP_CQL_T_TIMESTAMP, 0, "\0\0\0\0\0\0\x01", 7},
        {"list count beyond the bytes", PP_CQL_T_LIST, PP_CQL_T_VARCHAR, "\x7f\xff\xff\xff", 4},
        {"list negative count", PP_CQL_T_LIST, PP_CQL_T_VARCHAR, "\xff\xff\xff\xfe", 4},
        {"list of 3 bytes", PP_CQL_T_LIST, PP_CQL_T_VARCHAR, "\0\0\0", 3},
        {"list null item", PP_CQL_T_LIST, PP_CQL_T_VARCHAR, "\0\0\0\x01\xff\xff\xff\xff", 8},
        {"list item past the end", PP_CQL_T_LIST, PP_CQL_T_VARCHAR, "\0\0\0\x01\0\0\0\x09x", 9},
        {"list trailing bytes", PP_CQL_T_LIST, PP_CQL_T_VARCHAR, "\0\0\0\0\x01", 5},
        {"list item length huge", PP_CQL_T_SET, PP_CQL_T_VARCHAR, "\0\0\0\x01\x7f\xff\xff\xff", 8},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pp_cql_arena a;
        pp_cql_arena_init(&a);
        pp_cql_type elem = t_native(cases[i].elem);
        pp_cql_type t = cases[i].elem ? t_coll(cases[i].type, &elem) : t_native(cases[i].type);
        /* a heap copy of exactly len bytes (plus the NUL) so ASan sees any overread */
        const uint8_t *p = (const uint8_t *)pp_cql_arena_strndup(&a, cases[i].bytes, (size_t)cases[i].len);
        pp_cql_value v;
        print_message("%s\n", cases[i].name);
        assert_int_equal(pp_cql_value_decode(&t, p, cases[i].len, &a, &v), PP_EPROTO);
        pp_cql_arena_free(&a);
    }
}

static void empty_values_of_non_text_types_read_as_null(void **state) {
    (void)state;
    const uint16_t types[] = {PP_CQL_T_INT, PP_CQL_T_BIGINT, PP_CQL_T_BOOLEAN, PP_CQL_T_TIMESTAMP};
    for (size_t i = 0; i < 4; i++) {
        pp_cql_type t = t_native(types[i]);
        pp_cql_value v;
        assert_int_equal(pp_cql_value_decode(&t, (const uint8_t *)"", 0, NULL, &v), 0);
        assert_int_equal(v.kind, PP_CQL_NULL);
    }
    pp_cql_type t = t_native(PP_CQL_T_VARCHAR);
    pp_cql_value v;
    assert_int_equal(pp_cql_value_decode(&t, (const uint8_t *)"", 0, NULL, &v), 0);
    assert_int_equal(v.kind, PP_CQL_TEXT);
    assert_int_equal(v.u.text.len, 0);
}

typedef struct {
    const char *name;
    pp_cql_type t;
    const char *bytes;
    int32_t len;
    const char *text;
} fmt_case;

static void renders_values_as_cqlsh_does(void **state) {
    (void)state;
    static pp_cql_type text = {.id = PP_CQL_T_VARCHAR}, i32 = {.id = PP_CQL_T_INT};
    static pp_cql_type kv[2] = {{.id = PP_CQL_T_VARCHAR}, {.id = PP_CQL_T_INT}};
    static pp_cql_type tup[2] = {{.id = PP_CQL_T_INT}, {.id = PP_CQL_T_VARCHAR}};
    const fmt_case cases[] = {
        {"null", {.id = PP_CQL_T_INT}, NULL, -1, "null"},
        {"text", {.id = PP_CQL_T_VARCHAR}, "it's", 4, "it's"},
        {"int", {.id = PP_CQL_T_INT}, "\xff\xff\xff\xfe", 4, "-2"},
        {"bigint", {.id = PP_CQL_T_BIGINT}, "\x80\0\0\0\0\0\0\0", 8, "-9223372036854775808"},
        {"smallint", {.id = PP_CQL_T_SMALLINT}, "\xff\x85", 2, "-123"},
        {"tinyint", {.id = PP_CQL_T_TINYINT}, "\x7f", 1, "127"},
        {"boolean", {.id = PP_CQL_T_BOOLEAN}, "\x01", 1, "true"},
        {"timestamp epoch", {.id = PP_CQL_T_TIMESTAMP}, "\0\0\0\0\0\0\0\0", 8, "1970-01-01 00:00:00.000Z"},
        {"timestamp -1 ms",
         {.id = PP_CQL_T_TIMESTAMP},
         "\xff\xff\xff\xff\xff\xff\xff\xff",
         8,
         "1969-12-31 23:59:59.999Z"},
        {"timestamp 2023", {.id = PP_CQL_T_TIMESTAMP}, "\0\0\x01\x8b\xcf\xe5\x68\x7b", 8, "2023-11-14 22:13:20.123Z"},
        {"date epoch", {.id = PP_CQL_T_DATE}, "\x80\0\0\0", 4, "1970-01-01"},
        {"date 2000-03-01", {.id = PP_CQL_T_DATE}, "\x80\0\x2b\x09", 4, "2000-03-01"},
        {"time", {.id = PP_CQL_T_TIME}, "\0\0\x2f\x7d\x47\xe2\xb0\xc8", 8, "14:30:15.123456200"},
        {"uuid",
         {.id = PP_CQL_T_UUID},
         "\x12\x3e\x45\x67\xe8\x9b\x12\xd3\xa4\x56\x42\x66\x14\x17\x40\x00",
         16,
         "123e4567-e89b-12d3-a456-426614174000"},
        {"inet4", {.id = PP_CQL_T_INET}, "\x7f\0\0\x01", 4, "127.0.0.1"},
        {"inet6", {.id = PP_CQL_T_INET}, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16, "::1"},
        {"varint 128", {.id = PP_CQL_T_VARINT}, "\0\x80", 2, "128"},
        {"varint -129", {.id = PP_CQL_T_VARINT}, "\xff\x7f", 2, "-129"},
        {"varint 2^64", {.id = PP_CQL_T_VARINT}, "\x01\0\0\0\0\0\0\0\0", 9, "18446744073709551616"},
        {"decimal 12.345", {.id = PP_CQL_T_DECIMAL}, "\0\0\0\x03\x30\x39", 6, "12.345"},
        {"decimal -0.05", {.id = PP_CQL_T_DECIMAL}, "\0\0\0\x02\xfb", 5, "-0.05"},
        {"double 0.1", {.id = PP_CQL_T_DOUBLE}, "\x3f\xb9\x99\x99\x99\x99\x99\x9a", 8, "0.1"},
        {"float 1.5", {.id = PP_CQL_T_FLOAT}, "\x3f\xc0\0\0", 4, "1.5"},
        {"blob", {.id = PP_CQL_T_BLOB}, "\xca\xfe", 2, "0xcafe"},
        {"list<text>",
         {.id = PP_CQL_T_LIST, .nsub = 1, .sub = &text},
         "\0\0\0\x02\0\0\0\x01"
         "a\0\0\0\x04it's",
         17,
         "['a', 'it''s']"},
        {"empty list", {.id = PP_CQL_T_LIST, .nsub = 1, .sub = &text}, "", 0, "[]"},
        {"set<int>", {.id = PP_CQL_T_SET, .nsub = 1, .sub = &i32}, "\0\0\0\x01\0\0\0\x04\0\0\0\x07", 12, "{7}"},
        {"map<text,int>",
         {.id = PP_CQL_T_MAP, .nsub = 2, .sub = kv},
         "\0\0\0\x01\0\0\0\x01k\0\0\0\x04\0\0\0\x09",
         17,
         "{'k': 9}"},
        {"tuple<int,text>",
         {.id = PP_CQL_T_TUPLE, .nsub = 2, .sub = tup},
         "\0\0\0\x04\0\0\0\x01\xff\xff\xff\xff",
         12,
         "(1, null)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pp_cql_buf b;
        pp_cql_buf_init(&b);
        print_message("%s\n", cases[i].name);
        assert_int_equal(pp_cql_format(&cases[i].t, (const uint8_t *)cases[i].bytes, cases[i].len, &b), 0);
        pp_cql_put_u8(&b, 0);
        assert_string_equal((const char *)b.data, cases[i].text);
        pp_cql_buf_free(&b);
    }
}

static void rendering_malformed_values_is_a_clean_error(void **state) {
    (void)state;
    static pp_cql_type text = {.id = PP_CQL_T_VARCHAR};
    static pp_cql_type kv[2] = {{.id = PP_CQL_T_VARCHAR}, {.id = PP_CQL_T_INT}};
    const fmt_case cases[] = {
        {"int of 2", {.id = PP_CQL_T_INT}, "\0\x01", 2, NULL},
        {"uuid of 3", {.id = PP_CQL_T_UUID}, "abc", 3, NULL},
        {"inet of 5", {.id = PP_CQL_T_INET}, "abcde", 5, NULL},
        {"time past midnight", {.id = PP_CQL_T_TIME}, "\x7f\0\0\0\0\0\0\0", 8, NULL},
        {"list count huge", {.id = PP_CQL_T_LIST, .nsub = 1, .sub = &text}, "\x7f\0\0\0", 4, NULL},
        {"map cut", {.id = PP_CQL_T_MAP, .nsub = 2, .sub = kv}, "\0\0\0\x01\0\0\0\x01k", 9, NULL},
        {"decimal of 2", {.id = PP_CQL_T_DECIMAL}, "\0\0", 2, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pp_cql_buf b;
        pp_cql_buf_init(&b);
        char *copy = malloc((size_t)cases[i].len);
        memcpy(copy, cases[i].bytes, (size_t)cases[i].len);
        print_message("%s\n", cases[i].name);
        assert_int_equal(pp_cql_format(&cases[i].t, (const uint8_t *)copy, cases[i].len, &b), PP_EPROTO);
        free(copy);
        pp_cql_buf_free(&b);
    }
}

static void wire_primitives_check_every_length(void **state) {
    (void)state;
    pp_cql_buf b;
    pp_cql_buf_init(&b);
    char big[70000];
    memset(big, 'x', sizeof big);
    pp_cql_put_string(&b, big, 65535);
    assert_int_equal(b.err, 0);
    pp_cql_put_string(&b, big, 65536); /* a [string] holds at most 65535 bytes */
    assert_int_equal(b.err, PP_EINVAL);
    pp_cql_put_u8(&b, 1); /* sticky: nothing more is written */
    assert_int_equal(b.len, 2 + 65535);
    pp_cql_buf_free(&b);

    static const uint8_t bytes[] = {0, 5, 'a', 'b'};
    pp_cql_rd r;
    const char *s;
    size_t n;
    pp_cql_rd_init(&r, bytes, sizeof bytes);
    assert_int_equal(pp_cql_get_string(&r, &s, &n), PP_EPROTO); /* claims 5, has 2 */
    static const uint8_t neg[] = {0x80, 0, 0, 0};
    pp_cql_rd_init(&r, neg, sizeof neg);
    assert_int_equal(pp_cql_get_long_string(&r, &s, &n), PP_EPROTO); /* negative length */
    const uint8_t *p;
    int32_t bl;
    pp_cql_rd_init(&r, neg, sizeof neg);
    assert_int_equal(pp_cql_get_bytes(&r, &p, &bl), 0); /* [bytes] negative: null */
    assert_int_equal(bl, -1);
    assert_null(p);
}

static void consistency_levels_parse_by_name(void **state) {
    (void)state;
    assert_int_equal(pp_cql_consistency_parse("LOCAL_ONE"), 0x000A);
    assert_int_equal(pp_cql_consistency_parse("quorum"), 0x0004);
    assert_int_equal(pp_cql_consistency_parse("ONE"), 0x0001);
    assert_int_equal(pp_cql_consistency_parse("MOST"), -1);
    assert_int_equal(pp_cql_consistency_parse(NULL), -1);
    assert_string_equal(pp_cql_consistency_name(0x0006), "LOCAL_QUORUM");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trips_every_supported_type),
        cmocka_unit_test(serializes_exactly_as_the_spec_says),
        cmocka_unit_test(refuses_values_that_do_not_fit_the_column),
        cmocka_unit_test(malformed_cells_are_clean_errors),
        cmocka_unit_test(empty_values_of_non_text_types_read_as_null),
        cmocka_unit_test(renders_values_as_cqlsh_does),
        cmocka_unit_test(rendering_malformed_values_is_a_clean_error),
        cmocka_unit_test(wire_primitives_check_every_length),
        cmocka_unit_test(consistency_levels_parse_by_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
