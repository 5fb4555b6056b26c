#include "s3/s3_sign.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/error.h"
#include "common/mem.h"

static void to_hex(const unsigned char *md, char out[S3_SHA256_HEX_LEN + 1]) {
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[S3_SHA256_HEX_LEN] = '\0';
}

int s3_sha256_hex(const void *data, size_t n, char out[S3_SHA256_HEX_LEN + 1]) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!EVP_Digest(n ? data : "", n, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) return PP_ENOMEM;
    to_hex(md, out);
    return PP_OK;
}

int s3_sha256_stream_hex(FILE *f, long long n, char out[S3_SHA256_HEX_LEN + 1], char *err, size_t errlen) {
    enum { CHUNK = 64 * 1024 };
    int rc = PP_ENOMEM;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    long long left = n;
    unsigned char *chunk = pp_xmalloc(CHUNK);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
        pp_errf(err, errlen, "sha256: out of memory");
        goto done;
    }
    while (n < 0 || left > 0) {
        size_t want = (n < 0 || left > CHUNK) ? CHUNK : (size_t)left;
        size_t got = fread(chunk, 1, want, f);
        if (got && !EVP_DigestUpdate(ctx, chunk, got)) {
            pp_errf(err, errlen, "sha256: digest update failed");
            goto done;
        }
        left -= (long long)got;
        if (got < want) break;
    }
    if (ferror(f)) {
        rc = PP_EIO;
        pp_errf(err, errlen, "sha256: read error: %s", strerror(errno));
        goto done;
    }
    if (n >= 0 && left > 0) {
        rc = PP_EIO;
        pp_errf(err, errlen, "sha256: stream ended %lld bytes early", left);
        goto done;
    }
    if (!EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != 32) {
        pp_errf(err, errlen, "sha256: digest failed");
        goto done;
    }
    to_hex(md, out);
    rc = PP_OK;
done:
    EVP_MD_CTX_free(ctx);
    free(chunk);
    return rc;
}

static int unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~';
}

void s3_uri_encode(pp_strbuf *out, const char *s, size_t n, int keep_slash) {
    static const char hex[] = "0123456789ABCDEF";
    pp_sb_append(out, "", 0); /* allocates and terminates, even for n == 0 */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved(c) || (keep_slash && c == '/')) {
            pp_sb_putc(out, s[i]);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            pp_sb_append(out, esc, 3);
        }
    }
}

typedef struct {
    char *name;
    char *value;
} enc_pair;

static int cmp_pair(const void *a, const void *b) {
    const enc_pair *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->value, y->value);
}

static char *encode_dup(const char *s) {
    pp_strbuf b;
    pp_sb_init(&b);
    pp_sb_append(&b, "", 0); /* "" stays a string, not NULL */
    s3_uri_encode(&b, s, strlen(s), 0);
    return pp_sb_steal(&b);
}

int s3_canonical_query(pp_strbuf *out, const s3_query_param *params, size_t n) {
    size_t used = 0;
    enc_pair *pairs = pp_xcalloc(n ? n : 1, sizeof *pairs);
    for (size_t i = 0; i < n; i++) {
        if (!params[i].name) continue;
        pairs[used].name = encode_dup(params[i].name);
        pairs[used].value = encode_dup(params[i].value ? params[i].value : "");
        used++;
    }
    qsort(pairs, used, sizeof *pairs, cmp_pair);
    for (size_t i = 0; i < used; i++) pp_sb_printf(out, "%s%s=%s", i ? "&" : "", pairs[i].name, pairs[i].value);
    for (size_t i = 0; i < used; i++) {
        free(pairs[i].name);
        free(pairs[i].value);
    }
    free(pairs);
    return PP_OK;
}
