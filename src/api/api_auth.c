#include "api/api_auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>
#include <strings.h>

#include "common/error.h"

static int sha256(const void *data, size_t n, unsigned char out[32]) {
    unsigned int len = 0;
    if (EVP_Digest(data, n, out, &len, EVP_sha256(), NULL) != 1 || len != 32) return PP_EINVAL;
    return PP_OK;
}

int pp_api_auth_init(pp_api_auth *a, const char *token) {
    memset(a, 0, sizeof *a);
    if (!token || !*token) return PP_OK;
    if (sha256(token, strlen(token), a->digest) != PP_OK) return PP_EINVAL;
    a->enabled = 1;
    return PP_OK;
}

int pp_api_ct_equal(const void *a, size_t an, const void *b, size_t bn) {
    unsigned char da[32], db[32];
    if (sha256(a, an, da) != PP_OK || sha256(b, bn, db) != PP_OK) return 0;
    return CRYPTO_memcmp(da, db, sizeof da) == 0;
}

int pp_api_auth_check(const pp_api_auth *a, const char *authorization) {
    unsigned char d[32];
    if (!a->enabled) return 1;
    if (!authorization) return 0;
    const char *p = authorization;
    while (*p == ' ' || *p == '\t') p++;
    if (strncasecmp(p, "Bearer", 6) != 0 || (p[6] != ' ' && p[6] != '\t')) return 0;
    p += 6;
    while (*p == ' ' || *p == '\t') p++;
    size_t n = strlen(p);
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
    if (sha256(p, n, d) != PP_OK) return 0;
    return CRYPTO_memcmp(d, a->digest, sizeof d) == 0;
}
