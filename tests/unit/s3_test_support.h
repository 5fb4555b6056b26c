/* s3_test_support — shared by the S3 unit tests (header-only; every function is
 * static inline so a test that uses only part of it compiles warning-free):
 *
 *  - test_sigv4_*: an independent AWS SigV4 implementation written from the AWS spec
 *    with libcrypto (HMAC-SHA256), used to predict what curl must send. It is itself
 *    checked against AWS's published S3 examples (test_s3_sign.c).
 *  - fake_server_*: a tiny HTTP/1.1 server on 127.0.0.1 (an ephemeral port) in a
 *    thread. It answers scripted responses in order, one request per connection
 *    (Connection: close), answers "Expect: 100-continue", and records every request
 *    (head and body) for the test to inspect.
 */
#ifndef PINPIPE_S3_TEST_SUPPORT_H
#define PINPIPE_S3_TEST_SUPPORT_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

/* ---- independent SigV4 ---- */

typedef struct {
    const char *name;  /* lower-case */
    const char *value; /* trimmed */
} test_header;

static inline void test_hex(const unsigned char *md, size_t n, char *out) {
    for (size_t i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", md[i]);
}

static inline void test_sha256_hex(const char *s, size_t n, char out[65]) {
    unsigned char md[32];
    unsigned int l = 0;
    EVP_Digest(s, n, md, &l, EVP_sha256(), NULL);
    test_hex(md, 32, out);
}

static inline void test_hmac(const unsigned char *key, size_t klen, const char *msg, unsigned char out[32]) {
    unsigned int l = 32;
    HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg), out, &l);
}

/* The canonical request (AWS: method, URI, query, headers, signed headers, payload
 * hash). headers must be sorted by name. Caller frees. */
static inline char *test_sigv4_canonical(const char *method, const char *uri, const char *query, const test_header *h,
                                         size_t nh, const char *payload_hash) {
    size_t cap = 4096;
    char *out = malloc(cap);
    size_t len = (size_t)snprintf(out, cap, "%s\n%s\n%s\n", method, uri, query);
    for (size_t i = 0; i < nh; i++) len += (size_t)snprintf(out + len, cap - len, "%s:%s\n", h[i].name, h[i].value);
    len += (size_t)snprintf(out + len, cap - len, "\n");
    for (size_t i = 0; i < nh; i++) len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? ";" : "", h[i].name);
    snprintf(out + len, cap - len, "\n%s", payload_hash);
    return out;
}

/* Signature (hex) of a canonical request, for service s3. */
static inline void test_sigv4_signature(const char *canonical, const char *secret, const char *amz_date,
                                        const char *region, char out[65]) {
    char creq_hash[65], sts[512], date[9], ksecret[256];
    unsigned char k1[32], k2[32];
    test_sha256_hex(canonical, strlen(canonical), creq_hash);
    snprintf(date, sizeof date, "%.8s", amz_date);
    snprintf(sts, sizeof sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/s3/aws4_request\n%s", amz_date, date, region, creq_hash);
    snprintf(ksecret, sizeof ksecret, "AWS4%s", secret);
    test_hmac((const unsigned char *)ksecret, strlen(ksecret), date, k1);
    test_hmac(k1, 32, region, k2);
    test_hmac(k2, 32, "s3", k1);
    test_hmac(k1, 32, "aws4_request", k2);
    test_hmac(k2, 32, sts, k1);
    test_hex(k1, 32, out);
}

/* ---- fake HTTP server ---- */

#define FAKE_MAX 16

typedef struct {
    int status;          /* 0: close the connection without answering */
    const char *reason;  /* "OK" when NULL */
    const char *headers; /* extra header lines, each ending in \r\n, or NULL */
    const char *body;    /* NULL: empty */
    size_t body_len;     /* 0: strlen(body) */
    long long announce;  /* >= 0: Content-Length to announce instead of body_len (short body) */
} fake_response;

typedef struct {
    char *head; /* request line and headers, NUL-terminated */
    char *body;
    size_t body_len;
} fake_request;

typedef struct {
    int listen_fd;
    int port;
    const fake_response *script;
    size_t n_script;
    fake_request req[FAKE_MAX];
    size_t n_req;
    pthread_t thread;
} fake_server;

static inline int fake_read_until(int fd, char **buf, size_t *len, size_t *cap, const char *marker, size_t *pos) {
    for (;;) {
        size_t ml = strlen(marker);
        for (size_t i = 0; i + ml <= *len; i++)
            if (!memcmp(*buf + i, marker, ml)) {
                *pos = i + ml;
                return 0;
            }
        if (*len + 4096 + 1 > *cap) {
            *cap = (*cap + 4096) * 2;
            *buf = realloc(*buf, *cap);
        }
        ssize_t n = read(fd, *buf + *len, 4096);
        if (n <= 0) return -1;
        *len += (size_t)n;
    }
}

/* Value of header `name` in a request head, copied to out ("" if absent). */
static inline const char *fake_header(const char *head, const char *name, char *out, size_t cap) {
    size_t nl = strlen(name);
    out[0] = '\0';
    for (const char *p = strstr(head, "\r\n"); p && p[2]; p = strstr(p + 2, "\r\n")) {
        const char *line = p + 2;
        if (!strncasecmp(line, name, nl) && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (*v == ' ') v++;
            const char *e = strstr(v, "\r\n");
            snprintf(out, cap, "%.*s", (int)(e ? e - v : (long)strlen(v)), v);
            return out;
        }
    }
    return out;
}

static inline void fake_write_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) return;
        p += w;
        n -= (size_t)w;
    }
}

