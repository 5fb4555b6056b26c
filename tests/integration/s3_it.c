/* Integration specification of pinpipe's S3 client against the local S3 server
 * (versitygw, SigV4 checked): bash ci/services.sh up s3, settings from
 * ci/services/env.sh (PINPIPE_S3_*). Everything happens under a key prefix unique to
 * this run, deleted at the end. Skipped when PINPIPE_IT_SERVICES is set without s3. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/error.h"
#include "s3/s3_client.h"

#define BIG (8 * 1024 * 1024 + 123) /* a multi-megabyte object, not a round size */

static char g_prefix[128];
static s3_client *g_c;
static s3_config g_cfg;

static void key_for(char *out, size_t cap, const char *rest) { snprintf(out, cap, "%s%s", g_prefix, rest); }

static void wait_ready(s3_client *c) {
    char err[1024] = "";
    for (int i = 0; i < 150; i++) { /* readiness: a real list request answered, up to ~30 s */
        s3_list_page p;
        s3_list_opts o = {.max_keys = 1};
        int rc = s3_list_page_get(c, &o, NULL, &p, err, sizeof err);
        s3_list_page_free(&p);
        if (rc == PP_OK) return;
        struct timespec ts = {0, 200 * 1000000L};
        nanosleep(&ts, NULL);
    }
    fail_msg("S3 server at %s not ready: %s", g_cfg.endpoint, err);
}

static int setup(void **state) {
    (void)state;
    char err[1024];
    s3_config_defaults(&g_cfg);
    s3_config_from_env(&g_cfg);
    if (!g_cfg.bucket) g_cfg.bucket = "pinpipe-lake";
    if (!g_cfg.access_key) g_cfg.access_key = "pinpipe";
    if (!g_cfg.secret_key) g_cfg.secret_key = "pinpipe-secret-key";
    snprintf(g_prefix, sizeof g_prefix, "it/s3_it-%ld-%ld/", (long)getpid(), (long)time(NULL));
    if (s3_client_create(&g_cfg, &g_c, err, sizeof err)) {
        fprintf(stderr, "s3_it: %s\n", err);
        return -1;
    }
    wait_ready(g_c);
    return 0;
}

typedef struct {
    s3_client *c;
    int deleted;
    int failed;
} cleaner;

static int delete_entry(void *ud, const s3_list_entry *e) {
    cleaner *cl = ud;
    char err[1024];
    if (s3_delete(cl->c, e->key, err, sizeof err)) {
        fprintf(stderr, "cleanup: %s\n", err);
        cl->failed++;
    } else {
        cl->deleted++;
    }
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char err[1024];
    cleaner cl = {g_c, 0, 0};
    s3_list_opts o = {.prefix = g_prefix};
    int rc = s3_list_all(g_c, &o, delete_entry, &cl, err, sizeof err);
    if (rc) fprintf(stderr, "cleanup: %s\n", err);
    s3_client_destroy(g_c);
    return rc || cl.failed ? -1 : 0;
}

static void create_bucket_is_idempotent(void **state) {
    (void)state;
    char err[1024];
    assert_int_equal(s3_create_bucket(g_c, err, sizeof err), PP_OK);
    assert_int_equal(s3_create_bucket(g_c, err, sizeof err), PP_OK);
}

/* ---- an 8 MiB object, byte for byte ---- */

typedef struct {
    EVP_MD_CTX *md;
    size_t bytes, calls;
} hash_sink;

static int hash_piece(void *ud, const void *p, size_t n) {
    hash_sink *h = ud;
    EVP_DigestUpdate(h->md, p, n);
    h->bytes += n;
    h->calls++;
    return 0;
}

static void sha256(const void *p, size_t n, unsigned char out[32]) {
    unsigned int l = 32;
    EVP_Digest(p, n, out, &l, EVP_sha256(), NULL);
}

