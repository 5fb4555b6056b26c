/* A scripted fake CQL server for unit tests: a thread in the test process that
 * listens on 127.0.0.1 (an ephemeral port), accepts one connection and runs the
 * test's scenario on it. Failures seen on the server side are kept in `why` (the
 * first one wins) and reported by fake_join. Header-only (static inline); include
 * after <cmocka.h>. */
#ifndef PINPIPE_CQL_FAKE_SERVER_H
#define PINPIPE_CQL_FAKE_SERVER_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "cql/cql_frame.h"
#include "cql/cql_session.h"
#include "cql_test_support.h"

typedef struct fake_server fake_server;
typedef void (*fake_scenario)(fake_server *f);

struct fake_server {
    int lfd, fd, port;
    pthread_t th;
    fake_scenario run; /* runs on the server thread, with fd the accepted connection */
    void *state;       /* the test's own script and observations */
    char why[512];     /* first failure seen by the server thread ("" = none) */
};

static inline void srv_fail(fake_server *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void srv_fail(fake_server *f, const char *fmt, ...) {
    if (f->why[0]) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->why, sizeof f->why, fmt, ap);
    va_end(ap);
}

static inline int srv_read_n(int fd, uint8_t *p, size_t n) {
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r <= 0) return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* One request frame, its body into *body (reset first). -1 when the client hung up
 * (not a failure by itself: the scenario decides) or sent a bad frame (a failure). */
static inline int srv_read(fake_server *f, pp_cql_header *h, pp_cql_buf *body) {
    uint8_t hdr[PP_CQL_HEADER_LEN];
    pp_cql_buf_reset(body);
    if (srv_read_n(f->fd, hdr, sizeof hdr)) return -1;
    if (pp_cql_header_decode(hdr, sizeof hdr, PP_CQL_V4_REQUEST, 1 << 24, h, NULL, 0) ||
        pp_cql_buf_reserve(body, h->length + 1) || srv_read_n(f->fd, body->data, h->length)) {
        srv_fail(f, "server: bad request frame");
        return -1;
    }
    body->len = h->length;
    return 0;
}

/* One response frame with the given body. */
static inline void srv_send(fake_server *f, int16_t stream, uint8_t opcode, const pp_cql_buf *body) {
    pp_cql_buf out;
    pp_cql_buf_init(&out);
    put_response(&out, stream, opcode, 0, body);
    if (send(f->fd, out.data, out.len, MSG_NOSIGNAL) != (ssize_t)out.len) srv_fail(f, "server: write failed");
    pp_cql_buf_free(&out);
}

/* A Prepared result: statement id, one text bind marker named column, no result columns. */
static inline void srv_send_prepared(fake_server *f, int16_t stream, const char *id, const char *column) {
    pp_cql_buf b;
    pp_cql_buf_init(&b);
    pp_cql_put_i32(&b, PP_CQL_RESULT_PREPARED);
    pp_cql_put_short_bytes(&b, id, strlen(id));
    pp_cql_put_i32(&b, 0x0001); /* global table spec */
    pp_cql_put_i32(&b, 1);
    pp_cql_put_i32(&b, 0); /* no partition key indexes */
    put_str(&b, "ks");
    put_str(&b, "t");
    put_str(&b, column);
    put_opt(&b, PP_CQL_T_VARCHAR);
    pp_cql_put_i32(&b, 0x0004); /* result metadata: no metadata */
    pp_cql_put_i32(&b, 0);
    srv_send(f, stream, PP_CQL_OP_RESULT, &b);
    pp_cql_buf_free(&b);
}

static inline void *fake_server_main(void *arg) {
    fake_server *f = arg;
    f->fd = accept(f->lfd, NULL, NULL);
    if (f->fd < 0) {
        srv_fail(f, "server: accept failed");
        return NULL;
    }
    struct timeval tv = {.tv_sec = 10}; /* a stuck client fails the test, not hangs it */
    setsockopt(f->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    f->run(f);
    close(f->fd);
    return NULL;
}

/* Listens, then serves one connection with run on a thread; f->port is set on return. */
static inline void fake_start(fake_server *f, fake_scenario run, void *state) {
    memset(f, 0, sizeof *f);
    f->run = run;
    f->state = state;
    f->lfd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(f->lfd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    assert_int_equal(bind(f->lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(f->lfd, 4), 0);
    assert_int_equal(getsockname(f->lfd, (struct sockaddr *)&a, &al), 0);
    f->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&f->th, NULL, fake_server_main, f), 0);
}

/* Waits for the scenario to end; fails the test with the server's first failure. */
static inline void fake_join(fake_server *f) {
    pthread_join(f->th, NULL);
    close(f->lfd);
    if (f->why[0]) fail_msg("%s", f->why);
}

/* A session on the fake server f (no authentication) with the one-column insert
 * the writer tests use prepared; both asserted to succeed. */
static inline void fake_session_with_insert(const fake_server *f, pp_cql_session **s, const pp_cql_prepared **stmt) {
    pp_cql_config cfg;
    pp_cql_config_defaults(&cfg);
    cfg.host = "127.0.0.1";
    cfg.port = f->port;
    cfg.user = NULL;
    char err[512] = "";
    assert_int_equal(pp_cql_session_create(&cfg, s, err, sizeof err), PP_OK);
    assert_int_equal(pp_cql_prepare(*s, "INSERT INTO t (v) VALUES (?)", stmt, err, sizeof err), PP_OK);
}

#endif
