/* fuzz_cql_frame — the CQL native protocol v4 response decoder (src/cql/cql_frame.h),
 * that is, everything a Cassandra server (or anything on its port) can send us.
 *
 * Input: one response frame, header and body, as it comes off the socket.
 * Properties, for every input:
 *   - pp_cql_frame_decode never crashes, leaks or reads out of bounds;
 *   - a decoded frame needs all its bytes: without its last byte it does not decode;
 *   - every cell of a decoded RESULT reads through every getter and renders with
 *     pp_cql_format (what `pinpipe cql` prints) without leaving its bounds, and the
 *     rows of a result (a frame without flags: its body is the RESULT) append to a
 *     copy of themselves;
 *   - a decoded ERROR formats into a message.
 */
#include <stdint.h>
#include <string.h>

#include "common/error.h"
#include "common/log.h"
#include "cql/cql_format.h"
#include "cql/cql_frame.h"
#include "fuzz_support.h"

#define MAX_BODY ((size_t)1 << 20)

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    pp_log_set_level(PP_LOG_ERROR);
    return 0;
}

static void read_cell(const pp_cql_result *res, size_t row, size_t col, pp_cql_buf *out) {
    const pp_cql_column *c = pp_cql_result_column(res, col);
    FUZZ_CHECK(c != NULL, "column %zu of %zu missing", col, pp_cql_result_ncols(res));
    const uint8_t *p;
    int32_t len;
    FUZZ_CHECK(pp_cql_result_raw(res, row, col, &p, &len) == PP_OK, "raw cell (%zu, %zu)", row, col);
    FUZZ_CHECK(pp_cql_result_value(res, row, col) != NULL, "value of cell (%zu, %zu)", row, col);
    /* null, and (cql_value.h) an empty value of a type other than text, read as null */
    FUZZ_CHECK(len >= 0 || pp_cql_result_is_null(res, row, col) == 1, "is_null of null cell (%zu, %zu)", row, col);
    const char *s;
    size_t n, count;
    int32_t i32;
    int64_t i64;
    bool b;
    const char *const *items;
    const size_t *lens;
    (void)pp_cql_result_get_text(res, row, col, &s, &n);
    (void)pp_cql_result_get_int(res, row, col, &i32);
    (void)pp_cql_result_get_bigint(res, row, col, &i64);
    (void)pp_cql_result_get_bool(res, row, col, &b);
    (void)pp_cql_result_get_timestamp(res, row, col, &i64);
    (void)pp_cql_result_get_list(res, row, col, &items, &lens, &count);
    pp_cql_buf_reset(out);
    (void)pp_cql_format(&c->type, p, len, out);
}

static void walk_result(const pp_cql_result *res) {
    pp_cql_buf out;
    pp_cql_buf_init(&out);
    char name[256];
    size_t ncols = pp_cql_result_ncols(res), nrows = pp_cql_result_nrows(res);
    for (size_t col = 0; col < ncols; col++) {
        const pp_cql_column *c = pp_cql_result_column(res, col);
        pp_cql_type_name(&c->type, name, sizeof name);
        (void)pp_cql_result_column_index(res, c->name);
    }
    for (size_t row = 0; row < nrows; row++)
        for (size_t col = 0; col < ncols; col++) read_cell(res, row, col, &out);
    FUZZ_CHECK(pp_cql_result_column(res, ncols) == NULL, "a column past the end");
    FUZZ_CHECK(pp_cql_result_value(res, nrows, 0) == NULL, "a row past the end");
    const uint8_t *p;
    size_t len;
    (void)pp_cql_result_has_more(res);
    pp_cql_result_paging_state(res, &p, &len);
    (void)pp_cql_result_keyspace(res);
    const char *change, *target, *ks, *tname;
    (void)pp_cql_result_schema_change(res, &change, &target, &ks, &tname);
    if (pp_cql_result_prepared_id(res, &p, &len) == PP_OK) {
        for (size_t i = 0; i < pp_cql_result_nbind(res); i++) {
            const pp_cql_column *c = pp_cql_result_bind(res, i);
            FUZZ_CHECK(c != NULL, "bind marker %zu missing", i);
            pp_cql_type_name(&c->type, name, sizeof name);
        }
    }
    pp_cql_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    pp_cql_response resp;
    char err[512];
    memset(&resp, 0, sizeof resp);
    if (pp_cql_frame_decode(data, size, MAX_BODY, &resp, err, sizeof err) != PP_OK) return 0;
    size_t frame_len = PP_CQL_HEADER_LEN + resp.h.length;
    FUZZ_CHECK(frame_len <= size, "decoded a frame of %zu bytes from %zu", frame_len, size);

    pp_cql_response shorter;
    memset(&shorter, 0, sizeof shorter);
    int rc = pp_cql_frame_decode(data, frame_len - 1, MAX_BODY, &shorter, err, sizeof err);
    if (rc == PP_OK) pp_cql_response_clear(&shorter);
    FUZZ_CHECK(rc != PP_OK, "a frame decoded without its last byte");

    if (resp.h.opcode == PP_CQL_OP_ERROR) {
        char msg[512];
        pp_cql_error_format(resp.error_code, resp.message, msg, sizeof msg);
        (void)pp_cql_error_name(resp.error_code);
    }
    if (resp.result) {
        walk_result(resp.result);
        if (pp_cql_result_kind_of(resp.result) == PP_CQL_RESULT_ROWS && resp.h.flags == 0) {
            pp_cql_result *copy = NULL;
            const uint8_t *body = data + PP_CQL_HEADER_LEN;
            FUZZ_CHECK(pp_cql_result_decode(body, resp.h.length, &copy, err, sizeof err) == PP_OK,
                       "a RESULT body that decoded once does not decode again: %s", err);
            size_t rows = pp_cql_result_nrows(resp.result);
            if (pp_cql_result_append(resp.result, copy, err, sizeof err) == PP_OK) {
                FUZZ_CHECK(pp_cql_result_nrows(resp.result) == 2 * rows, "append: %zu rows, not %zu",
                           pp_cql_result_nrows(resp.result), 2 * rows);
                walk_result(resp.result);
            }
        }
    }
    pp_cql_response_clear(&resp);
    return 0;
}
