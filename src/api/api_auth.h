/* api_auth — the optional bearer token of the ingest API.
 *
 * Off unless a token is configured (--auth-token / PINPIPE_API_TOKEN). When on, a
 * request must carry `Authorization: Bearer <token>` (scheme case-insensitive, as
 * RFC 6750 allows); otherwise the API answers 401 with `WWW-Authenticate: Bearer`.
 * The comparison takes the same time whatever the presented token is: both sides are
 * hashed with SHA-256 and the digests compared with CRYPTO_memcmp, so neither the
 * token's bytes nor its length leak through timing.
 *
 * Ownership: pp_api_auth is a plain value; init keeps only the token's digest.
 */
#ifndef PINPIPE_API_AUTH_H
#define PINPIPE_API_AUTH_H

#include <stddef.h>

typedef struct {
    int enabled;
    unsigned char digest[32]; /* SHA-256 of the token */
} pp_api_auth;

/* token NULL or "" turns authentication off. Returns 0, or PP_EINVAL if hashing
 * fails (it does not, short of a broken libcrypto). */
int pp_api_auth_init(pp_api_auth *a, const char *token);

/* 1 when the request may pass: auth is off, or `authorization` (the header's value,
 * may be NULL) is "Bearer <token>" with the right token. 0 otherwise. */
int pp_api_auth_check(const pp_api_auth *a, const char *authorization);

/* Constant-time equality of a[0..an) and b[0..bn) (via SHA-256 digests). */
int pp_api_ct_equal(const void *a, size_t an, const void *b, size_t bn);

#endif
