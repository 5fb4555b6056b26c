#include "s3/s3_transport.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <time.h>

#include <curl/curl.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"
#include "common/mem.h"

#define ERR_BODY_MAX (64 * 1024) /* an S3 <Error> is a few hundred bytes */

struct s3_transport {
    CURL *curl;
    char *endpoint; /* without a trailing '/' */
    char *access_key;
    char *secret_key;
    char *sigv4; /* "aws:amz:REGION:s3" */
    char *fixed_amz_date;
    int max_attempts;
    long retry_base_ms, retry_max_ms, retry_budget_ms;
    long connect_timeout_ms, stall_timeout_s;
    int sign_streams;
    uint64_t rng;
};

/* State of one attempt, shared with the curl callbacks. */
typedef struct {
    s3_transport *t;
    s3_request *r;
    size_t body_pos;     /* memory body: bytes handed to curl */
    long long file_sent; /* file body: bytes handed to curl */
    off_t file_start;    /* file body: where it starts; -1 if not seekable */
    int read_failed;     /* the file body could not be read (errno in read_errno) */
    int read_errno;
    long long sink_bytes; /* response bytes handed to the sink */
    int sink_rc;          /* the sink's error, 0 if none */
    int collect_overflow;
    pp_strbuf err_body;
    char reason[96]; /* reason phrase of the last status line */
    char curl_err[CURL_ERROR_SIZE];
} xfer;

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_OK;

static void global_init(void) { global_rc = curl_global_init(CURL_GLOBAL_DEFAULT); }

static uint64_t next_rand(s3_transport *t) {
    uint64_t x = t->rng; /* xorshift64 */
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return t->rng = x;
}

static char *dup_or_null(const char *s) { return s ? pp_xstrdup(s) : NULL; }

int s3_transport_create(const s3_config *cfg, s3_transport **out, char *err, size_t errlen) {
    int rc = PP_ENOMEM;
    s3_transport *t = NULL;
    *out = NULL;
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK) {
        pp_errf(err, errlen, "curl_global_init: %s", curl_easy_strerror(global_rc));
        return PP_EIO;
    }
    const char *ep = cfg->endpoint;
    if (!ep || (strncmp(ep, "http://", 7) && strncmp(ep, "https://", 8))) {
        pp_errf(err, errlen, "S3 endpoint '%s' must start with http:// or https://", ep ? ep : "");
        return PP_EINVAL;
    }
    if (!cfg->region || !*cfg->region || strchr(cfg->region, ':')) {
        pp_errf(err, errlen, "S3 region '%s' is empty or invalid", cfg->region ? cfg->region : "");
        return PP_EINVAL;
    }
    if (!cfg->access_key || !*cfg->access_key || !cfg->secret_key || !*cfg->secret_key) {
        pp_errf(err, errlen,
                "S3 credentials missing: set PINPIPE_S3_ACCESS_KEY and "
                "PINPIPE_S3_SECRET_KEY (or --access-key/--secret-key-file)");
        return PP_EINVAL;
    }
    t = pp_xcalloc(1, sizeof *t);
    t->endpoint = pp_xstrdup(ep);
    t->access_key = pp_xstrdup(cfg->access_key);
    t->secret_key = pp_xstrdup(cfg->secret_key);
    t->fixed_amz_date = dup_or_null(cfg->fixed_amz_date);
    size_t sl = strlen(cfg->region) + 16;
    t->sigv4 = pp_xmalloc(sl);
    t->curl = curl_easy_init();
    if (!t->curl) goto fail; /* curl's own allocation */
    snprintf(t->sigv4, sl, "aws:amz:%s:s3", cfg->region);
    size_t el = strlen(t->endpoint);
    while (el > 0 && t->endpoint[el - 1] == '/') t->endpoint[--el] = '\0';
    t->max_attempts = cfg->max_attempts < 1 ? 1 : cfg->max_attempts;
    t->retry_base_ms = cfg->retry_base_ms < 1 ? 1 : cfg->retry_base_ms;
    t->retry_max_ms = cfg->retry_max_ms < t->retry_base_ms ? t->retry_base_ms : cfg->retry_max_ms;
    t->retry_budget_ms = cfg->retry_budget_ms < 0 ? 0 : cfg->retry_budget_ms;
    t->connect_timeout_ms = cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : 5000;
    t->stall_timeout_s = cfg->stall_timeout_s > 0 ? cfg->stall_timeout_s : 30;
    t->sign_streams = cfg->sign_streams;
    t->rng = ((uint64_t)pp_wall_us() << 20) ^ (uint64_t)pp_mono_ns() ^ (uint64_t)(uintptr_t)t; /* jitter seed */
    if (!t->rng) t->rng = 0x9e3779b97f4a7c15ULL;
    *out = t;
    return PP_OK;