static void assert_streams_back(const char *key, const unsigned char *want_sha, size_t want_len) {
    char err[1024];
    hash_sink h = {EVP_MD_CTX_new(), 0, 0};
    EVP_DigestInit_ex(h.md, EVP_sha256(), NULL);
    s3_object_meta m;
    assert_int_equal(s3_get(g_c, key, hash_piece, &h, &m, err, sizeof err), PP_OK);
    unsigned char got[32];
    unsigned int l = 32;
    EVP_DigestFinal_ex(h.md, got, &l);
    EVP_MD_CTX_free(h.md);
    assert_int_equal(h.bytes, want_len);
    assert_true(h.calls > 1); /* it came in pieces: never whole in memory */
    assert_memory_equal(got, want_sha, 32);
    assert_int_equal(m.size, (long long)want_len);
}

static void big_object_round_trips_from_memory_and_from_a_stream(void **state) {
    (void)state;
    char err[1024], k1[256], k2[256];
    unsigned char *data = malloc(BIG), sha[32];
    assert_int_equal(RAND_bytes(data, BIG), 1);
    sha256(data, BIG, sha);
    key_for(k1, sizeof k1, "big/from-memory.bin");
    key_for(k2, sizeof k2, "big/from-stream.bin");

    /* from memory: the payload's SHA-256 is signed, the server checks it */
    assert_int_equal(s3_put_buffer(g_c, k1, data, BIG, NULL, err, sizeof err), PP_OK);
    assert_streams_back(k1, sha, BIG);

    /* from a stream: UNSIGNED-PAYLOAD */
    FILE *f = tmpfile();
    assert_int_equal(fwrite(data, 1, BIG, f), BIG);
    rewind(f);
    assert_int_equal(s3_put_stream(g_c, k2, f, BIG, "application/octet-stream", err, sizeof err), PP_OK);
    assert_streams_back(k2, sha, BIG);

    /* into a FILE*, compared byte for byte */
    FILE *out = tmpfile();
    assert_int_equal(s3_get_to_file(g_c, k2, out, NULL, err, sizeof err), PP_OK);
    assert_int_equal(ftell(out), BIG);
    rewind(out);
    unsigned char *back = malloc(BIG);
    assert_int_equal(fread(back, 1, BIG, out), BIG);
    assert_memory_equal(back, data, BIG);
    fclose(out);
    fclose(f);
    free(back);
    free(data);
}

static void signed_streams_round_trip_too(void **state) {
    (void)state;
    char err[1024], k[256];
    s3_config cfg = g_cfg;
    cfg.sign_streams = 1; /* hash the file first, sign the real payload hash */
    s3_client *c;
    assert_int_equal(s3_client_create(&cfg, &c, err, sizeof err), PP_OK);
    key_for(k, sizeof k, "signed-stream.txt");
    FILE *f = tmpfile();
    fputs("a streamed body whose hash is signed\n", f);
    rewind(f);
    assert_int_equal(s3_put_stream(c, k, f, 37, NULL, err, sizeof err), PP_OK);
    char *data;
    size_t len;
    assert_int_equal(s3_get_to_buffer(c, k, 1024, &data, &len, err, sizeof err), PP_OK);
    assert_string_equal(data, "a streamed body whose hash is signed\n");
    free(data);
    fclose(f);
    s3_client_destroy(c);
}

