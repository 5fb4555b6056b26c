#include "pg/pg_copy_text.h"

#include <string.h>

#include "common/error.h"

static char escape_of(char c) {
    switch (c) {
    case '\\': return '\\';
    case '\n': return 'n';
    case '\r': return 'r';
    case '\t': return 't';
    default: return 0;
    }
}

size_t pp_pg_copy_escaped_len(const char *v, size_t len) {
    size_t n = len;
    for (size_t i = 0; i < len; i++)
        if (escape_of(v[i])) n++;
    return n;
}

int pp_pg_copy_escape(const char *v, size_t len, char *out) {
    for (size_t i = 0; i < len; i++) {
        char e = escape_of(v[i]);
        if (v[i] == '\0') return PP_EINVAL;
        if (e) {
            *out++ = '\\';
            *out++ = e;
        } else {
            *out++ = v[i];
        }
    }
    return PP_OK;
}

static size_t value_len(const char *const *values, const size_t *lens, size_t i) {
    return lens ? lens[i] : strlen(values[i]);
}

size_t pp_pg_copy_row_len(const char *const *values, const size_t *lens, size_t ncols) {
    size_t n = ncols > 0 ? ncols : 1; /* separators and the final newline */
    for (size_t i = 0; i < ncols; i++)
        n += values[i] ? pp_pg_copy_escaped_len(values[i], value_len(values, lens, i)) : 2;
    return n;
}

int pp_pg_copy_encode_row(const char *const *values, const size_t *lens, size_t ncols, char *out, char *err,
                          size_t errlen) {
    for (size_t i = 0; i < ncols; i++) {
        if (i > 0) *out++ = '\t';
        if (!values[i]) {
            *out++ = '\\';
            *out++ = 'N';
            continue;
        }
        size_t len = value_len(values, lens, i);
        if (pp_pg_copy_escape(values[i], len, out) != PP_OK) {
            pp_errf(err, errlen, "pg copy: column %zu holds a NUL byte", i + 1);
            return PP_EINVAL;
        }
        out += pp_pg_copy_escaped_len(values[i], len);
    }
    *out = '\n';
    return PP_OK;
}
