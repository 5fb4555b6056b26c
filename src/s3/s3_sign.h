/* s3_sign — the parts of an AWS Signature V4 request that pinpipe computes itself.
 *
 * libcurl (CURLOPT_AWS_SIGV4) computes the signature, but it signs what it is given:
 *   - the URL path verbatim, so the object key must already be URI-encoded the SigV4
 *     way (s3_uri_encode with keep_slash = 1);
 *   - the query string verbatim (curl 7.88 does not sort it), so it must already be
 *     canonical: every name and value encoded, pairs sorted (s3_canonical_query);
 *   - as payload hash, the value of an `x-amz-content-sha256` header when the request
 *     carries one, else the SHA-256 of CURLOPT_POSTFIELDS (empty for uploads), so
 *     the header is always sent: s3_sha256_hex of the body, or S3_UNSIGNED_PAYLOAD.
 * Encoding rule (SigV4): bytes A-Z a-z 0-9 - . _ ~ stay; every other byte becomes
 * %XX with upper-case hex ('/' too, except in a path with keep_slash).
 * No state; everything here is thread-safe. Output is appended to a caller's strbuf.
 */
#ifndef PINPIPE_S3_SIGN_H
#define PINPIPE_S3_SIGN_H

#include <stddef.h>
#include <stdio.h>

#include "common/strbuf.h"

#define S3_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
#define S3_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define S3_SHA256_HEX_LEN 64

typedef struct {
    const char *name;
    const char *value; /* NULL is the same as "" */
} s3_query_param;

/* Lower-case hex SHA-256 of n bytes; out holds 65 bytes. 0 or PP_ENOMEM. */
int s3_sha256_hex(const void *data, size_t n, char out[S3_SHA256_HEX_LEN + 1]);

/* Hex SHA-256 of the next n bytes of f (n < 0: up to EOF), read from its current
 * position, which is left after them. 0, PP_EIO (read error, or EOF before n bytes)
 * or PP_ENOMEM; fills err. */
int s3_sha256_stream_hex(FILE *f, long long n, char out[S3_SHA256_HEX_LEN + 1], char *err, size_t errlen);

/* Appends the SigV4 URI-encoding of n bytes of s to out. */
void s3_uri_encode(pp_strbuf *out, const char *s, size_t n, int keep_slash);

/* Appends the canonical query string of n parameters to out: each name and value
 * encoded, "name=value" pairs sorted by encoded name (then value) in byte order,
 * joined with '&'. Parameters with a NULL name are skipped. Returns 0 (allocation
 * failure aborts, common/mem.h). */
int s3_canonical_query(pp_strbuf *out, const s3_query_param *params, size_t n);

#endif