fail:
    pp_errf(err, errlen, "S3 client: out of memory");
    s3_transport_destroy(t);
    return rc;
}

void s3_transport_destroy(s3_transport *t) {
    if (!t) return;
    if (t->curl) curl_easy_cleanup(t->curl);
    if (t->secret_key) memset(t->secret_key, 0, strlen(t->secret_key));
    free(t->endpoint);
    free(t->access_key);
    free(t->secret_key);
    free(t->sigv4);
    free(t->fixed_amz_date);
    free(t);
}

/* ---- curl callbacks ---- */

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud) {
    xfer *x = ud;
    s3_request *r = x->r;
    size_t n = size * nmemb;
    long code = 0;
    curl_easy_getinfo(x->t->curl, CURLINFO_RESPONSE_CODE, &code);
    if (code >= 200 && code < 300) {
        if (r->sink) {
            int rc = n ? r->sink(r->sink_ud, p, n) : 0;
            if (rc) {
                x->sink_rc = rc < 0 ? rc : PP_EIO;
                return 0;
            }
            x->sink_bytes += (long long)n;
        } else if (r->collect) {
            if (r->collect->len + n > r->collect_max) {
                x->collect_overflow = 1;
                return 0;
            }
            pp_sb_append(r->collect, p, n);
        }
        return n;
    }
    size_t room = ERR_BODY_MAX - x->err_body.len;
    if (room) pp_sb_append(&x->err_body, p, n < room ? n : room);
    return n;
}

static void copy_header_value(char *dst, size_t cap, const char *v, size_t n) {
    while (n && (*v == ' ' || *v == '\t')) v++, n--;
    while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' ')) n--;
    snprintf(dst, cap, "%.*s", (int)(n < cap ? n : cap - 1), v);
}

static int header_is(const char *line, size_t n, const char *name, const char **value) {
    size_t l = strlen(name);
    if (n <= l || line[l] != ':' || strncasecmp(line, name, l)) return 0;
    *value = line + l + 1;
    return 1;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *ud) {
    xfer *x = ud;
    size_t n = size * nmemb;
    s3_object_meta *m = x->r->meta;
    const char *v = NULL;
    if (n > 5 && !strncmp(line, "HTTP/", 5)) { /* a new response (after 100 Continue too) */
        const char *sp = memchr(line, ' ', n);
        const char *sp2 = sp ? memchr(sp + 1, ' ', n - (size_t)(sp + 1 - line)) : NULL;
        x->reason[0] = '\0';
        if (sp2) copy_header_value(x->reason, sizeof x->reason, sp2 + 1, n - (size_t)(sp2 + 1 - line));
        if (m) {
            memset(m, 0, sizeof *m);
            m->size = -1;
        }
        return n;
    }
    if (!m) return n;
    char tmp[64];
    if (header_is(line, n, "content-length", &v)) {
        copy_header_value(tmp, sizeof tmp, v, n - (size_t)(v - line));
        char *end = NULL;
        long long len = strtoll(tmp, &end, 10);
        if (end != tmp && *end == '\0' && len >= 0) m->size = len;
    } else if (header_is(line, n, "etag", &v)) {
        copy_header_value(m->etag, sizeof m->etag, v, n - (size_t)(v - line));
    } else if (header_is(line, n, "last-modified", &v)) {
        copy_header_value(m->last_modified, sizeof m->last_modified, v, n - (size_t)(v - line));
    } else if (header_is(line, n, "content-type", &v)) {
        copy_header_value(m->content_type, sizeof m->content_type, v, n - (size_t)(v - line));
    }
    return n;
}

