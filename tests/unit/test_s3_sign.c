/* Specification of SigV4 signing for S3 (src/s3/s3_sign.c and libcurl's signer).
 *
 * The expected signatures are AWS's published S3 examples ("Examples: Signature
 * Calculations in AWS Signature Version 4", access key AKIAIOSFODNN7EXAMPLE, date
 * 20130524, bucket examplebucket). Three layers are checked against them:
 *   1. the pieces pinpipe computes itself: URI encoding, canonical query, payload hash;
 *   2. an independent SigV4 implementation (s3_test_support.h) that later tests use to
 *      predict what pinpipe's client must send;
 *   3. libcurl itself (CURLOPT_AWS_SIGV4), talking to an in-process listener: the
 *      Authorization header it sends carries the published signature when given the
 *      request the way pinpipe gives it (fixed date via an x-amz-date header, payload
 *      hash via x-amz-content-sha256, query already canonical).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "s3/s3_sign.h"
#include "s3_test_support.h"

#define AWS_KEY "AKIAIOSFODNN7EXAMPLE"
#define AWS_SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define AWS_DATE "20130524T000000Z"
#define AWS_HOST "examplebucket.s3.amazonaws.com"
#define AWS_PUT_BODY "Welcome to Amazon S3."
#define AWS_PUT_BODY_SHA "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
#define SIG_GET_OBJECT "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
#define SIG_PUT_OBJECT "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"
#define SIG_GET_LIFECYCLE "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"
#define SIG_LIST_OBJECTS "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"
/* SHA-256 of the GET Object example's canonical request, as AWS publishes it */
#define GET_OBJECT_CREQ_SHA "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"

/* ---- 1. pieces pinpipe computes ---- */

