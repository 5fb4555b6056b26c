#include "cql/cql_frame.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/log.h"
#include "common/mem.h"
#include "cql/cql_codec.h"

int pp_cql_header_decode(const uint8_t *p, size_t len, uint8_t version, size_t max_body, pp_cql_header *h, char *err,
                         size_t errlen) {
    if (len < PP_CQL_HEADER_LEN) {
        pp_errf(err, errlen, "truncated frame header (%zu of %d bytes)", len, PP_CQL_HEADER_LEN);
        return PP_EPROTO;
    }
    h->version = p[0];
    h->flags = p[1];
    h->stream = (int16_t)pp_cql_be16(p + 2);
    h->opcode = p[4];
    h->length = pp_cql_be32(p + 5);
    if (h->version != version) {
        pp_errf(err, errlen, "frame version byte 0x%02x, expected 0x%02x (protocol v4)", h->version, version);
        return PP_EPROTO;
    }
    if (h->length > max_body) {
        pp_errf(err, errlen, "frame body of %u bytes exceeds the limit of %zu bytes", h->length, max_body);
        return PP_EPROTO;
    }
    return 0;
}

size_t pp_cql_frame_begin(pp_cql_buf *b, uint8_t version, int16_t stream, uint8_t opcode) {
    size_t start = b->len;
    pp_cql_put_u8(b, version);
    pp_cql_put_u8(b, 0);
    pp_cql_put_u16(b, (uint16_t)stream);
    pp_cql_put_u8(b, opcode);
    pp_cql_put_i32(b, 0);
    return start;
}

int pp_cql_frame_end(pp_cql_buf *b, size_t start, size_t max_body, char *err, size_t errlen) {
    if (b->err) {
        pp_errf(err, errlen, "encoding a request: %s", pp_strerror(b->err));
        return b->err;
    }
    size_t body = b->len - start - PP_CQL_HEADER_LEN;
    if (body > max_body || body > INT32_MAX) {
        pp_errf(err, errlen, "request body of %zu bytes exceeds the limit of %zu bytes", body, max_body);
        return PP_EINVAL;
    }
    pp_cql_patch_i32(b, start + 5, (int32_t)body);
    return 0;
}

void pp_cql_frame_set_stream(uint8_t *frame, int16_t stream) {
    frame[2] = (uint8_t)((uint16_t)stream >> 8);
    frame[3] = (uint8_t)stream;
}

void pp_cql_body_startup(pp_cql_buf *b) {
    pp_cql_put_u16(b, 1);
    pp_cql_put_string(b, "CQL_VERSION", 11);
    pp_cql_put_string(b, "3.0.0", 5);
}

void pp_cql_body_auth_plain(pp_cql_buf *b, const char *user, const char *password) {
    /* SASL PLAIN: authzid NUL authcid NUL password, as one [bytes] token */
    size_t ul = strlen(user), pl = strlen(password);
    if (ul > INT32_MAX / 2 || pl > INT32_MAX / 2) {
        if (!b->err) b->err = PP_EINVAL;
        return;
    }
    pp_cql_put_i32(b, (int32_t)(ul + pl + 2));
    pp_cql_put_u8(b, 0);
    pp_cql_put_raw(b, user, ul);
    pp_cql_put_u8(b, 0);
    pp_cql_put_raw(b, password, pl);
}

int pp_cql_encode_values(pp_cql_buf *b, const pp_cql_value *vals, size_t n, const pp_cql_column *bind, size_t nbind,
                         char *err, size_t errlen) {
    if (bind && n != nbind) {
        pp_errf(err, errlen, "the statement takes %zu bound value%s, %zu given", nbind, nbind == 1 ? "" : "s", n);
        return PP_EINVAL;
    }
    if (n > 0xFFFF) {
        pp_errf(err, errlen, "%zu bound values: at most 65535", n);
        return PP_EINVAL;
    }
    pp_cql_put_u16(b, (uint16_t)n);
    for (size_t i = 0; i < n; i++) {
        char why[192];
        int rc = pp_cql_value_encode(b, &vals[i], bind ? &bind[i].type : NULL, why, sizeof why);
        if (rc) {
            pp_errf(err, errlen, "bound value %zu%s%s%s: %s", i + 1, bind ? " (" : "", bind ? bind[i].name : "",
                    bind ? ")" : "", why);
            return rc;
        }
    }
    if (b->err) pp_errf(err, errlen, "encoding bound values: %s", pp_strerror(b->err));
    return b->err;
}

enum { QF_VALUES = 0x01, QF_PAGE_SIZE = 0x04, QF_PAGING_STATE = 0x08 };

