#include "api/api_http.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "common/error.h"

static int is_ows(char c) { return c == ' ' || c == '\t'; }

/* RFC 9110 token characters. */
static int is_tchar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return 1;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Reads a token at *p; returns its length (0 if none) and advances *p. */
static size_t token(const char **p) {
    const char *s = *p;
    while (is_tchar(**p)) (*p)++;
    return (size_t)(*p - s);
}

static int ieq(const char *s, size_t n, const char *lit) { return strlen(lit) == n && strncasecmp(s, lit, n) == 0; }

int pp_api_content_type_is_json(const char *v) {
    if (!v) return 1;
    const char *p = v;
    while (is_ows(*p)) p++;
    const char *type = p;
    size_t tn = token(&p);
    if (tn == 0 || *p != '/') return 0;
    p++;
    const char *sub = p;
    size_t sn = token(&p);
    if (sn == 0 || !ieq(type, tn, "application")) return 0;
    if (!ieq(sub, sn, "json") && !(sn > 5 && ieq(sub + sn - 5, 5, "+json"))) return 0;
    for (;;) { /* parameters: *( OWS ";" OWS [ name "=" value ] ) */
        while (is_ows(*p)) p++;
        if (*p == '\0') return 1;
        if (*p != ';') return 0;
        p++;
        while (is_ows(*p)) p++;
        if (*p == '\0' || *p == ';') continue;
        const char *name = p;
        size_t nn = token(&p);
        if (nn == 0 || *p != '=') return 0;
        p++;
        char val[32];
        size_t vn = 0;
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1]) p++;
                if (vn < sizeof val - 1) val[vn++] = *p;
            }
            if (*p != '"') return 0;
            p++;
        } else {
            const char *s = p;
            size_t len = token(&p);
            if (len == 0) return 0;
            vn = len < sizeof val - 1 ? len : sizeof val - 1;
            memcpy(val, s, vn);
        }
        val[vn] = '\0';
        if (ieq(name, nn, "charset") && strcasecmp(val, "utf-8") != 0 && strcasecmp(val, "utf8") != 0) return 0;
    }
}

int pp_api_parse_content_length(const char *v, uint64_t *out) {
    if (!v) return PP_EINVAL;
    while (is_ows(*v)) v++;
    if (*v < '0' || *v > '9') return PP_EINVAL;
    uint64_t acc = 0;
    for (; *v >= '0' && *v <= '9'; v++) {
        if (acc > (UINT64_C(1) << 63) / 10) return PP_EINVAL;
        acc = acc * 10 + (uint64_t)(*v - '0');
        if (acc > (UINT64_C(1) << 63) - 1) return PP_EINVAL;
    }
    while (is_ows(*v)) v++;
    if (*v) return PP_EINVAL;
    *out = acc;
    return PP_OK;
}

/* Compares two Content-Length values: the numbers
 * when both parse, else the trimmed text. */
static int same_length(const char *a, const char *b) {
    uint64_t x, y;
    if (pp_api_parse_content_length(a, &x) == PP_OK && pp_api_parse_content_length(b, &y) == PP_OK) return x == y;
    while (is_ows(*a)) a++;
    while (is_ows(*b)) b++;
    size_t na = strlen(a), nb = strlen(b);
    while (na > 0 && is_ows(a[na - 1])) na--;
    while (nb > 0 && is_ows(b[nb - 1])) nb--;
    return na == nb && strncmp(a, b, na) == 0;
}

static int is_chunked(const char *v) {
    while (is_ows(*v)) v++;
    size_t n = strlen(v);
    while (n > 0 && is_ows(v[n - 1])) n--;
    return n == 7 && strncasecmp(v, "chunked", 7) == 0;
}

const char *pp_api_framing_problem(const pp_api_header *h, size_t n) {
    const char *cl = NULL;
    size_t n_te = 0, n_ct = 0, n_cl = 0;
    int te_ok = 1;
    for (size_t i = 0; i < n; i++) {
        if (!h[i].name || !h[i].value) continue;
        if (!strcasecmp(h[i].name, "Content-Length")) {
            if (cl && !same_length(cl, h[i].value)) return "two different Content-Length headers";
            cl = h[i].value;
            n_cl++;
        } else if (!strcasecmp(h[i].name, "Transfer-Encoding")) {
            n_te++;
            if (!is_chunked(h[i].value)) te_ok = 0;
        } else if (!strcasecmp(h[i].name, "Content-Type")) {
            n_ct++;
        }
    }
    if (n_cl > 0 && n_te > 0) return "Content-Length together with Transfer-Encoding";
    if (n_te > 1) return "more than one Transfer-Encoding header";
    if (!te_ok) return "a Transfer-Encoding other than chunked";
    if (n_ct > 1) return "two Content-Type headers";
    return NULL;
}
