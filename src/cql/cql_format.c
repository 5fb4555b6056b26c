#include "cql/cql_format.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/error.h"
#include "common/mem.h"

#define VARINT_MAX_BYTES 1024 /* longer varints are shown in hex */

static void puts_(pp_cql_buf *b, const char *s) { pp_cql_put_raw(b, s, strlen(s)); }

static void hex(pp_cql_buf *b, const uint8_t *p, size_t n) {
    static const char digits[] = "0123456789abcdef";
    puts_(b, "0x");
    for (size_t i = 0; i < n; i++) {
        char x[2] = {digits[p[i] >> 4], digits[p[i] & 15]};
        pp_cql_put_raw(b, x, 2);
    }
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

void pp_cql_format_timestamp(int64_t ms, char *buf, size_t n) {
    int64_t days = floor_div(ms, 86400000);
    int64_t rem = ms % 86400000; /* 0..86399999 (ms - days * 86400000 overflows near INT64_MIN) */
    if (rem < 0) rem += 86400000;
    int64_t y;
    unsigned mo, d;
    civil_from_days(days, &y, &mo, &d);
    snprintf(buf, n, "%04" PRId64 "-%02u-%02u %02d:%02d:%02d.%03dZ", y, mo, d, (int)(rem / 3600000),
             (int)(rem / 60000 % 60), (int)(rem / 1000 % 60), (int)(rem % 1000));
}

/* Two's complement big-endian integer of any length to decimal. */
static void varint(pp_cql_buf *b, const uint8_t *p, size_t n) {
    if (n == 0) {
        puts_(b, "0");
        return;
    }
    if (n > VARINT_MAX_BYTES) {
        hex(b, p, n);
        return;
    }
    uint8_t *mag = pp_xmalloc(n);
    char *digits = pp_xmalloc(n * 3 + 2);
    int neg = p[0] & 0x80;
    memcpy(mag, p, n);
    if (neg) { /* magnitude = ~x + 1 */
        for (size_t i = 0; i < n; i++) mag[i] = (uint8_t)~mag[i];
        for (size_t i = n; i-- > 0;)
            if (++mag[i] != 0) break;
    }
    size_t nd = 0, start = 0;
    while (start < n && mag[start] == 0) start++;
    while (start < n) {
        unsigned rem = 0;
        for (size_t i = start; i < n; i++) {
            unsigned cur = (rem << 8) | mag[i];
            mag[i] = (uint8_t)(cur / 10);
            rem = cur % 10;
        }
        digits[nd++] = (char)('0' + rem);
        while (start < n && mag[start] == 0) start++;
    }
    if (nd == 0) digits[nd++] = '0';
    if (neg) pp_cql_put_u8(b, '-');
    for (size_t i = nd; i-- > 0;) pp_cql_put_u8(b, (uint8_t)digits[i]);
    free(mag);
    free(digits);
}

static void decimal(pp_cql_buf *b, int32_t scale, const uint8_t *p, size_t n) {
    pp_cql_buf tmp;
    pp_cql_buf_init(&tmp);
    varint(&tmp, p, n);
    if (tmp.err || (tmp.len >= 2 && tmp.data[0] == '0' && tmp.data[1] == 'x')) {
        pp_cql_put_raw(b, tmp.data, tmp.len);
        char e[24];
        snprintf(e, sizeof e, "E%d", -scale);
        puts_(b, e);
        if (tmp.err && !b->err) b->err = tmp.err;
        pp_cql_buf_free(&tmp);
        return;
    }
    int neg = tmp.data[0] == '-';
    const char *dg = (const char *)tmp.data + neg;
    size_t nd = tmp.len - (size_t)neg;
    if (neg) pp_cql_put_u8(b, '-');
    if (scale <= 0) {
        pp_cql_put_raw(b, dg, nd);
        if (scale < 0) {
            char e[24];
            snprintf(e, sizeof e, "E+%lld", -(long long)scale);
            puts_(b, e);
        }
    } else if ((size_t)scale < nd) {
        pp_cql_put_raw(b, dg, nd - (size_t)scale);
        pp_cql_put_u8(b, '.');
        pp_cql_put_raw(b, dg + nd - (size_t)scale, (size_t)scale);
    } else if (scale - (int64_t)nd <= 32) {
        puts_(b, "0.");
        for (int64_t i = 0; i < scale - (int64_t)nd; i++) pp_cql_put_u8(b, '0');
        pp_cql_put_raw(b, dg, nd);
    } else {
        char e[24];
        pp_cql_put_raw(b, dg, nd);
        snprintf(e, sizeof e, "E-%d", scale);
        puts_(b, e);
    }
    pp_cql_buf_free(&tmp);
}

/* Shortest %g that reads back as the same double. */
static void real(pp_cql_buf *b, double v, int max_prec) {
    char s[48];
    for (int prec = 1; prec <= max_prec; prec++) {
        snprintf(s, sizeof s, "%.*g", prec, v);
        if (strtod(s, NULL) == v || v != v) break;
    }
    puts_(b, s);
}

static void quoted(pp_cql_buf *b, const uint8_t *p, size_t n) {
    pp_cql_put_u8(b, '\'');
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\'') pp_cql_put_u8(b, '\'');
        pp_cql_put_u8(b, p[i]);
    }
    pp_cql_put_u8(b, '\'');
}

