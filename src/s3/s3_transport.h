/* s3_transport — one S3 HTTP exchange over libcurl: path-style URL, SigV4 signing by
 * curl (CURLOPT_AWS_SIGV4 "aws:amz:REGION:s3"), the x-amz-content-sha256 header, and
 * retries with exponential back-off and jitter. Internal to src/s3/; s3_client.h is
 * the public interface.
 *
 * What is retried: connection-level failures (refused, reset, timed out, nothing
 * received), HTTP 5xx, 429 and the S3 codes RequestTimeout / SlowDown; never another
 * 4xx. A request is only replayed when that is safe: its body is in memory or in a
 * seekable file (rewound to where it started), and no byte of a response body has
 * been handed to the caller's sink yet. Attempts are bounded by max_attempts, and no
 * retry starts once retry_budget_ms have passed since the first try. Back-off before
 * retry n (n = 1, 2, ...) is d/2 + random(0..d/2), d = min(retry_max_ms, base * 2^(n-1)).
 *
 * Thread-safety: a transport (and so an s3_client) owns one curl easy handle and its
 * connection cache and must be used by one thread at a time: create one per thread.
 * curl_global_init runs once (pthread_once) on the first create.
 *
 * Ownership: the transport copies every string of the config; s3_request fields point
 * at the caller's storage for the duration of s3_transport_run.
 */
#ifndef PINPIPE_S3_TRANSPORT_H
#define PINPIPE_S3_TRANSPORT_H

#include <stddef.h>
#include <stdio.h>

#include "common/strbuf.h"
#include "s3/s3_config.h"
#include "s3/s3_sign.h"
#include "s3/s3_xml.h"

/* Receives a 2xx response body in pieces. Return 0 to go on, or a negative PP_E* code
 * to stop the transfer (the request then fails with that code, not retried). */
typedef int (*s3_sink_fn)(void *ud, const void *data, size_t n);

/* What the response headers say about an object. */
typedef struct {
    long long size;         /* Content-Length, -1 when absent */
    char etag[128];         /* as sent, usually quoted */
    char last_modified[64]; /* HTTP date as sent */
    char content_type[128];
} s3_object_meta;

typedef struct {
    const char *method; /* "GET", "PUT", "HEAD" or "DELETE" */
    const char *bucket;
    const char *key; /* NULL: a bucket request */
    const s3_query_param *query;
    size_t n_query;
    const char *content_type; /* NULL: no Content-Type header */
    /* PUT body: `body`/`body_len` in memory, or `body_file_size` bytes of body_file
     * from its current position. Neither: an empty body. */
    const void *body;
    size_t body_len;
    FILE *body_file;
    long long body_file_size;
    /* 2xx response body: to sink, else appended to collect (at most collect_max
     * bytes, else PP_EPROTO), else dropped. */
    s3_sink_fn sink;
    void *sink_ud;
    pp_strbuf *collect;
    size_t collect_max;
    s3_object_meta *meta; /* optional: filled from the final response's headers */
    /* out */
    long status;         /* HTTP status of the last attempt, 0 if none arrived */
    s3_error_info error; /* the server's <Error>, when the last answer had one */
    int attempts;
} s3_request;

typedef struct s3_transport s3_transport;

int s3_transport_create(const s3_config *cfg, s3_transport **out, char *err, size_t errlen);
void s3_transport_destroy(s3_transport *t);

/* Runs r (with retries). 0 on a 2xx answer; PP_ENOTFOUND on a 404 without an error
 * code (HEAD) or with a NoSuch* code; PP_EIO (transient) when the last answer was
 * 5xx, 429, SlowDown or RequestTimeout; PP_ESERVER (permanent) on any other HTTP
 * error, err = "S3 PUT bucket/key: 403 SignatureDoesNotMatch: <message>";
 * PP_EIO / PP_ETIMEOUT when no answer came; the sink's code when it stopped. */
int s3_transport_run(s3_transport *t, s3_request *r, char *err, size_t errlen);

#endif
