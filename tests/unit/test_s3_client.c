/* Specification of pinpipe's S3 client (src/s3/s3_client.c, s3_transport.c, s3_config.c)
 * against an in-process HTTP listener with scripted answers (no services):
 * what goes on the wire (path-style URL, encoded key, canonical query, payload hash,
 * a signature an independent SigV4 implementation agrees with), how answers are read
 * (streamed bodies, metadata, S3 error documents), and the retry policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/error.h"
#include "s3/s3_client.h"
#include "s3_test_support.h"

#define KEY_ID "AKIDTEST"
#define SECRET "test/secret+key"
#define DATE "20240102T030405Z"

static const char SIG_MISMATCH_XML[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SignatureDoesNotMatch</Code>"
    "<Message>The request signature we calculated does not match the signature you provided.</Message>"
    "<RequestId>R1</RequestId></Error>";

typedef struct {
    fake_server srv;
    s3_client *c;
    char err[1024];
} fixture;

/* A client for the listener; retries fast (1 ms base) so tests do not wait. */
static void start(fixture *f, const fake_response *script, size_t n, void (*tweak)(s3_config *)) {
    int port = fake_server_start(&f->srv, script, n);
    assert_true(port > 0);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d/", port); /* trailing '/' is dropped */
    s3_config cfg;
    s3_config_defaults(&cfg);
    cfg.endpoint = endpoint;
    cfg.access_key = KEY_ID;
    cfg.secret_key = SECRET;
    cfg.bucket = "bkt";
    cfg.fixed_amz_date = DATE;
    cfg.retry_base_ms = 1;
    cfg.retry_max_ms = 4;
    if (tweak) tweak(&cfg);
    f->err[0] = '\0';
    assert_int_equal(s3_client_create(&cfg, &f->c, f->err, sizeof f->err), PP_OK);
}

static void stop(fixture *f) {
    s3_client_destroy(f->c);
    fake_server_stop(&f->srv);
}

static const char *request_line(const fake_request *r, char *out, size_t cap) {
    const char *e = strstr(r->head, "\r\n");
    snprintf(out, cap, "%.*s", (int)(e - r->head), r->head);
    return out;
}

/* Asserts the request's Authorization is what the independent signer computes from
 * the request as received (the path and query on the request line, the headers). */
static void assert_signed(const fake_request *r, const char *method, const char *path, const char *query) {
    char host[128], sha[128], date[64], auth[1024], ctype[128];
    fake_header(r->head, "host", host, sizeof host);
    fake_header(r->head, "x-amz-content-sha256", sha, sizeof sha);
    fake_header(r->head, "x-amz-date", date, sizeof date);
    fake_header(r->head, "authorization", auth, sizeof auth);
    fake_header(r->head, "content-type", ctype, sizeof ctype);
    assert_string_equal(date, DATE);
    test_header h[4];
    size_t nh = 0;
    if (ctype[0]) h[nh++] = (test_header){"content-type", ctype};
    h[nh++] = (test_header){"host", host};
    h[nh++] = (test_header){"x-amz-content-sha256", sha};
    h[nh++] = (test_header){"x-amz-date", date};
    char *creq = test_sigv4_canonical(method, path, query, h, nh, sha);
    char sig[65], want[1024];
    test_sigv4_signature(creq, SECRET, DATE, "us-east-1", sig);
    free(creq);
    snprintf(want, sizeof want,
             "AWS4-HMAC-SHA256 Credential=" KEY_ID "/20240102/us-east-1/s3/aws4_request, "
             "SignedHeaders=%s%s, Signature=%s",
             ctype[0] ? "content-type;" : "", "host;x-amz-content-sha256;x-amz-date", sig);
    assert_string_equal(auth, want);
}

/* ---- config ---- */

