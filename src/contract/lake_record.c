#include "contract/lake_record.h"

#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "common/error.h"
#include "contract/message.h"

/* ---- writing ------------------------------------------------------------------- */

/* ,"kind":NAME — the kind the message says it is (contract/message.h); a header naming
 * no kind is written as it is (null when not UTF-8) so the reader reports the line. */
static void append_kind(pp_strbuf *out, const pp_kafka_message *m) {
    pp_kind k;
    pp_sb_puts(out, ",\"kind\":");
    if (pp_message_kind(m, &k) == 0) {
        pp_sb_json_cstr(out, pp_kind_name(k));
        return;
    }
    for (size_t i = 0; i < m->nheaders; i++) {
        const pp_kafka_header *h = &m->headers[i];
        if (strcmp(h->name, PP_HDR_KIND) != 0) continue;
        if (h->value && pp_utf8_valid(h->value, h->value_len))
            pp_sb_json_str(out, h->value, h->value_len);
        else
            pp_sb_puts(out, "null");
        return;
    }
    pp_sb_puts(out, "null");
}

void pp_lake_line_append(pp_strbuf *out, const pp_kafka_message *m, int64_t ingest_time_ms) {
    pp_sb_puts(out, "{\"topic\":");
    pp_sb_json_cstr(out, m->topic ? m->topic : "");
    append_kind(out, m);
    pp_sb_puts(out, ",\"partition\":");
    pp_sb_put_i64(out, m->partition);
    pp_sb_puts(out, ",\"offset\":");
    pp_sb_put_i64(out, m->offset);
    pp_sb_puts(out, ",\"ingest_time\":");
    if (ingest_time_ms >= 0)
        pp_sb_put_i64(out, ingest_time_ms);
    else
        pp_sb_puts(out, "null");
    if (m->key)
        pp_sb_json_bytes_member(out, "key", m->key, m->key_len);
    else
        pp_sb_puts(out, ",\"key\":null");
    pp_sb_json_bytes_member(out, "raw", m->value ? (const char *)m->value : "", m->value_len);
    pp_sb_puts(out, "}\n");
}

/* ---- reading ------------------------------------------------------------------- */

static int b64_value(unsigned char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

int pp_batch_base64_decode(const char *s, size_t n, pp_strbuf *out) {
    if (n % 4) return PP_EINVAL;
    pp_sb_reserve(out, n / 4 * 3);
    for (size_t i = 0; i < n; i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            unsigned char c = (unsigned char)s[i + k];
            if (c == '=' && i + 4 == n && k >= 2) {
                v[k] = 0;
                pad++;
            } else if (pad || (v[k] = b64_value(c)) < 0) {
                return PP_EINVAL; /* a bad character, or data after '=' */
            }
        }
        uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        char b[3] = {(char)(w >> 16), (char)(w >> 8 & 0xff), (char)(w & 0xff)};
        /* non-canonical padding (stray bits under '=') is not what the writer makes */
        if ((pad == 1 && (w & 0xff)) || (pad == 2 && (w & 0xffff))) return PP_EINVAL;
        pp_sb_append(out, b, (size_t)(3 - pad));
    }
    return PP_OK;
}

/* An integer member in [min, max]; 1 absent, 0 found, -1 wrong type or range. */
static int int_member(json_t *root, const char *name, json_int_t min, json_int_t max, json_int_t *out) {
    json_t *v = json_object_get(root, name);
    if (!v) return 1;
    if (!json_is_integer(v)) return -1;
    json_int_t i = json_integer_value(v);
    if (i < min || i > max) return -1;
    *out = i;
    return 0;
}