static size_t on_read(char *p, size_t size, size_t nmemb, void *ud) {
    xfer *x = ud;
    s3_request *r = x->r;
    size_t cap = size * nmemb;
    if (r->body_file) {
        long long left = r->body_file_size - x->file_sent;
        size_t want = left < (long long)cap ? (size_t)left : cap;
        if (!want) return 0;
        size_t got = fread(p, 1, want, r->body_file);
        if (got == 0) { /* read error, or the file is shorter than announced */
            x->read_failed = 1;
            x->read_errno = ferror(r->body_file) ? errno : 0;
            return CURL_READFUNC_ABORT;
        }
        x->file_sent += (long long)got;
        return got;
    }
    size_t left = r->body_len - x->body_pos;
    size_t n = left < cap ? left : cap;
    if (n) memcpy(p, (const char *)r->body + x->body_pos, n);
    x->body_pos += n;
    return n;
}

/* curl asks to rewind the upload (it may, e.g. on a redirect or a re-sent request). */
static int on_seek(void *ud, curl_off_t offset, int origin) {
    xfer *x = ud;
    s3_request *r = x->r;
    if (origin != SEEK_SET || offset < 0) return CURL_SEEKFUNC_CANTSEEK;
    if (r->body_file) {
        if (x->file_start < 0 || offset > r->body_file_size) return CURL_SEEKFUNC_CANTSEEK;
        if (fseeko(r->body_file, x->file_start + (off_t)offset, SEEK_SET)) return CURL_SEEKFUNC_FAIL;
        x->file_sent = offset;
        return CURL_SEEKFUNC_OK;
    }
    if ((size_t)offset > r->body_len) return CURL_SEEKFUNC_FAIL;
    x->body_pos = (size_t)offset;
    return CURL_SEEKFUNC_OK;
}

/* CURLOPT_DEBUGFUNCTION: curl's own messages and the headers, into the one logger,
 * with the Authorization header's signature left out. */
static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *ud) {
    (void)h;
    (void)ud;
    const char *dir = type == CURLINFO_HEADER_OUT ? "> " : type == CURLINFO_HEADER_IN ? "< " : "* ";
    if (type != CURLINFO_TEXT && type != CURLINFO_HEADER_IN && type != CURLINFO_HEADER_OUT) return 0;
    while (size > 0) {
        const char *nl = memchr(data, '\n', size);
        size_t len = nl ? (size_t)(nl - data) : size;
        size_t shown = len && data[len - 1] == '\r' ? len - 1 : len;
        if (shown) {
            if (shown > 14 && !strncasecmp(data, "authorization:", 14))
                PP_DEBUG("s3", "%sAuthorization: (redacted)", dir);
            else
                PP_DEBUG("s3", "%s%.*s", dir, (int)shown, data);
        }
        if (!nl) break;
        size -= len + 1;
        data += len + 1;
    }
    return 0;
}

/* ---- one request ---- */

static void build_url(const s3_transport *t, const s3_request *r, pp_strbuf *url) {
    pp_sb_puts(url, t->endpoint);
    pp_sb_putc(url, '/');
    s3_uri_encode(url, r->bucket, strlen(r->bucket), 0);
    if (r->key) {
        pp_sb_putc(url, '/');
        s3_uri_encode(url, r->key, strlen(r->key), 1);
    }
    if (r->n_query) {
        pp_sb_putc(url, '?');
        s3_canonical_query(url, r->query, r->n_query);
    }
}

static int add_header(struct curl_slist **list, const char *name, const char *value) {
    char line[512];
    snprintf(line, sizeof line, "%s: %s", name, value);
    struct curl_slist *l = curl_slist_append(*list, line);
    if (!l) return PP_ENOMEM;
    *list = l;
    return PP_OK;
}

static int retryable_curl(CURLcode cc) {
    switch (cc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_WEIRD_SERVER_REPLY: return 1;
    default: return 0;
    }
}

static int retryable_http(long status, const s3_error_info *e) {
    return status >= 500 || status == 429 || !strcmp(e->code, "RequestTimeout") || !strcmp(e->code, "SlowDown");
}

