/* s3_config — settings of an S3 client: defaults < environment < the caller.
 *
 *   s3_config c;
 *   s3_config_defaults(&c);   // built-in defaults (below)
 *   s3_config_from_env(&c);   // PINPIPE_S3_* overlay whatever is set and non-empty
 *   c.bucket = flag_bucket;   // then the caller's own overrides (flags)
 *
 * The struct does not own its strings: they point at literals, getenv() values or the
 * caller's storage and must stay valid until s3_client_create, which copies them.
 *
 * Environment (defaults in brackets):
 *   PINPIPE_S3_ENDPOINT   [http://127.0.0.1:19000]  scheme://host[:port], path-style
 *   PINPIPE_S3_REGION     [us-east-1]
 *   PINPIPE_S3_ACCESS_KEY, PINPIPE_S3_SECRET_KEY     [none; required]
 *   PINPIPE_S3_BUCKET     [none]
 *   PINPIPE_S3_MAX_ATTEMPTS     [5]      tries per request, 1 = no retry
 *   PINPIPE_S3_RETRY_BASE_MS    [100]    first back-off (doubles per retry, jittered)
 *   PINPIPE_S3_RETRY_MAX_MS     [5000]   cap of one back-off
 *   PINPIPE_S3_RETRY_BUDGET_MS  [30000]  no retry starts later than this after the first try
 *   PINPIPE_S3_CONNECT_TIMEOUT_MS [5000]
 *   PINPIPE_S3_STALL_TIMEOUT_S  [30]     abort a transfer that moves no byte for this long
 *   PINPIPE_S3_SIGN_STREAMS     [0]      1: hash streamed uploads from seekable files
 *                                        (an extra read pass) instead of UNSIGNED-PAYLOAD
 */
#ifndef PINPIPE_S3_CONFIG_H
#define PINPIPE_S3_CONFIG_H

#define S3_DEFAULT_ENDPOINT "http://127.0.0.1:19000"
#define S3_DEFAULT_REGION "us-east-1"

typedef struct {
    const char *endpoint;
    const char *region;
    const char *access_key;
    const char *secret_key;
    const char *bucket;
    int max_attempts;
    long retry_base_ms;
    long retry_max_ms;
    long retry_budget_ms;
    long connect_timeout_ms;
    long stall_timeout_s;
    int sign_streams;
    /* Tests only: when set, sent as the x-amz-date header so curl signs with this
     * fixed time ("YYYYMMDDTHHMMSSZ") instead of the clock. NULL in production. */
    const char *fixed_amz_date;
} s3_config;

void s3_config_defaults(s3_config *c);
void s3_config_from_env(s3_config *c);

#endif
