#include "stream/stream_pins_copy.h"

#include <string.h>

#include "common/error.h"
#include "event/event_time.h"
#include "pg/pg_copy_binary.h"

#define MS_PER_DAY INT64_C(86400000)

static int is_type(const pp_pin_column *c, const char *sql_type) { return strcmp(c->sql_type, sql_type) == 0; }

int pp_stream_pin_column_binary(const pp_pin_column *c) {
    switch (c->kind) {
    case PP_COL_TEXT: return is_type(c, "text") || is_type(c, "date");
    case PP_COL_BIGINT: return is_type(c, "bigint");
    case PP_COL_INT: return is_type(c, "int");
    case PP_COL_BOOL: return is_type(c, "boolean");
    case PP_COL_TIME: return is_type(c, "timestamptz");
    case PP_COL_TAGS: return is_type(c, "text[]");
    }
    return 0;
}

/* One non-null value; PP_EREFUSED with *why for a value PostgreSQL would refuse. */
static int put_value(const pp_pin_column *c, const pp_col_value *v, pp_strbuf *out, const char **why) {
    switch (c->kind) {
    case PP_COL_TEXT:
        if (is_type(c, "date")) {
            int64_t ms;
            if (pp_day_parse(v->text, &ms) != PP_OK) {
                *why = "a day that is not a date";
                return PP_EREFUSED;
            }
            pp_pg_bin_date(out, (int32_t)(ms / MS_PER_DAY - PP_PG_EPOCH_UNIX_DAYS));
            return PP_OK;
        }
        return pp_pg_bin_text(out, v->text, strlen(v->text)); /* a C string: no NUL inside */
    case PP_COL_BIGINT: pp_pg_bin_int8(out, v->i); return PP_OK;
    case PP_COL_INT:
        if (v->i < INT32_MIN || v->i > INT32_MAX) {
            *why = "an int out of range";
            return PP_EREFUSED;
        }
        pp_pg_bin_int4(out, (int32_t)v->i);
        return PP_OK;
    case PP_COL_BOOL: pp_pg_bin_bool(out, v->i != 0); return PP_OK;
    case PP_COL_TIME: {
        if (v->i < PP_EVENT_TIME_MIN_MS) {
            *why = "a time before 1970";
            return PP_EREFUSED;
        }
        int64_t ms = v->i > PP_EVENT_TIME_MAX_MS ? PP_EVENT_TIME_MAX_MS : v->i;
        pp_pg_bin_timestamptz(out, (ms - PP_PG_EPOCH_UNIX_DAYS * MS_PER_DAY) * 1000);
        return PP_OK;
    }
    case PP_COL_TAGS: pp_pg_bin_text_array(out, v->list, v->n); return PP_OK;
    }
    return PP_EINVAL;
}

int pp_stream_pin_row(const pp_pin_column *const *cols, size_t ncols, const pp_pin_row *r, pp_strbuf *out,
                      const char **why) {
    size_t start = out->len;
    int rc = PP_OK;
    *why = NULL;
    pp_pg_bin_row(out, (int)ncols);
    for (size_t i = 0; i < ncols && rc == PP_OK; i++) {
        pp_col_value v;
        pp_pin_column_get(cols[i], r, &v);
        if (!pp_stream_pin_column_binary(cols[i])) {
            *why = "a column without a binary form";
            rc = PP_EINVAL;
        } else if (v.null) {
            pp_pg_bin_null(out);
        } else {
            rc = put_value(cols[i], &v, out, why);
        }
    }
    if (rc != PP_OK) out->len = start;
    return rc;
}