static void config_layers_defaults_then_environment(void **state) {
    (void)state;
    s3_config c;
    s3_config_defaults(&c);
    assert_string_equal(c.endpoint, "http://127.0.0.1:19000");
    assert_string_equal(c.region, "us-east-1");
    assert_null(c.access_key);
    assert_int_equal(c.max_attempts, 5);
    setenv("PINPIPE_S3_ENDPOINT", "https://s3.eu-west-1.amazonaws.com", 1);
    setenv("PINPIPE_S3_REGION", "eu-west-1", 1);
    setenv("PINPIPE_S3_ACCESS_KEY", "AK", 1);
    setenv("PINPIPE_S3_SECRET_KEY", "SK", 1);
    setenv("PINPIPE_S3_BUCKET", "", 1); /* empty = unset */
    setenv("PINPIPE_S3_MAX_ATTEMPTS", "2", 1);
    s3_config_from_env(&c);
    assert_string_equal(c.endpoint, "https://s3.eu-west-1.amazonaws.com");
    assert_string_equal(c.region, "eu-west-1");
    assert_string_equal(c.access_key, "AK");
    assert_string_equal(c.secret_key, "SK");
    assert_null(c.bucket);
    assert_int_equal(c.max_attempts, 2);
    const char *vars[] = {"PINPIPE_S3_ENDPOINT",   "PINPIPE_S3_REGION", "PINPIPE_S3_ACCESS_KEY",
                          "PINPIPE_S3_SECRET_KEY", "PINPIPE_S3_BUCKET", "PINPIPE_S3_MAX_ATTEMPTS"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) unsetenv(vars[i]);
}

static void create_refuses_bad_settings(void **state) {
    (void)state;
    static const struct {
        const char *endpoint, *region, *key, *secret, *err_has;
    } cases[] = {
        {"127.0.0.1:19000", "us-east-1", "a", "b", "must start with http"},
        {"ftp://x", "us-east-1", "a", "b", "must start with http"},
        {"http://x", "", "a", "b", "region"},
        {"http://x", "us:east", "a", "b", "region"},
        {"http://x", "us-east-1", NULL, "b", "PINPIPE_S3_ACCESS_KEY"},
        {"http://x", "us-east-1", "a", "", "PINPIPE_S3_SECRET_KEY"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        s3_config c;
        s3_config_defaults(&c);
        c.endpoint = cases[i].endpoint;
        c.region = cases[i].region;
        c.access_key = cases[i].key;
        c.secret_key = cases[i].secret;
        s3_client *cl = (s3_client *)&c; /* must be reset to NULL on failure */
        char err[256] = "";
        assert_int_equal(s3_client_create(&c, &cl, err, sizeof err), PP_EINVAL);
        assert_null(cl);
        if (!strstr(err, cases[i].err_has)) fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].err_has);
    }
}

/* ---- what goes on the wire ---- */