int pp_batch_line_parse_json(const char *line, size_t len, pp_batch_line *out, pp_strbuf *raw_buf, char *err,
                             size_t errlen) {
    json_error_t jerr;
    int rc = PP_EINVAL;
    memset(out, 0, sizeof *out);
    pp_sb_reset(raw_buf);
    json_t *root = json_loadb(line, len, JSON_ALLOW_NUL, &jerr);
    if (!root) {
        pp_errf(err, errlen, "not JSON: %s (column %d)", jerr.text, jerr.column);
        return PP_EINVAL;
    }
    if (!json_is_object(root)) {
        pp_errf(err, errlen, "not a JSON object");
        json_decref(root);
        return PP_EINVAL;
    }
    json_t *topic = json_object_get(root, "topic");
    json_t *raw = json_object_get(root, "raw");
    json_t *b64 = json_object_get(root, "raw_base64");
    json_t *ingest = json_object_get(root, "ingest_time");
    json_t *kind = json_object_get(root, "kind");
    pp_kind k = PP_KIND_PIN;
    json_int_t partition = 0, offset = 0, ingest_ms = -1;
    int r;
    if (!json_is_string(topic) || json_string_length(topic) == 0 || json_string_length(topic) >= sizeof out->topic ||
        memchr(json_string_value(topic), '\0', json_string_length(topic))) {
        pp_errf(err, errlen, "\"topic\" is missing or not a topic name");
    } else if ((r = int_member(root, "partition", 0, INT32_MAX, &partition)) != 0) {
        pp_errf(err, errlen, "\"partition\" is %s", r > 0 ? "missing" : "not an integer in 0..2147483647");
    } else if ((r = int_member(root, "offset", 0, INT64_MAX, &offset)) != 0) {
        pp_errf(err, errlen, "\"offset\" is %s", r > 0 ? "missing" : "not an integer >= 0");
    } else if (ingest && !json_is_null(ingest) && int_member(root, "ingest_time", 0, INT64_MAX, &ingest_ms) != 0) {
        pp_errf(err, errlen, "\"ingest_time\" is neither null nor an integer >= 0");
    } else if (kind &&
               (!json_is_string(kind) || pp_kind_parse(json_string_value(kind), json_string_length(kind), &k) != 0)) {
        pp_errf(err, errlen, "\"kind\" is not \"pin\", \"geo\" or \"user\"");
    } else if (!raw == !b64) {
        pp_errf(err, errlen, raw ? "both \"raw\" and \"raw_base64\"" : "neither \"raw\" nor \"raw_base64\"");
    } else if (raw && !json_is_string(raw)) {
        pp_errf(err, errlen, "\"raw\" is not a string");
    } else if (b64 &&
               (!json_is_string(b64) ||
                pp_batch_base64_decode(json_string_value(b64), json_string_length(b64), raw_buf) != PP_OK)) {
        pp_errf(err, errlen, "\"raw_base64\" is not base64");
    } else {
        if (raw) pp_sb_append(raw_buf, json_string_value(raw), json_string_length(raw));
        memcpy(out->topic, json_string_value(topic), json_string_length(topic));
        out->kind = k;
        out->partition = (int32_t)partition;
        out->offset = (int64_t)offset;
        out->ingest_time_ms = (int64_t)ingest_ms;
        out->raw = raw_buf->data ? raw_buf->data : "";
        out->raw_len = raw_buf->len;
        rc = PP_OK;
    }
    if (rc != PP_OK) pp_sb_reset(raw_buf);
    json_decref(root);
    return rc;
}

/* ---- the fast path ------------------------------------------------------------
 * Lake lines are flat objects of strings, integers and nulls. This scanner reads
 * exactly that subset of JSON (RFC 8259) and accepts a line only when it is sure
 * jansson would read it the same way; anything unusual — other value types, escaped
 * or repeated member names, raw_base64, a value that fails a check — is handed to
 * the jansson path, which also words the error. tests/unit/test_batch_line.c checks
 * that both agree. */

typedef struct {
    const char *p, *end;
} scan;

enum { FAST_OK = 0, FAST_NO = 1 };

static void skip_ws(scan *s) {
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')) s->p++;
}