void pp_cql_body_query_params(pp_cql_buf *b, const pp_cql_query_params *p) {
    uint8_t flags = 0;
    if (p->values && p->values_len > 0) flags |= QF_VALUES;
    if (p->page_size > 0) flags |= QF_PAGE_SIZE;
    if (p->paging_state) flags |= QF_PAGING_STATE;
    pp_cql_put_u16(b, p->consistency);
    pp_cql_put_u8(b, flags);
    if (flags & QF_VALUES) pp_cql_put_raw(b, p->values, p->values_len);
    if (flags & QF_PAGE_SIZE) pp_cql_put_i32(b, p->page_size);
    if (flags & QF_PAGING_STATE) pp_cql_put_bytes(b, p->paging_state, p->paging_len);
}

void pp_cql_body_batch_begin(pp_cql_buf *b, uint8_t type, uint16_t n) {
    pp_cql_put_u8(b, type);
    pp_cql_put_u16(b, n);
}

static void batch_values(pp_cql_buf *b, const uint8_t *values, size_t values_len) {
    if (values && values_len > 0)
        pp_cql_put_raw(b, values, values_len);
    else
        pp_cql_put_u16(b, 0);
}

void pp_cql_body_batch_prepared(pp_cql_buf *b, const uint8_t *id, size_t idlen, const uint8_t *values,
                                size_t values_len) {
    pp_cql_put_u8(b, 1);
    pp_cql_put_short_bytes(b, id, idlen);
    batch_values(b, values, values_len);
}

void pp_cql_body_batch_query(pp_cql_buf *b, const char *cql, const uint8_t *values, size_t values_len) {
    pp_cql_put_u8(b, 0);
    pp_cql_put_long_string(b, cql, strlen(cql));
    batch_values(b, values, values_len);
}

void pp_cql_body_batch_end(pp_cql_buf *b, uint16_t consistency) {
    pp_cql_put_u16(b, consistency);
    pp_cql_put_u8(b, 0); /* flags: no serial consistency, no default timestamp */
}

void pp_cql_response_clear(pp_cql_response *r) {
    free(r->message);
    free(r->token);
    pp_cql_result_destroy(r->result);
    memset(r, 0, sizeof *r);
}

static char *dup_n(const void *p, size_t n) {
    char *d = pp_xmalloc(n + 1);
    if (n) memcpy(d, p, n);
    d[n] = '\0';
    return d;
}

/* Tracing id, warnings and custom payload precede the body proper (spec 2.2). */
static int skip_prefix(const pp_cql_header *h, pp_cql_rd *r, pp_cql_response *out) {
    const uint8_t *p;
    if ((h->flags & PP_CQL_FLAG_TRACING) && pp_cql_get_raw(r, 16, &p)) return PP_EPROTO;
    if (h->flags & PP_CQL_FLAG_WARNING) {
        uint16_t n;
        if (pp_cql_get_u16(r, &n)) return PP_EPROTO;
        for (uint16_t i = 0; i < n; i++) {
            const char *s;
            size_t len;
            if (pp_cql_get_string(r, &s, &len)) return PP_EPROTO;
            PP_WARN("cql", "server warning: %.*s", (int)(len > 1000 ? 1000 : len), s);
        }
        out->nwarnings = n;
    }
    if ((h->flags & PP_CQL_FLAG_CUSTOM_PAYLOAD) && pp_cql_skip_bytes_map(r)) return PP_EPROTO;
    return 0;
}

static int decode_error(pp_cql_rd *r, pp_cql_response *out) {
    const char *s;
    size_t n;
    if (pp_cql_get_i32(r, &out->error_code) || pp_cql_get_string(r, &s, &n)) return PP_EPROTO;
    out->message = dup_n(s, n);
    if (out->error_code == PP_CQL_ERR_UNPREPARED) {
        const uint8_t *id;
        size_t idlen;
        if (pp_cql_get_short_bytes(r, &id, &idlen)) return PP_EPROTO;
        out->token = (uint8_t *)dup_n(id, idlen);
        out->token_len = (int32_t)idlen;
    }
    return 0;
}

static int decode_token(pp_cql_rd *r, pp_cql_response *out) {
    const uint8_t *p;
    if (pp_cql_get_bytes(r, &p, &out->token_len)) return PP_EPROTO;
    if (out->token_len < 0) return 0;
    out->token = (uint8_t *)dup_n(p, (size_t)out->token_len);
    return 0;
}