static void uri_encoding_follows_sigv4(void **state) {
    (void)state;
    static const struct {
        const char *in;
        int keep_slash;
        const char *want;
    } cases[] = {
        {"", 1, ""},
        {"test.txt", 1, "test.txt"},
        {"AZaz09-._~", 0, "AZaz09-._~"},           /* unreserved: untouched */
        {"test$file.text", 1, "test%24file.text"}, /* the AWS PUT example's key */
        {"a b", 1, "a%20b"},                       /* space is %20, never '+' */
        {"a+b=c&d", 1, "a%2Bb%3Dc%26d"},
        {"100%", 1, "100%25"},
        {"raw/dt=2024-01-01/p-0-0.jsonl", 1, "raw/dt%3D2024-01-01/p-0-0.jsonl"},
        {"a/b", 0, "a%2Fb"}, /* '/' kept only in paths */
        {"a//b/", 1, "a//b/"},
        {"\xc3\xbc\xe6\x97\xa5", 1, "%C3%BC%E6%97%A5"}, /* UTF-8 bytes, upper-case hex */
        {"*'()!", 1, "%2A%27%28%29%21"},
        {"\x01\x7f\xff", 1, "%01%7F%FF"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pp_strbuf b;
        pp_sb_init(&b);
        s3_uri_encode(&b, cases[i].in, strlen(cases[i].in), cases[i].keep_slash);
        assert_string_equal(b.data ? b.data : "", cases[i].want);
        pp_sb_free(&b);
    }
}

static void canonical_query_is_sorted_and_encoded(void **state) {
    (void)state;
    static const s3_query_param list_example[] = {{"prefix", "J"}, {"max-keys", "2"}};
    static const s3_query_param lifecycle[] = {{"lifecycle", NULL}};
    static const s3_query_param v2[] = {{"prefix", "raw/dt=2024 01"},
                                        {"list-type", "2"},
                                        {"continuation-token", "1/abc+def=="},
                                        {"max-keys", "10"}};
    static const s3_query_param same_name[] = {{"b", "2"}, {"a", "z"}, {"a", "y"}, {NULL, "skip"}};
    static const s3_query_param upper_before_lower[] = {{"a", "1"}, {"B", "2"}, {"_", "3"}};
    static const struct {
        const s3_query_param *p;
        size_t n;
        const char *want;
    } cases[] = {
        {list_example, 2, "max-keys=2&prefix=J"}, /* the AWS list example */
        {lifecycle, 1, "lifecycle="},             /* a name without value */
        {v2, 4, "continuation-token=1%2Fabc%2Bdef%3D%3D&list-type=2&max-keys=10&prefix=raw%2Fdt%3D2024%2001"},
        {same_name, 4, "a=y&a=z&b=2"},
        {upper_before_lower, 3, "B=2&_=3&a=1"}, /* byte order, not case-folded */
        {NULL, 0, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pp_strbuf b;
        pp_sb_init(&b);
        assert_int_equal(s3_canonical_query(&b, cases[i].p, cases[i].n), PP_OK);
        assert_string_equal(b.data ? b.data : "", cases[i].want);
        pp_sb_free(&b);
    }
}

static void payload_hash_is_hex_sha256(void **state) {
    (void)state;
    char hex[65];
    assert_int_equal(s3_sha256_hex("", 0, hex), PP_OK);
    assert_string_equal(hex, S3_EMPTY_SHA256);
    assert_int_equal(s3_sha256_hex(AWS_PUT_BODY, strlen(AWS_PUT_BODY), hex), PP_OK);
    assert_string_equal(hex, AWS_PUT_BODY_SHA);
    assert_int_equal(s3_sha256_hex(NULL, 0, hex), PP_OK);
    assert_string_equal(hex, S3_EMPTY_SHA256);
}

static void stream_hash_reads_exactly_n_bytes(void **state) {
    (void)state;
    char hex[65], err[256];
    FILE *f = tmpfile();
    assert_non_null(f);
    fputs("xx" AWS_PUT_BODY "trailing", f);
    fseek(f, 2, SEEK_SET);
    assert_int_equal(s3_sha256_stream_hex(f, (long long)strlen(AWS_PUT_BODY), hex, err, sizeof err), PP_OK);
    assert_string_equal(hex, AWS_PUT_BODY_SHA);
    assert_int_equal(ftell(f), 2 + (long)strlen(AWS_PUT_BODY));
    /* to EOF */
    fseek(f, 2, SEEK_SET);
    assert_int_equal(s3_sha256_stream_hex(f, -1, hex, err, sizeof err), PP_OK);
    char want[65];
    test_sha256_hex(AWS_PUT_BODY "trailing", strlen(AWS_PUT_BODY "trailing"), want);
    assert_string_equal(hex, want);
    /* a stream shorter than announced is an error, not a silent short hash */
    fseek(f, 0, SEEK_SET);
    assert_int_equal(s3_sha256_stream_hex(f, 1000, hex, err, sizeof err), PP_EIO);
    assert_non_null(strstr(err, "early"));
    fclose(f);
}

/* ---- 2. the independent signer reproduces every published example ---- */

static void independent_signer_matches_aws_examples(void **state) {
    (void)state;
    const test_header get_obj[] = {{"host", AWS_HOST},
                                   {"range", "bytes=0-9"},
                                   {"x-amz-content-sha256", S3_EMPTY_SHA256},
                                   {"x-amz-date", AWS_DATE}};
    const test_header put_obj[] = {{"date", "Fri, 24 May 2013 00:00:00 GMT"},
                                   {"host", AWS_HOST},
                                   {"x-amz-content-sha256", AWS_PUT_BODY_SHA},
                                   {"x-amz-date", AWS_DATE},
                                   {"x-amz-storage-class", "REDUCED_REDUNDANCY"}};
    const test_header bucket[] = {{"host", AWS_HOST},
                                  {"x-amz-content-sha256", S3_EMPTY_SHA256},
                                  {"x-amz-date", AWS_DATE}};
    const struct {
        const char *method, *uri, *query;
        const test_header *h;
        size_t nh;
        const char *payload, *want;
    } cases[] = {
        {"GET", "/test.txt", "", get_obj, 4, S3_EMPTY_SHA256, SIG_GET_OBJECT},
        {"PUT", "/test%24file.text", "", put_obj, 5, AWS_PUT_BODY_SHA, SIG_PUT_OBJECT},
        {"GET", "/", "lifecycle=", bucket, 3, S3_EMPTY_SHA256, SIG_GET_LIFECYCLE},
        {"GET", "/", "max-keys=2&prefix=J", bucket, 3, S3_EMPTY_SHA256, SIG_LIST_OBJECTS},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *creq = test_sigv4_canonical(cases[i].method, cases[i].uri, cases[i].query, cases[i].h, cases[i].nh,
                                          cases[i].payload);
        char sig[65];
        if (i == 0) {
            char h[65];
            test_sha256_hex(creq, strlen(creq), h);
            assert_string_equal(h, GET_OBJECT_CREQ_SHA);
        }
        test_sigv4_signature(creq, AWS_SECRET, AWS_DATE, "us-east-1", sig);
        assert_string_equal(sig, cases[i].want);
        free(creq);
    }
}

/* ---- 3. libcurl signs the published examples when driven the way pinpipe drives it ---- */

static size_t discard(char *p, size_t s, size_t n, void *ud) {
    (void)p;
    (void)ud;
    return s * n;
}

typedef struct {
    const char *method;
    const char *path_and_query; /* as pinpipe builds it: key encoded, query canonical */
    const char *extra_headers[3];
    const char *payload_sha;
    const char *body;
    const char *want_signed_headers;
    const char *want_sig;
} curl_case;

static void run_curl_case(const curl_case *k) {
    static const fake_response ok = {200, "OK", NULL, NULL, 0, -1};
    fake_server srv;
    int port = fake_server_start(&srv, &ok, 1);
    assert_true(port > 0);
    char url[256], connect_to[128], auth[1024], want[1024];
    snprintf(url, sizeof url, "http://" AWS_HOST "%s", k->path_and_query);
    /* the request goes to the listener, but Host: stays the example's host */
    snprintf(connect_to, sizeof connect_to, AWS_HOST ":80:127.0.0.1:%d", port);
    CURL *c = curl_easy_init();
    struct curl_slist *cto = curl_slist_append(NULL, connect_to);
    struct curl_slist *h = NULL;
    char line[256];
    snprintf(line, sizeof line, "x-amz-content-sha256: %s", k->payload_sha);
    h = curl_slist_append(h, line);
    h = curl_slist_append(h, "x-amz-date: " AWS_DATE); /* curl signs with this date, not the clock */
    for (size_t i = 0; i < 3 && k->extra_headers[i]; i++) h = curl_slist_append(h, k->extra_headers[i]);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CONNECT_TO, cto);
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, "aws:amz:us-east-1:s3");
    curl_easy_setopt(c, CURLOPT_USERPWD, AWS_KEY ":" AWS_SECRET);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    FILE *body = NULL;
    if (k->body) { /* an upload through a read callback: curl cannot hash it itself */
        body = fmemopen((void *)k->body, strlen(k->body), "r");
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READDATA, body);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)strlen(k->body));
    }
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
    curl_slist_free_all(cto);
    if (body) fclose(body);
    assert_int_equal(srv.n_req, 1);
    fake_header(srv.req[0].head, "authorization", auth, sizeof auth);
    snprintf(want, sizeof want,
             "AWS4-HMAC-SHA256 Credential=" AWS_KEY "/20130524/us-east-1/s3/aws4_request, "
             "SignedHeaders=%s, Signature=%s",
             k->want_signed_headers, k->want_sig);
    assert_string_equal(auth, want);
    if (k->body) assert_string_equal(srv.req[0].body, k->body);
    fake_server_stop(&srv);
}