static int hex4(const char *p, uint32_t *v) {
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0'
            : c >= 'a' && c <= 'f'   ? c - 'a' + 10
            : c >= 'A' && c <= 'F'   ? c - 'A' + 10
                                     : -1;
        if (d < 0) return -1;
        *v = *v << 4 | (uint32_t)d;
    }
    return 0;
}

static void put_utf8(pp_strbuf *b, uint32_t cp) {
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12);
        u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | cp >> 18);
        u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    pp_sb_append(b, u, n);
}

/* A string at s->p (the opening quote). Three uses: out != NULL decodes it into
 * out; name != NULL wants a member name without escapes and points *name, *n at
 * it; both NULL only checks it. */
static int scan_string(scan *s, pp_strbuf *out, const char **name, size_t *n) {
    static const char ESC[] = "\"\\/bfnrt", MAP[] = "\"\\/\b\f\n\r\t";
    if (s->p >= s->end || *s->p != '"') return FAST_NO;
    const char *p = ++s->p, *run = p;
    for (;;) {
        while (p < s->end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20) p++;
        if (p >= s->end || (unsigned char)*p < 0x20) return FAST_NO; /* unterminated, or a raw control char */
        if (*p == '"') break;
        if (name || p + 1 >= s->end) return FAST_NO; /* an escaped member name: leave it to jansson */
        if (out) pp_sb_append(out, run, (size_t)(p - run));
        const char *e = p[1] ? strchr(ESC, p[1]) : NULL;
        if (e) {
            if (out) pp_sb_putc(out, MAP[e - ESC]);
            p += 2;
        } else if (p[1] == 'u') {
            uint32_t cp, lo;
            if (s->end - p < 6 || hex4(p + 2, &cp)) return FAST_NO;
            p += 6;
            if (cp >= 0xDC00 && cp <= 0xDFFF) return FAST_NO; /* a lone low surrogate */
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (s->end - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                    return FAST_NO;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            }
            if (out) put_utf8(out, cp);
        } else {
            return FAST_NO;
        }
        run = p;
    }
    if (out) pp_sb_append(out, run, (size_t)(p - run));
    if (name) {
        *name = s->p;
        *n = (size_t)(p - s->p);
    }
    s->p = p + 1;
    return FAST_OK;
}

/* An integer (no fraction, no exponent) that fits int64. */
static int scan_int(scan *s, int64_t *v) {
    const char *p = s->p;
    int neg = p < s->end && *p == '-';
    if (neg) p++;
    if (p >= s->end || *p < '0' || *p > '9' || (*p == '0' && p + 1 < s->end && p[1] >= '0' && p[1] <= '9'))
        return FAST_NO;
    uint64_t x = 0;
    for (; p < s->end && *p >= '0' && *p <= '9'; p++) {
        if (x > (UINT64_MAX - 9) / 10) return FAST_NO;
        x = x * 10 + (uint64_t)(*p - '0');
    }
    if (p < s->end && (*p == '.' || *p == 'e' || *p == 'E')) return FAST_NO;
    if (x > (uint64_t)INT64_MAX + (neg ? 1 : 0)) return FAST_NO;
    *v = neg ? (int64_t)(0 - x) : (int64_t)x;
    s->p = p;
    return FAST_OK;
}

static int scan_null(scan *s) {
    if (s->end - s->p < 4 || memcmp(s->p, "null", 4) != 0) return FAST_NO;
    s->p += 4;
    return FAST_OK;
}

enum { M_TOPIC, M_PARTITION, M_OFFSET, M_INGEST, M_RAW, M_KIND, M_OTHER };

static int member_of(const char *k, size_t n) {
    static const char *const NAMES[] = {"topic", "partition", "offset", "ingest_time", "raw", "kind"};
    for (int i = 0; i < M_OTHER; i++)
        if (strlen(NAMES[i]) == n && memcmp(NAMES[i], k, n) == 0) return i;
    if (n == 10 && memcmp(k, "raw_base64", 10) == 0) return -1; /* jansson's job */
    return M_OTHER;
}