static void put_buffer_sends_encoded_key_payload_hash_and_a_valid_signature(void **state) {
    (void)state;
    static const fake_response script[] = {{200, "OK", "ETag: \"abc\"\r\n", NULL, 0, -1}};
    fixture f;
    start(&f, script, 1, NULL);
    const char body[] = "Welcome to Amazon S3.";
    assert_int_equal(s3_put_buffer(f.c, "raw/a b=c+\xc3\xbc%~.txt", body, strlen(body), NULL, f.err, sizeof f.err),
                     PP_OK);
    assert_int_equal(f.srv.n_req, 1);
    char line[512], sha[128];
    assert_string_equal(request_line(&f.srv.req[0], line, sizeof line),
                        "PUT /bkt/raw/a%20b%3Dc%2B%C3%BC%25~.txt HTTP/1.1");
    assert_string_equal(fake_header(f.srv.req[0].head, "x-amz-content-sha256", sha, sizeof sha),
                        "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
    assert_string_equal(f.srv.req[0].body, body);
    assert_signed(&f.srv.req[0], "PUT", "/bkt/raw/a%20b%3Dc%2B%C3%BC%25~.txt", "");
    stop(&f);
}

static void content_type_is_sent_and_signed(void **state) {
    (void)state;
    static const fake_response script[] = {{200, "OK", NULL, NULL, 0, -1}};
    fixture f;
    start(&f, script, 1, NULL);
    assert_int_equal(s3_put_buffer(f.c, "k.jsonl", "{}\n", 3, "application/x-ndjson", f.err, sizeof f.err), PP_OK);
    char ct[64];
    assert_string_equal(fake_header(f.srv.req[0].head, "content-type", ct, sizeof ct), "application/x-ndjson");
    assert_signed(&f.srv.req[0], "PUT", "/bkt/k.jsonl", "");
    stop(&f);
}

static void keys_keep_dot_segments_literally(void **state) {
    (void)state;
    static const fake_response script[] = {{204, "No Content", NULL, NULL, 0, -1}};
    fixture f;
    start(&f, script, 1, NULL);
    assert_int_equal(s3_delete(f.c, "a/../b/./c//d", f.err, sizeof f.err), PP_OK);
    char line[256];
    assert_string_equal(request_line(&f.srv.req[0], line, sizeof line), "DELETE /bkt/a/../b/./c//d HTTP/1.1");
    assert_signed(&f.srv.req[0], "DELETE", "/bkt/a/../b/./c//d", "");
    stop(&f);
}

static const char LIST_P1[] =
    "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t/1+=</NextContinuationToken>"
    "<Contents><Key>p/a</Key><Size>1</Size></Contents><Contents><Key>p/b</Key><Size>2</Size></Contents>"
    "</ListBucketResult>";
static const char LIST_P2[] =
    "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t2</NextContinuationToken>"
    "<Contents><Key>p/c d</Key><Size>3</Size></Contents><Contents><Key>p/e&amp;f</Key><Size>4</Size></Contents>"
    "</ListBucketResult>";
static const char LIST_P3[] = "<ListBucketResult><IsTruncated>false</IsTruncated>"
                              "<Contents><Key>p/g</Key><Size>5</Size></Contents></ListBucketResult>";

typedef struct {
    char keys[16][32];
    long long sizes[16];
    size_t n;
    size_t stop_after;
} collected;

static int collect_key(void *ud, const s3_list_entry *e) {
    collected *c = ud;
    snprintf(c->keys[c->n], sizeof c->keys[0], "%s", e->key);
    c->sizes[c->n++] = e->size;
    return c->stop_after && c->n == c->stop_after ? 42 : 0;
}

static void list_all_follows_continuation_tokens_with_canonical_queries(void **state) {
    (void)state;
    static const fake_response script[] = {{200, "OK", NULL, LIST_P1, 0, -1},
                                           {200, "OK", NULL, LIST_P2, 0, -1},
                                           {200, "OK", NULL, LIST_P3, 0, -1}};
    fixture f;
    start(&f, script, 3, NULL);
    collected got = {0};
    s3_list_opts o = {.prefix = "p/", .max_keys = 2};
    assert_int_equal(s3_list_all(f.c, &o, collect_key, &got, f.err, sizeof f.err), PP_OK);
    const char *want[] = {"p/a", "p/b", "p/c d", "p/e&f", "p/g"};
    assert_int_equal(got.n, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(got.keys[i], want[i]);
        assert_int_equal(got.sizes[i], (long long)i + 1);
    }
    const char *queries[] = {"list-type=2&max-keys=2&prefix=p%2F",
                             "continuation-token=t%2F1%2B%3D&list-type=2&max-keys=2&prefix=p%2F",
                             "continuation-token=t2&list-type=2&max-keys=2&prefix=p%2F"};
    assert_int_equal(f.srv.n_req, 3);
    for (size_t i = 0; i < 3; i++) {
        char line[512], wantl[512];
        snprintf(wantl, sizeof wantl, "GET /bkt?%s HTTP/1.1", queries[i]);
        assert_string_equal(request_line(&f.srv.req[i], line, sizeof line), wantl);
        assert_signed(&f.srv.req[i], "GET", "/bkt", queries[i]);
    }
    stop(&f);
}

static void list_all_stops_when_the_callback_says_so(void **state) {
    (void)state;
    static const fake_response script[] = {{200, "OK", NULL, LIST_P1, 0, -1}};
    fixture f;
    start(&f, script, 1, NULL);
    collected got = {.stop_after = 1};
    assert_int_equal(s3_list_all(f.c, NULL, collect_key, &got, f.err, sizeof f.err), 42);
    assert_int_equal(got.n, 1);
    stop(&f);
}

static void list_all_refuses_a_truncated_page_without_token(void **state) {
    (void)state;
    static const fake_response script[] = {
        {200, "OK", NULL, "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>", 0, -1}};
    fixture f;
    start(&f, script, 1, NULL);
    collected got = {0};
    assert_int_equal(s3_list_all(f.c, NULL, collect_key, &got, f.err, sizeof f.err), PP_EPROTO);
    assert_non_null(strstr(f.err, "continuation token"));
    stop(&f);
}

static void list_reports_a_malformed_body(void **state) {
    (void)state;
    static const fake_response script[] = {{200, "OK", NULL, "<ListBucketResult><Contents>", 0, -1}};
    fixture f;
    start(&f, script, 1, NULL);
    s3_list_page p;
    assert_int_equal(s3_list_page_get(f.c, NULL, NULL, &p, f.err, sizeof f.err), PP_EPROTO);
    assert_non_null(strstr(f.err, "S3 GET bkt/ (list): S3 XML:"));
    stop(&f);
}

/* ---- answers ---- */

typedef struct {
    size_t bytes, calls;
    unsigned char *data;
    int fail_at_call;
} sink_state;

static int sink(void *ud, const void *p, size_t n) {
    sink_state *s = ud;
    s->calls++;
    if (s->fail_at_call && (int)s->calls == s->fail_at_call) return PP_EIO;
    s->data = realloc(s->data, s->bytes + n);
    memcpy(s->data + s->bytes, p, n);
    s->bytes += n;
    return 0;
}

static void get_streams_the_body_in_pieces_and_reads_metadata(void **state) {
    (void)state;
    enum { N = 3 * 1024 * 1024 + 17 };
    char *big = malloc(N);
    for (size_t i = 0; i < N; i++) big[i] = (char)(i * 7 + (i >> 11));
    const fake_response script[] = {{200, "OK",
                                     "ETag: \"e1\"\r\nLast-Modified: Tue, 02 Jan 2024 03:04:05 GMT\r\n"
                                     "Content-Type: application/octet-stream\r\n",
                                     big, N, -1}};
    fixture f;
    start(&f, script, 1, NULL);
    sink_state s = {0};
    s3_object_meta m;
    assert_int_equal(s3_get(f.c, "big.bin", sink, &s, &m, f.err, sizeof f.err), PP_OK);
    assert_int_equal(s.bytes, N);
    assert_true(s.calls > 1); /* streamed, not handed over whole */
    assert_memory_equal(s.data, big, N);
    assert_int_equal(m.size, N);
    assert_string_equal(m.etag, "\"e1\"");
    assert_string_equal(m.last_modified, "Tue, 02 Jan 2024 03:04:05 GMT");
    assert_string_equal(m.content_type, "application/octet-stream");
    char line[128];
    assert_string_equal(request_line(&f.srv.req[0], line, sizeof line), "GET /bkt/big.bin HTTP/1.1");
    assert_signed(&f.srv.req[0], "GET", "/bkt/big.bin", "");
    free(s.data);
    stop(&f); /* joins the server thread, the last reader of big */
    free(big);
}

static void get_to_buffer_is_bounded(void **state) {
    (void)state;
    static const fake_response script[] = {{200, "OK", NULL, "0123456789", 0, -1},
                                           {200, "OK", NULL, "0123456789", 0, -1},
                                           {200, "OK", NULL, NULL, 0, -1}};
    fixture f;
    start(&f, script, 3, NULL);
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(s3_get_to_buffer(f.c, "k", 10, &data, &len, f.err, sizeof f.err), PP_OK);
    assert_int_equal(len, 10);
    assert_string_equal(data, "0123456789");
    free(data);
    assert_int_equal(s3_get_to_buffer(f.c, "k", 9, &data, &len, f.err, sizeof f.err), PP_EPROTO);
    assert_null(data);
    assert_non_null(strstr(f.err, "larger than 9 bytes"));
    assert_int_equal(s3_get_to_buffer(f.c, "empty", 9, &data, &len, f.err, sizeof f.err), PP_OK);
    assert_int_equal(len, 0);
    assert_string_equal(data, "");
    free(data);
    stop(&f);
}

static void head_reads_metadata_and_404_is_not_found(void **state) {
    (void)state;
    static const fake_response script[] = {
        {200, "OK", "ETag: \"tag\"\r\nLast-Modified: Tue, 02 Jan 2024 03:04:05 GMT\r\n", NULL, 0, 123},
        {404, "Not Found", NULL, NULL, 0, -1}};
    fixture f;
    start(&f, script, 2, NULL);
    s3_object_meta m;
    assert_int_equal(s3_head(f.c, "k", &m, f.err, sizeof f.err), PP_OK);
    assert_int_equal(m.size, 123);
    assert_string_equal(m.etag, "\"tag\"");
    char line[128];
    assert_string_equal(request_line(&f.srv.req[0], line, sizeof line), "HEAD /bkt/k HTTP/1.1");
    assert_signed(&f.srv.req[0], "HEAD", "/bkt/k", "");
    assert_int_equal(s3_head(f.c, "gone", &m, f.err, sizeof f.err), PP_ENOTFOUND);
    assert_string_equal(f.err, "S3 HEAD bkt/gone: 404 Not Found");
    assert_int_equal(f.srv.n_req, 2); /* a 404 is an answer: not retried */
    stop(&f);
}

static void get_of_a_missing_key_is_not_found_and_touches_no_sink(void **state) {
    (void)state;
    static const fake_response script[] = {
        {404, "Not Found", NULL,
         "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>", 0, -1}};
    fixture f;
    start(&f, script, 1, NULL);
    sink_state s = {0};
    assert_int_equal(s3_get(f.c, "nope", sink, &s, NULL, f.err, sizeof f.err), PP_ENOTFOUND);
    assert_string_equal(f.err, "S3 GET bkt/nope: 404 NoSuchKey: The specified key does not exist.");
    assert_int_equal(s.calls, 0);
    stop(&f);
}

static void a_4xx_reports_the_servers_code_and_message_and_is_not_retried(void **state) {
    (void)state;
    static const fake_response script[] = {{403, "Forbidden", NULL, SIG_MISMATCH_XML, 0, -1}};
    fixture f;
    start(&f, script, 1, NULL);
    assert_int_equal(s3_put_buffer(f.c, "dir/key", "x", 1, NULL, f.err, sizeof f.err), PP_ESERVER);
    assert_string_equal(f.err,
                        "S3 PUT bkt/dir/key: 403 SignatureDoesNotMatch: The request signature we "
                        "calculated does not match the signature you provided.");
    assert_int_equal(f.srv.n_req, 1);
    stop(&f);
}

static void create_bucket_is_idempotent(void **state) {
    (void)state;
    static const fake_response script[] = {
        {200, "OK", NULL, NULL, 0, -1},
        {409, "Conflict", NULL,
         "<Error><Code>BucketAlreadyOwnedByYou</Code><Message>Your previous request to create the named "
         "bucket succeeded and you already own it.</Message></Error>",
         0, -1},
        {409, "Conflict", NULL,
         "<Error><Code>BucketAlreadyExists</Code><Message>The requested bucket name is not "
         "available.</Message></Error>",
         0, -1}};
    fixture f;
    start(&f, script, 3, NULL);
    assert_int_equal(s3_create_bucket(f.c, f.err, sizeof f.err), PP_OK);
    assert_int_equal(s3_create_bucket(f.c, f.err, sizeof f.err), PP_OK);      /* ours already */
    assert_int_equal(s3_create_bucket(f.c, f.err, sizeof f.err), PP_ESERVER); /* someone else's */
    assert_non_null(strstr(f.err, "409 BucketAlreadyExists"));
    char line[128];
    assert_string_equal(request_line(&f.srv.req[0], line, sizeof line), "PUT /bkt HTTP/1.1");
    assert_int_equal(f.srv.req[0].body_len, 0);
    assert_signed(&f.srv.req[0], "PUT", "/bkt", "");
    stop(&f);
}

static void region_eu(s3_config *c) { c->region = "eu-west-1"; }

static void create_bucket_outside_us_east_1_sends_its_location(void **state) {
    (void)state;
    static const fake_response script[] = {{200, "OK", NULL, NULL, 0, -1}};
    fixture f;
    start(&f, script, 1, region_eu);
    assert_int_equal(s3_create_bucket(f.c, f.err, sizeof f.err), PP_OK);
    assert_non_null(strstr(f.srv.req[0].body, "<LocationConstraint>eu-west-1</LocationConstraint>"));
    char auth[512];
    assert_non_null(
        strstr(fake_header(f.srv.req[0].head, "authorization", auth, sizeof auth), "/eu-west-1/s3/aws4_request"));
    stop(&f);
}

static void delete_of_an_absent_key_is_success(void **state) {
    (void)state;
    static const fake_response script[] = {
        {404, "Not Found", NULL, "<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>", 0, -1},
        {404, "Not Found", NULL, "<Error><Code>NoSuchBucket</Code><Message>no bucket</Message></Error>", 0, -1}};
    fixture f;
    start(&f, script, 2, NULL);
    assert_int_equal(s3_delete(f.c, "k", f.err, sizeof f.err), PP_OK);
    assert_int_equal(s3_delete(f.c, "k", f.err, sizeof f.err), PP_ENOTFOUND);
    assert_string_equal(f.err, "S3 DELETE bkt/k: 404 NoSuchBucket: no bucket");
    stop(&f);
}

/* ---- streamed uploads ---- */

static void put_stream_sends_unsigned_payload_by_default(void **state) {
    (void)state;
    static const fake_response script[] = {{200, "OK", NULL, NULL, 0, -1}};
    fixture f;
    start(&f, script, 1, NULL);
    FILE *in = tmpfile();
    fputs("skip:the body", in);
    fseek(in, 5, SEEK_SET); /* uploads from the current position */
    assert_int_equal(s3_put_stream(f.c, "s", in, 8, NULL, f.err, sizeof f.err), PP_OK);
    char sha[128];
    assert_string_equal(fake_header(f.srv.req[0].head, "x-amz-content-sha256", sha, sizeof sha), "UNSIGNED-PAYLOAD");
    assert_string_equal(f.srv.req[0].body, "the body");
    assert_signed(&f.srv.req[0], "PUT", "/bkt/s", "");
    fclose(in);
    stop(&f);
}

static void sign_streams(s3_config *c) { c->sign_streams = 1; }

static void put_stream_can_sign_a_seekable_body(void **state) {
    (void)state;
    static const fake_response script[] = {{200, "OK", NULL, NULL, 0, -1}};
    fixture f;
    start(&f, script, 1, sign_streams);
    FILE *in = tmpfile();
    fputs("Welcome to Amazon S3.", in);
    rewind(in);
    assert_int_equal(s3_put_stream(f.c, "s", in, 21, NULL, f.err, sizeof f.err), PP_OK);
    char sha[128];
    assert_string_equal(fake_header(f.srv.req[0].head, "x-amz-content-sha256", sha, sizeof sha),
                        "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
    assert_string_equal(f.srv.req[0].body, "Welcome to Amazon S3.");
    fclose(in);
    stop(&f);
}

static void put_stream_of_a_short_file_fails_cleanly(void **state) {
    (void)state;
    static const fake_response script[] = {{200, "OK", NULL, NULL, 0, -1}};
    fixture f;
    start(&f, script, 1, NULL);
    FILE *in = tmpfile();
    fputs("short", in);
    rewind(in);
    assert_int_equal(s3_put_stream(f.c, "s", in, 100, NULL, f.err, sizeof f.err), PP_EIO);
    assert_non_null(strstr(f.err, "before its announced size"));
    assert_int_equal(s3_put_stream(f.c, "s", in, -1, NULL, f.err, sizeof f.err), PP_EINVAL);
    fclose(in);
    stop(&f);
}

/* ---- retries ---- */

static void five_xx_and_dropped_connections_are_retried(void **state) {
    (void)state;
    static const fake_response script[] = {
        {503, "Slow Down", NULL, "<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>", 0,
         -1},
        {0, NULL, NULL, NULL, 0, -1}, /* connection closed without an answer */
        {500, "Internal Server Error", NULL, NULL, 0, -1},
        {200, "OK", NULL, NULL, 0, -1}};
    fixture f;
    start(&f, script, 4, NULL);
    const char body[] = "payload bytes";
    assert_int_equal(s3_put_buffer(f.c, "k", body, strlen(body), NULL, f.err, sizeof f.err), PP_OK);
    assert_int_equal(f.srv.n_req, 4);
    for (size_t i = 0; i < 4; i++) { /* each attempt re-sends the whole body */
        assert_string_equal(f.srv.req[i].body, body);
        assert_signed(&f.srv.req[i], "PUT", "/bkt/k", "");
    }
    stop(&f);
}

static void seekable_streams_are_rewound_for_a_retry(void **state) {
    (void)state;
    static const fake_response script[] = {{500, "Internal Server Error", NULL, NULL, 0, -1},
                                           {200, "OK", NULL, NULL, 0, -1}};
    fixture f;
    start(&f, script, 2, NULL);
    FILE *in = tmpfile();
    fputs("xxstream body", in);
    fseek(in, 2, SEEK_SET);
    assert_int_equal(s3_put_stream(f.c, "k", in, 11, NULL, f.err, sizeof f.err), PP_OK);
    assert_int_equal(f.srv.n_req, 2);
    assert_string_equal(f.srv.req[0].body, "stream body");
    assert_string_equal(f.srv.req[1].body, "stream body");
    fclose(in);
    stop(&f);
}

static void three_attempts(s3_config *c) { c->max_attempts = 3; }

static void attempts_are_bounded(void **state) {
    (void)state;
    static const fake_response script[] = {
        {500, "Internal Server Error", NULL, "<Error><Code>InternalError</Code><Message>boom</Message></Error>", 0, -1},
        {500, "Internal Server Error", NULL, "<Error><Code>InternalError</Code><Message>boom</Message></Error>", 0, -1},
        {500, "Internal Server Error", NULL, "<Error><Code>InternalError</Code><Message>boom</Message></Error>", 0, -1},
        {200, "OK", NULL, NULL, 0, -1}};
    fixture f;
    start(&f, script, 4, three_attempts);
    s3_object_meta m;
    assert_int_equal(s3_head(f.c, "k", &m, f.err, sizeof f.err), PP_EIO); /* a 5xx is transient */
    assert_int_equal(f.srv.n_req, 3);
    /* HEAD answers carry no body, so the reason phrase stands in for the code */
    assert_string_equal(f.err, "S3 HEAD bkt/k: 500 Internal Server Error (after 3 attempts)");
    stop(&f);
}

static void no_budget(s3_config *c) { c->retry_budget_ms = 0; }

static void the_time_budget_bounds_retries(void **state) {
    (void)state;
    static const fake_response script[] = {{503, "Service Unavailable", NULL, NULL, 0, -1},
                                           {200, "OK", NULL, NULL, 0, -1}};
    fixture f;
    start(&f, script, 2, no_budget);
    assert_int_equal(s3_delete(f.c, "k", f.err, sizeof f.err), PP_EIO);
    assert_int_equal(f.srv.n_req, 1);
    stop(&f);
}

static void a_body_cut_after_bytes_reached_the_sink_is_not_replayed(void **state) {
    (void)state;
    static const fake_response script[] = {{200, "OK", NULL, "only ten b", 0, 1000}, /* announces 1000 */
                                           {200, "OK", NULL, NULL, 0, -1}};
    fixture f;
    start(&f, script, 2, NULL);
    sink_state s = {0};
    int rc = s3_get(f.c, "k", sink, &s, NULL, f.err, sizeof f.err);
    assert_int_equal(rc, PP_EIO);
    assert_int_equal(s.bytes, 10);
    assert_int_equal(f.srv.n_req, 1);
    free(s.data);
    stop(&f);
}

static void a_failing_sink_stops_the_transfer_with_its_code(void **state) {
    (void)state;
    static const fake_response script[] = {{200, "OK", NULL, "abc", 0, -1}};
    fixture f;
    start(&f, script, 1, NULL);
    sink_state s = {.fail_at_call = 1};
    assert_int_equal(s3_get(f.c, "k", sink, &s, NULL, f.err, sizeof f.err), PP_EIO);
    assert_non_null(strstr(f.err, "receiver of the body failed"));
    assert_int_equal(f.srv.n_req, 1);
    stop(&f);
}

static void pipes_are_not_replayed(void **state) {
    (void)state;
    static const fake_response script[] = {{500, "Internal Server Error", NULL, NULL, 0, -1},
                                           {200, "OK", NULL, NULL, 0, -1}};
    fixture f;
    start(&f, script, 2, sign_streams); /* even asked to sign, a pipe cannot be hashed first */
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], "piped", 5), 5);
    close(p[1]);
    FILE *in = fdopen(p[0], "rb");
    assert_int_equal(s3_put_stream(f.c, "k", in, 5, NULL, f.err, sizeof f.err), PP_EIO);
    assert_int_equal(f.srv.n_req, 1);
    char sha[128];
    assert_string_equal(fake_header(f.srv.req[0].head, "x-amz-content-sha256", sha, sizeof sha), "UNSIGNED-PAYLOAD");
    fclose(in);
    stop(&f);
}