static void head_reports_size_and_etag_and_delete_makes_it_not_found(void **state) {
    (void)state;
    char err[1024], k[256];
    key_for(k, sizeof k, "head/obj.txt");
    const char body[] = "0123456789abcdef";
    assert_int_equal(s3_put_buffer(g_c, k, body, 16, "text/plain", err, sizeof err), PP_OK);
    s3_object_meta m;
    assert_int_equal(s3_head(g_c, k, &m, err, sizeof err), PP_OK);
    assert_int_equal(m.size, 16);
    /* single-part ETag = quoted hex MD5 of the body */
    assert_string_equal(m.etag, "\"4032af8d61035123906e58e067140cc5\"");
    assert_string_equal(m.content_type, "text/plain");
    assert_true(m.last_modified[0] != '\0');

    assert_int_equal(s3_delete(g_c, k, err, sizeof err), PP_OK);
    assert_int_equal(s3_head(g_c, k, &m, err, sizeof err), PP_ENOTFOUND);
    char *data = NULL;
    size_t len;
    assert_int_equal(s3_get_to_buffer(g_c, k, 100, &data, &len, err, sizeof err), PP_ENOTFOUND);
    assert_non_null(strstr(err, "404 NoSuchKey"));
    assert_int_equal(s3_delete(g_c, k, err, sizeof err), PP_OK); /* deleting again: fine */
}

/* ---- listing across pages ---- */

typedef struct {
    int seen[25];
    int n, other;
    size_t plen;
} key_census;

static int census(void *ud, const s3_list_entry *e) {
    key_census *c = ud;
    int i;
    if (sscanf(e->key + c->plen, "k%02d", &i) == 1 && i >= 0 && i < 25 && e->size == 2)
        c->seen[i]++;
    else
        c->other++;
    c->n++;
    return 0;
}

static void list_follows_continuation_tokens(void **state) {
    (void)state;
    char err[1024], prefix[256], k[300];
    key_for(prefix, sizeof prefix, "list/");
    for (int i = 0; i < 25; i++) {
        snprintf(k, sizeof k, "%sk%02d", prefix, i);
        assert_int_equal(s3_put_buffer(g_c, k, "xy", 2, NULL, err, sizeof err), PP_OK);
    }
    /* page by page: 10 + 10 + 5 */
    s3_list_opts o = {.prefix = prefix, .max_keys = 10};
    char *token = NULL;
    size_t sizes[8];
    int pages = 0;
    for (;;) {
        s3_list_page p;
        assert_int_equal(s3_list_page_get(g_c, &o, token, &p, err, sizeof err), PP_OK);
        assert_true(pages < 8);
        sizes[pages++] = p.n_entries;
        free(token);
        token = p.next_token;
        p.next_token = NULL;
        int more = p.is_truncated;
        s3_list_page_free(&p);
        if (!more) break;
        assert_non_null(token);
    }
    free(token);
    assert_int_equal(pages, 3);
    assert_int_equal(sizes[0], 10);
    assert_int_equal(sizes[1], 10);
    assert_int_equal(sizes[2], 5);
    /* all pages: every key exactly once */
    key_census c = {.plen = strlen(prefix)};
    assert_int_equal(s3_list_all(g_c, &o, census, &c, err, sizeof err), PP_OK);
    assert_int_equal(c.n, 25);
    assert_int_equal(c.other, 0);
    for (int i = 0; i < 25; i++) assert_int_equal(c.seen[i], 1);
    /* a prefix that matches nothing: an empty listing, not an error */
    key_census none = {.plen = 0};
    s3_list_opts o2 = {.prefix = "it/no-such-prefix-at-all/"};
    assert_int_equal(s3_list_all(g_c, &o2, census, &none, err, sizeof err), PP_OK);
    assert_int_equal(none.n, 0);
}

/* ---- keys that need encoding ---- */

typedef struct {
    const char *want;
    int found;
} find_key;

static int find(void *ud, const s3_list_entry *e) {
    find_key *f = ud;
    if (!strcmp(e->key, f->want)) f->found++;
    return 0;
}