static void setup(xfer *x, s3_transport *t, s3_request *r, const char *url, struct curl_slist *headers) {
    CURL *c = t->curl;
    curl_easy_reset(c); /* keeps the connection cache */
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L); /* keys like "a/../b" are literal */
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, t->sigv4);
    /* = CURLOPT_USERPWD "key:secret", without splitting a key that holds a ':' */
    curl_easy_setopt(c, CURLOPT_USERNAME, t->access_key);
    curl_easy_setopt(c, CURLOPT_PASSWORD, t->secret_key);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, t->connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, t->stall_timeout_s);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->curl_err);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
    if (!strcmp(r->method, "HEAD")) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (!strcmp(r->method, "PUT")) {
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, x);
        curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, on_seek);
        curl_easy_setopt(c, CURLOPT_SEEKDATA, x);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
                         (curl_off_t)(r->body_file ? r->body_file_size : (long long)r->body_len));
    } else if (strcmp(r->method, "GET")) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
    }
    if (pp_log_enabled(PP_LOG_DEBUG)) {
        curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
        curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
    }
}

/* Payload hash for x-amz-content-sha256: of the memory body, of the file body when
 * sign_streams is on and the file is seekable (one extra read pass), else
 * UNSIGNED-PAYLOAD (the body is then covered by TLS on https, not by the signature). */
static int payload_hash(s3_transport *t, s3_request *r, off_t file_start, char out[65], char *err, size_t errlen) {
    if (!r->body_file) return s3_sha256_hex(r->body, r->body_len, out);
    if (!t->sign_streams || file_start < 0) {
        snprintf(out, 65, "%s", S3_UNSIGNED_PAYLOAD);
        return PP_OK;
    }
    int rc = s3_sha256_stream_hex(r->body_file, r->body_file_size, out, err, errlen);
    if (!rc && fseeko(r->body_file, file_start, SEEK_SET)) {
        pp_errf(err, errlen, "rewinding the upload body: %s", strerror(errno));
        rc = PP_EIO;
    }
    return rc;
}

static void http_error(const xfer *x, const char *what, long status, char *err, size_t errlen) {
    const s3_error_info *e = &x->r->error;
    if (e->code[0])
        pp_errf(err, errlen, "S3 %s: %ld %s: %s", what, status, e->code, e->message);
    else
        pp_errf(err, errlen, "S3 %s: %ld %s", what, status, x->reason[0] ? x->reason : "(no reason)");
}