static void curl_signs_the_get_object_example(void **state) {
    (void)state;
    const curl_case k = {"GET",           "/test.txt", {"Range: bytes=0-9", NULL, NULL},
                         S3_EMPTY_SHA256, NULL,        "host;range;x-amz-content-sha256;x-amz-date",
                         SIG_GET_OBJECT};
    run_curl_case(&k);
}

static void curl_signs_the_put_object_example_with_our_payload_hash(void **state) {
    (void)state;
    const curl_case k = {"PUT",
                         "/test%24file.text",
                         {"Date: Fri, 24 May 2013 00:00:00 GMT", "x-amz-storage-class: REDUCED_REDUNDANCY", NULL},
                         AWS_PUT_BODY_SHA,
                         AWS_PUT_BODY,
                         "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
                         SIG_PUT_OBJECT};
    run_curl_case(&k);
}

static void curl_signs_our_canonical_query_verbatim(void **state) {
    (void)state;
    static const s3_query_param q[] = {{"prefix", "J"}, {"max-keys", "2"}};
    pp_strbuf pq;
    pp_sb_init(&pq);
    pp_sb_puts(&pq, "/?");
    assert_int_equal(s3_canonical_query(&pq, q, 2), PP_OK);
    const curl_case k = {"GET",           pq.data, {NULL, NULL, NULL},
                         S3_EMPTY_SHA256, NULL,    "host;x-amz-content-sha256;x-amz-date",
                         SIG_LIST_OBJECTS};
    run_curl_case(&k);
    pp_sb_free(&pq);
}

int main(void) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(uri_encoding_follows_sigv4),
        cmocka_unit_test(canonical_query_is_sorted_and_encoded),
        cmocka_unit_test(payload_hash_is_hex_sha256),
        cmocka_unit_test(stream_hash_reads_exactly_n_bytes),
        cmocka_unit_test(independent_signer_matches_aws_examples),
        cmocka_unit_test(curl_signs_the_get_object_example),
        cmocka_unit_test(curl_signs_the_put_object_example_with_our_payload_hash),
        cmocka_unit_test(curl_signs_our_canonical_query_verbatim),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