static void odd_keys_round_trip(void **state) {
    (void)state;
    static const char *const names[] = {
        "with space.txt",
        "a=b&c=d.txt",
        "plus+percent%25+tilde~.txt",
        "\xc3\xbcnic\xc3\xb6"
        "de/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xf0\x9f\x93\x8c.txt",
        "punct!*'();:@$,?#[].txt",
        "dt=2024-01-01/pins-0-0.jsonl",
        "trailing space ",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char err[1024], k[512], *data = NULL;
        size_t len = 0;
        key_for(k, sizeof k, "odd/");
        strcat(k, names[i]);
        assert_int_equal(s3_put_buffer(g_c, k, names[i], strlen(names[i]), NULL, err, sizeof err), PP_OK);
        if (s3_get_to_buffer(g_c, k, 4096, &data, &len, err, sizeof err)) fail_msg("'%s': %s", k, err);
        assert_string_equal(data, names[i]);
        free(data);
        s3_object_meta m;
        assert_int_equal(s3_head(g_c, k, &m, err, sizeof err), PP_OK);
        assert_int_equal(m.size, (long long)strlen(names[i]));
        find_key fk = {k, 0};
        s3_list_opts o = {.prefix = k}; /* the key itself as a prefix: encoded in the query */
        assert_int_equal(s3_list_all(g_c, &o, find, &fk, err, sizeof err), PP_OK);
        if (fk.found != 1) fail_msg("'%s' listed %d times", k, fk.found);
    }
}

/* ---- signatures are checked ---- */

static void a_wrong_secret_is_refused_with_the_servers_code(void **state) {
    (void)state;
    char err[1024], k[256];
    s3_config bad = g_cfg;
    bad.secret_key = "not-the-secret";
    bad.max_attempts = 1;
    s3_client *c;
    assert_int_equal(s3_client_create(&bad, &c, err, sizeof err), PP_OK);
    key_for(k, sizeof k, "forbidden.txt");
    assert_int_equal(s3_put_buffer(c, k, "x", 1, NULL, err, sizeof err), PP_ESERVER);
    char want[512];
    snprintf(want, sizeof want, "S3 PUT %s/%s: 403 SignatureDoesNotMatch: ", g_cfg.bucket, k);
    if (strncmp(err, want, strlen(want))) fail_msg("got '%s', want it to start with '%s'", err, want);
    s3_list_page p;
    assert_int_equal(s3_list_page_get(c, NULL, NULL, &p, err, sizeof err), PP_ESERVER);
    assert_non_null(strstr(err, "403 SignatureDoesNotMatch"));
    s3_client_destroy(c);
    /* and nothing was stored */
    s3_object_meta m;
    assert_int_equal(s3_head(g_c, k, &m, err, sizeof err), PP_ENOTFOUND);
}

static void an_unknown_access_key_is_refused(void **state) {
    (void)state;
    char err[1024];
    s3_config bad = g_cfg;
    bad.access_key = "NOSUCHKEY";
    bad.max_attempts = 1;
    s3_client *c;
    assert_int_equal(s3_client_create(&bad, &c, err, sizeof err), PP_OK);
    s3_list_page p;
    /* AWS: 403 InvalidAccessKeyId; versitygw: 404 XAdminUserNotFound. Either way a
     * server error with the server's code, never "not found". */
    assert_int_equal(s3_list_page_get(c, NULL, NULL, &p, err, sizeof err), PP_ESERVER);
    if (!strstr(err, "InvalidAccessKeyId") && !strstr(err, "XAdminUserNotFound")) fail_msg("unexpected error: %s", err);
    s3_client_destroy(c);
}

int main(void) {
    const char *svcs = getenv("PINPIPE_IT_SERVICES");
    if (svcs && *svcs && !strstr(svcs, "s3")) {
        printf("s3_it: SKIP (s3 not in PINPIPE_IT_SERVICES)\n");
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(create_bucket_is_idempotent),
        cmocka_unit_test(big_object_round_trips_from_memory_and_from_a_stream),
        cmocka_unit_test(signed_streams_round_trip_too),
        cmocka_unit_test(head_reports_size_and_etag_and_delete_makes_it_not_found),
        cmocka_unit_test(list_follows_continuation_tokens),
        cmocka_unit_test(odd_keys_round_trip),
        cmocka_unit_test(a_wrong_secret_is_refused_with_the_servers_code),
        cmocka_unit_test(an_unknown_access_key_is_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