int s3_transport_run(s3_transport *t, s3_request *r, char *err, size_t errlen) {
    int rc = PP_ENOMEM;
    char what[512];
    char hash[65];
    pp_strbuf url;
    struct curl_slist *headers = NULL;
    xfer x = {.t = t, .r = r, .file_start = -1};
    pp_sb_init(&url);
    pp_sb_init(&x.err_body);
    r->status = 0;
    r->attempts = 0;
    memset(&r->error, 0, sizeof r->error);
    snprintf(what, sizeof what, "%s %s/%s", r->method, r->bucket ? r->bucket : "", r->key ? r->key : "");
    if (!r->bucket || !*r->bucket || (r->key && !*r->key)) {
        pp_errf(err, errlen, "S3 %s: %s", what, !r->bucket || !*r->bucket ? "no bucket given" : "empty key");
        return PP_EINVAL;
    }
    if (r->body_file) {
        if (r->body_file_size < 0) {
            pp_errf(err, errlen, "S3 %s: the body size must be known", what);
            return PP_EINVAL;
        }
        x.file_start = ftello(r->body_file);
        if (x.file_start >= 0 && fseeko(r->body_file, x.file_start, SEEK_SET)) x.file_start = -1;
    }
    if ((rc = payload_hash(t, r, x.file_start, hash, err, errlen))) goto done;
    build_url(t, r, &url);
    rc = PP_ENOMEM; /* curl_slist_append's own allocation */
    if (add_header(&headers, "x-amz-content-sha256", hash)) goto oom;
    if (r->content_type && add_header(&headers, "Content-Type", r->content_type)) goto oom;
    if (t->fixed_amz_date && add_header(&headers, "x-amz-date", t->fixed_amz_date)) goto oom;

    long long t0 = pp_mono_ms();
    for (;;) {
        r->attempts++;
        x.body_pos = 0;
        x.file_sent = 0;
        x.read_failed = 0;
        x.sink_rc = 0;
        x.collect_overflow = 0;
        x.reason[0] = '\0';
        x.curl_err[0] = '\0';
        pp_sb_reset(&x.err_body);
        if (r->collect) pp_sb_reset(r->collect);
        memset(&r->error, 0, sizeof r->error);
        if (r->meta) {
            memset(r->meta, 0, sizeof *r->meta);
            r->meta->size = -1;
        }
        setup(&x, t, r, url.data, headers);
        CURLcode cc = curl_easy_perform(t->curl);
        long status = 0;
        curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
        r->status = status;
        int retry = 0;
        if (x.sink_rc) {
            rc = x.sink_rc;
            pp_errf(err, errlen, "S3 %s: the receiver of the body failed: %s", what, pp_strerror(rc));
        } else if (x.collect_overflow) {
            rc = PP_EPROTO;
            pp_errf(err, errlen, "S3 %s: response body larger than %zu bytes", what, r->collect_max);
        } else if (x.read_failed) {
            rc = PP_EIO;
            pp_errf(err, errlen, "S3 %s: reading the upload body failed: %s", what,
                    x.read_errno ? strerror(x.read_errno) : "it ended before its announced size");
        } else if (status >= 300) {
            if (x.err_body.len) {
                char xerr[128];
                if (s3_xml_parse_error(x.err_body.data, x.err_body.len, &r->error, xerr, sizeof xerr))
                    PP_DEBUG("s3", "%s: error body is not S3 XML: %s", what, xerr);
            }
            /* 404 is "not found" unless the server says otherwise (versitygw answers an
             * unknown access key with 404 XAdminUserNotFound); a HEAD has no body to say */
            retry = retryable_http(status, &r->error);
            /* transient (5xx, 429, SlowDown, RequestTimeout) is PP_EIO: the caller may try
             * again later; any other status is permanent (common/error.h) */
            rc = status == 404 && (!r->error.code[0] || !strncmp(r->error.code, "NoSuch", 6)) ? PP_ENOTFOUND
                : retry                                                                       ? PP_EIO
                                                                                              : PP_ESERVER;
            http_error(&x, what, status, err, errlen);
        } else if (cc != CURLE_OK) {
            rc = cc == CURLE_OPERATION_TIMEDOUT ? PP_ETIMEOUT : PP_EIO;
            pp_errf(err, errlen, "S3 %s: %s", what, x.curl_err[0] ? x.curl_err : curl_easy_strerror(cc));
            retry = retryable_curl(cc);
        } else if (status >= 200) {
            rc = PP_OK;
        } else {
            rc = PP_EPROTO;
            pp_errf(err, errlen, "S3 %s: unexpected HTTP status %ld", what, status);
        }
        if (!retry) break;
        int replayable = x.sink_bytes == 0 && (!r->body_file || x.file_start >= 0);
        long shift = r->attempts - 1 < 20 ? r->attempts - 1 : 20;
        long d = t->retry_base_ms << shift;
        if (d > t->retry_max_ms || d <= 0) d = t->retry_max_ms;
        long delay = d / 2 + (long)(next_rand(t) % (uint64_t)(d / 2 + 1));
        if (!replayable || r->attempts >= t->max_attempts || pp_mono_ms() - t0 + delay >= t->retry_budget_ms) {
            if (r->attempts > 1) {
                size_t l = strlen(err ? err : "");
                if (err && l + 1 < errlen) snprintf(err + l, errlen - l, " (after %d attempts)", r->attempts);
            }
            break;
        }
        PP_WARN("s3", "%s; retry %d of %d in %ld ms", err ? err : what, r->attempts, t->max_attempts - 1, delay);
        pp_sleep_ms(delay);
        if (r->body_file && fseeko(r->body_file, x.file_start, SEEK_SET)) {
            rc = PP_EIO;
            pp_errf(err, errlen, "S3 %s: rewinding the upload body: %s", what, strerror(errno));
            break;
        }
    }
    goto done;
oom:
    pp_errf(err, errlen, "S3 %s: out of memory", what);
done:
    curl_slist_free_all(headers);
    pp_sb_free(&url);
    pp_sb_free(&x.err_body);
    return rc;
}