static inline void *fake_server_main(void *arg) {
    fake_server *s = arg;
    for (size_t i = 0; i < s->n_script; i++) {
        int fd = accept(s->listen_fd, NULL, NULL);
        if (fd < 0) break;
        size_t cap = 0, len = 0, head_end = 0;
        char *buf = NULL;
        if (fake_read_until(fd, &buf, &len, &cap, "\r\n\r\n", &head_end)) {
            free(buf);
            close(fd);
            i--; /* a probe or aborted connection: not a request */
            continue;
        }
        fake_request *r = &s->req[s->n_req < FAKE_MAX ? s->n_req : FAKE_MAX - 1];
        if (s->n_req < FAKE_MAX) s->n_req++;
        r->head = strndup(buf, head_end);
        char v[64];
        long long clen = atoll(fake_header(r->head, "content-length", v, sizeof v));
        if (*fake_header(r->head, "expect", v, sizeof v)) fake_write_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25);
        while (len - head_end < (size_t)clen) {
            if (len + 65536 + 1 > cap) {
                cap = (len + 65536) * 2;
                buf = realloc(buf, cap);
            }
            ssize_t n = read(fd, buf + len, 65536);
            if (n <= 0) break;
            len += (size_t)n;
        }
        r->body_len = len - head_end;
        r->body = malloc(r->body_len + 1);
        memcpy(r->body, buf + head_end, r->body_len);
        r->body[r->body_len] = '\0';
        free(buf);
        const fake_response *resp = &s->script[i];
        if (resp->status) {
            size_t blen = resp->body ? (resp->body_len ? resp->body_len : strlen(resp->body)) : 0;
            char head[1024];
            int hl =
                snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Length: %lld\r\nConnection: close\r\n%s\r\n",
                         resp->status, resp->reason ? resp->reason : "OK",
                         resp->announce > 0 ? resp->announce : (long long)blen, resp->headers ? resp->headers : "");
            fake_write_all(fd, head, (size_t)hl);
            if (blen) fake_write_all(fd, resp->body, blen);
        }
        shutdown(fd, SHUT_WR);
        close(fd);
    }
    return NULL;
}

/* Starts serving the script; returns the port. */
static inline int fake_server_start(fake_server *s, const fake_response *script, size_t n) {
    memset(s, 0, sizeof *s);
    s->script = script;
    s->n_script = n;
    s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s->listen_fd < 0 || bind(s->listen_fd, (struct sockaddr *)&a, sizeof a) || listen(s->listen_fd, 8)) return -1;
    socklen_t al = sizeof a;
    getsockname(s->listen_fd, (struct sockaddr *)&a, &al);
    s->port = ntohs(a.sin_port);
    pthread_create(&s->thread, NULL, fake_server_main, s);
    return s->port;
}

/* Stops serving (call after the client is done) and frees everything. */
static inline void fake_server_stop(fake_server *s) {
    shutdown(s->listen_fd, SHUT_RDWR); /* wakes accept() if the script was not used up */
    pthread_join(s->thread, NULL);
    close(s->listen_fd);
    for (size_t i = 0; i < s->n_req; i++) {
        free(s->req[i].head);
        free(s->req[i].body);
    }
}

#endif