static int fmt(const pp_cql_type *t, const uint8_t *p, int32_t len, pp_cql_buf *b, int depth);

/* n [bytes] elements, rendered `open e1, e2 close` (maps: k: v). */
static int collection(const pp_cql_type *t, const uint8_t *p, int32_t len, pp_cql_buf *b, int depth) {
    pp_cql_rd r;
    pp_cql_rd_init(&r, p, (size_t)len);
    int32_t n;
    int map = t->id == PP_CQL_T_MAP;
    if (t->nsub != (map ? 2 : 1)) return PP_EPROTO;
    if (pp_cql_get_i32(&r, &n) || n < 0 || (size_t)n > pp_cql_rd_left(&r) / 4) return PP_EPROTO;
    puts_(b, t->id == PP_CQL_T_LIST ? "[" : "{");
    for (int32_t i = 0; i < n; i++) {
        if (i) puts_(b, ", ");
        for (int k = 0; k <= map; k++) {
            const uint8_t *ep;
            int32_t elen;
            if (pp_cql_get_bytes(&r, &ep, &elen)) return PP_EPROTO;
            if (k) puts_(b, ": ");
            int rc = fmt(&t->sub[k], ep, elen, b, depth + 1);
            if (rc) return rc;
        }
    }
    puts_(b, t->id == PP_CQL_T_LIST ? "]" : "}");
    return pp_cql_rd_left(&r) ? PP_EPROTO : 0;
}

/* Tuples and UDTs: one [bytes] per field (trailing fields may be missing). */
static int fields(const pp_cql_type *t, const uint8_t *p, int32_t len, pp_cql_buf *b, int depth) {
    pp_cql_rd r;
    pp_cql_rd_init(&r, p, (size_t)len);
    int udt = t->id == PP_CQL_T_UDT;
    puts_(b, udt ? "{" : "(");
    for (uint16_t i = 0; i < t->nsub && pp_cql_rd_left(&r) > 0; i++) {
        const uint8_t *ep;
        int32_t elen;
        if (pp_cql_get_bytes(&r, &ep, &elen)) return PP_EPROTO;
        if (i) puts_(b, ", ");
        if (udt && t->field_names) {
            puts_(b, t->field_names[i]);
            puts_(b, ": ");
        }
        int rc = fmt(&t->sub[i], ep, elen, b, depth + 1);
        if (rc) return rc;
    }
    puts_(b, udt ? "}" : ")");
    return pp_cql_rd_left(&r) ? PP_EPROTO : 0;
}

static int fixed(int32_t len, int32_t want) { return len == want ? 0 : PP_EPROTO; }