static const char *opcode_name(uint8_t op) {
    switch (op) {
    case PP_CQL_OP_ERROR: return "ERROR";
    case PP_CQL_OP_READY: return "READY";
    case PP_CQL_OP_AUTHENTICATE: return "AUTHENTICATE";
    case PP_CQL_OP_SUPPORTED: return "SUPPORTED";
    case PP_CQL_OP_RESULT: return "RESULT";
    case PP_CQL_OP_EVENT: return "EVENT";
    case PP_CQL_OP_AUTH_CHALLENGE: return "AUTH_CHALLENGE";
    case PP_CQL_OP_AUTH_SUCCESS: return "AUTH_SUCCESS";
    default: return "?";
    }
}

int pp_cql_response_decode(const pp_cql_header *h, const uint8_t *body, size_t len, pp_cql_response *out, char *err,
                           size_t errlen) {
    memset(out, 0, sizeof *out);
    out->h = *h;
    out->token_len = -1;
    pp_cql_rd r;
    pp_cql_rd_init(&r, body, len);
    int rc = 0;
    const char *s;
    size_t n;
    if (h->flags & PP_CQL_FLAG_COMPRESSION) {
        pp_errf(err, errlen, "compressed %s frame, but no compression was negotiated", opcode_name(h->opcode));
        return PP_EPROTO;
    }
    rc = skip_prefix(h, &r, out);
    if (rc) goto done;
    switch (h->opcode) {
    case PP_CQL_OP_ERROR: rc = decode_error(&r, out); break;
    case PP_CQL_OP_READY: break;
    case PP_CQL_OP_AUTHENTICATE:
        if (pp_cql_get_string(&r, &s, &n)) {
            rc = PP_EPROTO;
            break;
        }
        out->message = dup_n(s, n);
        break;
    case PP_CQL_OP_SUPPORTED: rc = pp_cql_skip_string_multimap(&r); break;
    case PP_CQL_OP_EVENT: rc = pp_cql_get_string(&r, &s, &n); break;
    case PP_CQL_OP_AUTH_CHALLENGE:
    case PP_CQL_OP_AUTH_SUCCESS: rc = decode_token(&r, out); break;
    case PP_CQL_OP_RESULT: {
        char why[160];
        rc = pp_cql_result_decode(body + r.pos, len - r.pos, &out->result, why, sizeof why);
        if (rc) {
            pp_errf(err, errlen, "%s", why);
            pp_cql_response_clear(out);
            return rc;
        }
        break;
    }
    default:
        pp_errf(err, errlen, "unexpected opcode 0x%02x in a response", h->opcode);
        pp_cql_response_clear(out);
        return PP_EPROTO;
    }
done:
    if (rc) {
        if (rc == PP_ENOMEM)
            pp_errf(err, errlen, "out of memory decoding a %s frame", opcode_name(h->opcode));
        else
            pp_errf(err, errlen, "malformed %s frame (%zu-byte body)", opcode_name(h->opcode), len);
        pp_cql_response_clear(out);
    }
    return rc;
}

int pp_cql_frame_decode(const uint8_t *buf, size_t len, size_t max_body, pp_cql_response *out, char *err,
                        size_t errlen) {
    pp_cql_header h;
    memset(out, 0, sizeof *out);
    int rc = pp_cql_header_decode(buf, len, PP_CQL_V4_RESPONSE, max_body, &h, err, errlen);
    if (rc) return rc;
    if (len - PP_CQL_HEADER_LEN < h.length) {
        pp_errf(err, errlen, "truncated frame: body of %u bytes, %zu present", h.length, len - PP_CQL_HEADER_LEN);
        return PP_EPROTO;
    }
    return pp_cql_response_decode(&h, buf + PP_CQL_HEADER_LEN, h.length, out, err, errlen);
}

const char *pp_cql_error_name(int32_t code) {
    switch (code) {
    case 0x0000: return "Server error";
    case 0x000A: return "Protocol error";
    case 0x0100: return "Bad credentials";
    case 0x1000: return "Unavailable";
    case 0x1001: return "Overloaded";
    case 0x1002: return "Is bootstrapping";
    case 0x1003: return "Truncate error";
    case 0x1100: return "Write timeout";
    case 0x1200: return "Read timeout";
    case 0x1300: return "Read failure";
    case 0x1400: return "Function failure";
    case 0x1500: return "Write failure";
    case 0x2000: return "Syntax error";
    case 0x2100: return "Unauthorized";
    case 0x2200: return "Invalid";
    case 0x2300: return "Config error";
    case 0x2400: return "Already exists";
    case 0x2500: return "Unprepared";
    default: return "Unknown";
    }
}

void pp_cql_error_format(int32_t code, const char *message, char *err, size_t errlen) {
    pp_errf(err, errlen, "code 0x%04x %s: %s", (unsigned)code, pp_cql_error_name(code), message ? message : "");
}
