#include "s3/s3_config.h"

#include <string.h>

#include "common/config.h"

void s3_config_defaults(s3_config *c) {
    memset(c, 0, sizeof *c);
    c->endpoint = S3_DEFAULT_ENDPOINT;
    c->region = S3_DEFAULT_REGION;
    c->max_attempts = 5;
    c->retry_base_ms = 100;
    c->retry_max_ms = 5000;
    c->retry_budget_ms = 30000;
    c->connect_timeout_ms = 5000;
    c->stall_timeout_s = 30;
    c->sign_streams = 0;
}

void s3_config_from_env(s3_config *c) {
    c->endpoint = pp_env_str("PINPIPE_S3_ENDPOINT", c->endpoint);
    c->region = pp_env_str("PINPIPE_S3_REGION", c->region);
    c->access_key = pp_env_str("PINPIPE_S3_ACCESS_KEY", c->access_key);
    c->secret_key = pp_env_str("PINPIPE_S3_SECRET_KEY", c->secret_key);
    c->bucket = pp_env_str("PINPIPE_S3_BUCKET", c->bucket);
    c->max_attempts = (int)pp_env_long("PINPIPE_S3_MAX_ATTEMPTS", c->max_attempts);
    c->retry_base_ms = pp_env_long("PINPIPE_S3_RETRY_BASE_MS", c->retry_base_ms);
    c->retry_max_ms = pp_env_long("PINPIPE_S3_RETRY_MAX_MS", c->retry_max_ms);
    c->retry_budget_ms = pp_env_long("PINPIPE_S3_RETRY_BUDGET_MS", c->retry_budget_ms);
    c->connect_timeout_ms = pp_env_long("PINPIPE_S3_CONNECT_TIMEOUT_MS", c->connect_timeout_ms);
    c->stall_timeout_s = pp_env_long("PINPIPE_S3_STALL_TIMEOUT_S", c->stall_timeout_s);
    c->sign_streams = pp_env_long("PINPIPE_S3_SIGN_STREAMS", c->sign_streams) != 0;
}