static int fast_parse(const char *line, size_t len, pp_batch_line *out, pp_strbuf *raw_buf) {
    scan s = {line, line + len};
    int seen = 0, ingest_null = 0;
    const char *topic = NULL, *kind = NULL;
    size_t topic_len = 0, kind_len = 0;
    int64_t partition = -1, offset = -1, ingest = -1, ignored;
    if (!pp_utf8_valid(line, len)) return FAST_NO;
    skip_ws(&s);
    if (s.p >= s.end || *s.p++ != '{') return FAST_NO;
    for (;;) {
        const char *k;
        size_t kn;
        skip_ws(&s);
        if (scan_string(&s, NULL, &k, &kn)) return FAST_NO;
        int m = member_of(k, kn);
        if (m < 0 || (m != M_OTHER && (seen & 1 << m))) return FAST_NO;
        if (m != M_OTHER) seen |= 1 << m;
        skip_ws(&s);
        if (s.p >= s.end || *s.p++ != ':') return FAST_NO;
        skip_ws(&s);
        if (s.p >= s.end) return FAST_NO;
        int rc;
        switch (m) {
        case M_TOPIC: rc = scan_string(&s, NULL, &topic, &topic_len); break; /* escaped: jansson */
        case M_PARTITION: rc = scan_int(&s, &partition); break;
        case M_OFFSET: rc = scan_int(&s, &offset); break;
        case M_INGEST:
            ingest_null = *s.p == 'n';
            rc = ingest_null ? scan_null(&s) : scan_int(&s, &ingest);
            break;
        case M_RAW: rc = scan_string(&s, raw_buf, NULL, NULL); break;
        case M_KIND: rc = scan_string(&s, NULL, &kind, &kind_len); break; /* escaped: jansson */
        default:
            rc = *s.p == '"' ? scan_string(&s, NULL, NULL, NULL) : *s.p == 'n' ? scan_null(&s) : scan_int(&s, &ignored);
        }
        if (rc) return FAST_NO;
        skip_ws(&s);
        if (s.p >= s.end) return FAST_NO;
        if (*s.p == '}') break;
        if (*s.p++ != ',') return FAST_NO;
    }
    s.p++;
    skip_ws(&s);
    if (s.p != s.end) return FAST_NO;
    /* the checks of the jansson path; a line failing one goes there for its message */
    const int need = 1 << M_TOPIC | 1 << M_PARTITION | 1 << M_OFFSET | 1 << M_RAW;
    if ((seen & need) != need || topic_len == 0 || topic_len >= sizeof out->topic || partition < 0 ||
        partition > INT32_MAX || offset < 0 || (!ingest_null && (seen & 1 << M_INGEST) && ingest < 0))
        return FAST_NO;
    pp_kind k = PP_KIND_PIN;
    if (kind && pp_kind_parse(kind, kind_len, &k) != 0) return FAST_NO;
    out->kind = k;
    memcpy(out->topic, topic, topic_len);
    out->topic[topic_len] = '\0';
    out->partition = (int32_t)partition;
    out->offset = offset;
    out->ingest_time_ms = ingest_null ? -1 : ingest;
    out->raw = raw_buf->data ? raw_buf->data : "";
    out->raw_len = raw_buf->len;
    return FAST_OK;
}

int pp_batch_line_parse(const char *line, size_t len, pp_batch_line *out, pp_strbuf *raw_buf, char *err,
                        size_t errlen) {
    memset(out, 0, sizeof *out);
    pp_sb_reset(raw_buf);
    if (fast_parse(line, len, out, raw_buf) == FAST_OK) return PP_OK;
    memset(out, 0, sizeof *out);
    return pp_batch_line_parse_json(line, len, out, raw_buf, err, errlen);
}