static int fmt(const pp_cql_type *t, const uint8_t *p, int32_t len, pp_cql_buf *b, int depth) {
    char s[64];
    if (len < 0 || !p) {
        puts_(b, "null");
        return 0;
    }
    if (depth > PP_CQL_TYPE_MAX_DEPTH) return PP_EPROTO;
    size_t n = (size_t)len;
    int rc = 0;
    switch (t->id) {
    case PP_CQL_T_ASCII:
    case PP_CQL_T_VARCHAR:
    case 0x000A:
        if (depth > 0)
            quoted(b, p, n);
        else
            pp_cql_put_raw(b, p, n);
        return b->err;
    case PP_CQL_T_LIST:
    case PP_CQL_T_SET:
    case PP_CQL_T_MAP:
        if (n == 0) {
            puts_(b, t->id == PP_CQL_T_LIST ? "[]" : "{}");
            return b->err;
        }
        rc = collection(t, p, len, b, depth);
        return rc ? rc : b->err;
    case PP_CQL_T_TUPLE:
    case PP_CQL_T_UDT: rc = fields(t, p, len, b, depth); return rc ? rc : b->err;
    default: break;
    }
    if (n == 0 && t->id != PP_CQL_T_BLOB && t->id != PP_CQL_T_VARINT) {
        puts_(b, depth > 0 ? "''" : ""); /* an "empty" value */
        return b->err;
    }
    switch (t->id) {
    case PP_CQL_T_BIGINT:
    case PP_CQL_T_COUNTER:
        if ((rc = fixed(len, 8))) break;
        snprintf(s, sizeof s, "%" PRId64, (int64_t)pp_cql_be64(p));
        puts_(b, s);
        break;
    case PP_CQL_T_INT:
        if ((rc = fixed(len, 4))) break;
        snprintf(s, sizeof s, "%" PRId32, (int32_t)pp_cql_be32(p));
        puts_(b, s);
        break;
    case PP_CQL_T_SMALLINT:
        if ((rc = fixed(len, 2))) break;
        snprintf(s, sizeof s, "%d", (int)(int16_t)pp_cql_be16(p));
        puts_(b, s);
        break;
    case PP_CQL_T_TINYINT:
        if ((rc = fixed(len, 1))) break;
        snprintf(s, sizeof s, "%d", (int)(int8_t)p[0]);
        puts_(b, s);
        break;
    case PP_CQL_T_BOOLEAN:
        if ((rc = fixed(len, 1))) break;
        puts_(b, p[0] ? "true" : "false");
        break;
    case PP_CQL_T_TIMESTAMP:
        if ((rc = fixed(len, 8))) break;
        pp_cql_format_timestamp((int64_t)pp_cql_be64(p), s, sizeof s);
        puts_(b, s);
        break;
    case PP_CQL_T_DATE: {
        if ((rc = fixed(len, 4))) break;
        int64_t y;
        unsigned mo, d;
        civil_from_days((int64_t)pp_cql_be32(p) - ((int64_t)1 << 31), &y, &mo, &d);
        snprintf(s, sizeof s, "%04" PRId64 "-%02u-%02u", y, mo, d);
        puts_(b, s);
        break;
    }
    case PP_CQL_T_TIME: {
        if ((rc = fixed(len, 8))) break;
        int64_t ns = (int64_t)pp_cql_be64(p);
        if (ns < 0 || ns >= 86400LL * 1000000000LL) {
            rc = PP_EPROTO;
            break;
        }
        snprintf(s, sizeof s, "%02d:%02d:%02d.%09d", (int)(ns / 3600000000000LL), (int)(ns / 60000000000LL % 60),
                 (int)(ns / 1000000000LL % 60), (int)(ns % 1000000000LL));
        puts_(b, s);
        break;
    }
    case PP_CQL_T_DOUBLE: {
        if ((rc = fixed(len, 8))) break;
        uint64_t u = pp_cql_be64(p);
        double d;
        memcpy(&d, &u, sizeof d);
        real(b, d, 17);
        break;
    }
    case PP_CQL_T_FLOAT: {
        if ((rc = fixed(len, 4))) break;
        uint32_t u = pp_cql_be32(p);
        float f;
        memcpy(&f, &u, sizeof f);
        real(b, f, 9);
        break;
    }
    case PP_CQL_T_UUID:
    case PP_CQL_T_TIMEUUID:
        if ((rc = fixed(len, 16))) break;
        for (int i = 0; i < 16; i++) {
            snprintf(s, sizeof s, "%s%02x", (i == 4 || i == 6 || i == 8 || i == 10) ? "-" : "", p[i]);
            puts_(b, s);
        }
        break;
    case PP_CQL_T_INET:
        if (n != 4 && n != 16) {
            rc = PP_EPROTO;
            break;
        }
        if (!inet_ntop(n == 4 ? AF_INET : AF_INET6, p, s, sizeof s))
            rc = PP_EPROTO;
        else
            puts_(b, s);
        break;
    case PP_CQL_T_VARINT: varint(b, p, n); break;
    case PP_CQL_T_DECIMAL:
        if (n < 4) {
            rc = PP_EPROTO;
            break;
        }
        decimal(b, (int32_t)pp_cql_be32(p), p + 4, n - 4);
        break;
    default: hex(b, p, n); break; /* blob, custom, duration, unknown */
    }
    return rc ? rc : b->err;
}

int pp_cql_format(const pp_cql_type *t, const uint8_t *p, int32_t len, pp_cql_buf *out) {
    return fmt(t, p, len, out, 0);
}