static void connection_refused_is_an_io_error_after_retries(void **state) {
    (void)state;
    /* a port that was just free: bind, read the port, close */
    fake_server probe;
    int port = fake_server_start(&probe, NULL, 0);
    fake_server_stop(&probe);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d", port);
    s3_config cfg;
    s3_config_defaults(&cfg);
    cfg.endpoint = endpoint;
    cfg.access_key = "a";
    cfg.secret_key = "b";
    cfg.bucket = "bkt";
    cfg.max_attempts = 2;
    cfg.retry_base_ms = 1;
    s3_client *c;
    char err[512];
    assert_int_equal(s3_client_create(&cfg, &c, err, sizeof err), PP_OK);
    s3_object_meta m;
    assert_int_equal(s3_head(c, "k", &m, err, sizeof err), PP_EIO);
    assert_non_null(strstr(err, "S3 HEAD bkt/k: "));
    assert_non_null(strstr(err, "Couldn't connect to server"));
    assert_non_null(strstr(err, "(after 2 attempts)"));
    s3_client_destroy(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(config_layers_defaults_then_environment),
        cmocka_unit_test(create_refuses_bad_settings),
        cmocka_unit_test(put_buffer_sends_encoded_key_payload_hash_and_a_valid_signature),
        cmocka_unit_test(content_type_is_sent_and_signed),
        cmocka_unit_test(keys_keep_dot_segments_literally),
        cmocka_unit_test(list_all_follows_continuation_tokens_with_canonical_queries),
        cmocka_unit_test(list_all_stops_when_the_callback_says_so),
        cmocka_unit_test(list_all_refuses_a_truncated_page_without_token),
        cmocka_unit_test(list_reports_a_malformed_body),
        cmocka_unit_test(get_streams_the_body_in_pieces_and_reads_metadata),
        cmocka_unit_test(get_to_buffer_is_bounded),
        cmocka_unit_test(head_reads_metadata_and_404_is_not_found),
        cmocka_unit_test(get_of_a_missing_key_is_not_found_and_touches_no_sink),
        cmocka_unit_test(a_4xx_reports_the_servers_code_and_message_and_is_not_retried),
        cmocka_unit_test(create_bucket_is_idempotent),
        cmocka_unit_test(create_bucket_outside_us_east_1_sends_its_location),
        cmocka_unit_test(delete_of_an_absent_key_is_success),
        cmocka_unit_test(put_stream_sends_unsigned_payload_by_default),
        cmocka_unit_test(put_stream_can_sign_a_seekable_body),
        cmocka_unit_test(put_stream_of_a_short_file_fails_cleanly),
        cmocka_unit_test(five_xx_and_dropped_connections_are_retried),
        cmocka_unit_test(seekable_streams_are_rewound_for_a_retry),
        cmocka_unit_test(attempts_are_bounded),
        cmocka_unit_test(the_time_budget_bounds_retries),
        cmocka_unit_test(a_body_cut_after_bytes_reached_the_sink_is_not_replayed),
        cmocka_unit_test(a_failing_sink_stops_the_transfer_with_its_code),
        cmocka_unit_test(pipes_are_not_replayed),
        cmocka_unit_test(connection_refused_is_an_io_error_after_retries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
