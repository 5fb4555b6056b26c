/* Specification of the connection guard of pinpipe's HTTP servers
 * (src/http/http_guard.c), against a real libmicrohttpd daemon on loopback:
 *  - over the per-address limit a new connection is closed at once, while another
 *    address (127.0.0.2) is still served;
 *  - over the total limit a new connection is closed at once (MHD alone would leave it
 *    waiting in the backlog), and served again once a slot frees;
 *  - a client trickling its request a byte at a time (which never trips MHD's idle
 *    timeout) gets 408 and is closed at the request deadline; a connection that sends
 *    nothing is closed then too; normal requests are served meanwhile.
 * Every wait is bounded (a few seconds); the daemon listens on 127.0.0.1 only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "http/http_guard.h"

typedef struct {
    pp_http_guard *guard;
    struct MHD_Daemon *d;
    int port;
} server;

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *data, size_t *size, void **con_cls) {
    server *s = cls;
    (void)url, (void)method, (void)version, (void)data, (void)size, (void)con_cls;
    pp_http_guard_received(s->guard, c);
    static char ok[] = "ok";
    struct MHD_Response *r = MHD_create_response_from_buffer(2, ok, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result res = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return res;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t) {
    server *s = cls;
    (void)con_cls, (void)t;
    pp_http_guard_done(s->guard, c);
}

static void start(server *s, long max, long per_ip, long timeout_ms) {
    char err[256];
    pp_http_guard_opts o = {.max_connections = max, .per_ip = per_ip, .request_timeout_ms = timeout_ms, .threads = 2};
    assert_int_equal(pp_http_guard_create(&s->guard, &o, "test", err, sizeof err), PP_OK);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_ANY);
    struct MHD_OptionItem ops[4 + PP_HTTP_GUARD_MHD_OPTIONS] = {
        {MHD_OPTION_SOCK_ADDR, 0, &sa},
        {MHD_OPTION_CONNECTION_TIMEOUT, 30, NULL}, /* idle: longer than every wait below */
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)completed, s},
        {MHD_OPTION_THREAD_POOL_SIZE, 2, NULL},
    };
    size_t n = 4 + pp_http_guard_mhd_options(s->guard, ops + 4, PP_HTTP_GUARD_MHD_OPTIONS);
    assert_int_equal(n, 4 + PP_HTTP_GUARD_MHD_OPTIONS);
    struct MHD_OptionItem all[4 + PP_HTTP_GUARD_MHD_OPTIONS + 1];
    memcpy(all, ops, sizeof ops);
    all[n] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, pp_http_guard_accept, s->guard, handler,
                            s, MHD_OPTION_ARRAY, all, MHD_OPTION_END);
    assert_non_null(s->d);
    s->port = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT)->port;
}

static void stop(server *s) {
    MHD_stop_daemon(s->d);
    pp_http_guard_destroy(s->guard);
}

/* A connection from `from` (e.g. "127.0.0.2") to the server, with a receive timeout. */
static int dial(const server *s, const char *from, int rcv_timeout_s) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct timeval tv = {rcv_timeout_s, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (from) {
        struct sockaddr_in src = {.sin_family = AF_INET};
        inet_pton(AF_INET, from, &src.sin_addr);
        assert_int_equal(bind(fd, (struct sockaddr *)&src, sizeof src), 0);
    }
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->port)};
    inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&dst, sizeof dst), 0);
    return fd;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Waits (bounded) until the guard counts `open` connections. */
static void wait_open(server *s, long open) {
    pp_http_guard_stats st;
    for (int i = 0; i < 500; i++) {
        pp_http_guard_stats_get(s->guard, &st);
        if (st.open == open) return;
        sleep_ms(10);
    }
    fail_msg("the guard counts %ld open connections, want %ld", st.open, open);
}

/* Reads until EOF or error; returns what arrived, or -1 when the receive timed out
 * (the connection stayed open). */
static ssize_t read_all(int fd, char *buf, size_t cap) {
    size_t n = 0;
    for (;;) {
        ssize_t r = recv(fd, buf + n, cap - 1 - n, 0);
        if (r > 0) {
            n += (size_t)r;
            if (n == cap - 1) break;
            continue;
        }
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return -1;
        break; /* EOF or reset: closed */
    }
    buf[n] = '\0';
    return (ssize_t)n;
}

/* A complete GET on a new connection from `from`; returns 1 when answered 200. */
static int get_ok(const server *s, const char *from) {
    int fd = dial(s, from, 5);
    const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    ssize_t w = send(fd, req, sizeof req - 1, MSG_NOSIGNAL);
    char buf[512];
    ssize_t n = w == (ssize_t)(sizeof req - 1) ? read_all(fd, buf, sizeof buf) : -1;
    close(fd);
    return n > 0 && !strncmp(buf, "HTTP/1.1 200", 12);
}

static void test_per_address_limit_closes_at_once(void **state) {
    (void)state;
    server s;
    start(&s, 16, 3, 10000);
    int held[3];
    for (int i = 0; i < 3; i++) held[i] = dial(&s, NULL, 5);
    wait_open(&s, 3);
    double t0 = now_s();
    int extra = dial(&s, NULL, 3);
    char buf[64];
    ssize_t n = read_all(extra, buf, sizeof buf);
    if (n < 0) fail_msg("a 4th connection from one address stayed open (per-address limit 3)");
    assert_int_equal(n, 0);
    assert_true(now_s() - t0 < 2.5);
    close(extra);
    assert_true(get_ok(&s, "127.0.0.2")); /* another address is served */
    pp_http_guard_stats st;
    pp_http_guard_stats_get(s.guard, &st);
    assert_int_equal(st.refused_per_ip, 1);
    assert_int_equal(st.refused_total, 0);
    for (int i = 0; i < 3; i++) close(held[i]);
    wait_open(&s, 0);
    assert_true(get_ok(&s, NULL)); /* slots free again */
    stop(&s);
}

static void test_total_limit_closes_at_once(void **state) {
    (void)state;
    server s;
    start(&s, 4, 0, 10000);
    int held[4];
    for (int i = 0; i < 4; i++) held[i] = dial(&s, i % 2 ? "127.0.0.3" : NULL, 5);
    wait_open(&s, 4);
    int extra = dial(&s, "127.0.0.4", 3);
    char buf[64];
    ssize_t n = read_all(extra, buf, sizeof buf);
    if (n < 0) fail_msg("a 5th connection stayed open (waiting) over the total limit 4");
    close(extra);
    pp_http_guard_stats st;
    pp_http_guard_stats_get(s.guard, &st);
    assert_int_equal(st.refused_total, 1);
    close(held[0]);
    wait_open(&s, 3);
    assert_true(get_ok(&s, NULL));
    for (int i = 1; i < 4; i++) close(held[i]);
    stop(&s);
}

static void test_trickling_client_gets_408_at_the_deadline(void **state) {
    (void)state;
    server s;
    start(&s, 16, 0, 1000);
    int slow = dial(&s, NULL, 1);
    int silent = dial(&s, NULL, 1);
    const char line[] = "POST /pin/ HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    assert_int_equal(send(slow, line, sizeof line - 1, MSG_NOSIGNAL), (ssize_t)(sizeof line - 1));
    double t0 = now_s();
    char buf[1024];
    ssize_t n = -1;
    /* a byte every 200 ms, for at most 6 s: MHD's idle timeout (30 s) never trips */
    while (now_s() - t0 < 6) {
        if (send(slow, "a", 1, MSG_NOSIGNAL) != 1) break;
        struct timeval tv = {0, 200000};
        setsockopt(slow, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        n = read_all(slow, buf, sizeof buf);
        if (n >= 0) break;
    }
    if (n < 0) fail_msg("a trickling client was still connected after 6 s (deadline 1 s)");
    if (strncmp(buf, "HTTP/1.1 408", 12) != 0) fail_msg("trickling client got '%.40s', want a 408", buf);
    assert_non_null(strstr(buf, PP_HTTP_GUARD_408_BODY));
    double took = now_s() - t0;
    assert_true(took >= 0.8 && took < 4);
    /* the silent one is closed without an answer */
    struct timeval tv = {4, 0};
    setsockopt(silent, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    n = read_all(silent, buf, sizeof buf);
    if (n < 0) fail_msg("a connection that sent nothing was still open after the deadline");
    assert_int_equal(n, 0);
    assert_true(get_ok(&s, NULL)); /* normal requests are served */
    pp_http_guard_stats st;
    pp_http_guard_stats_get(s.guard, &st);
    assert_true(st.timeouts >= 2);
    close(slow);
    close(silent);
    stop(&s);
}

static void test_bad_options_are_refused(void **state) {
    (void)state;
    char err[256];
    pp_http_guard *g = NULL;
    pp_http_guard_opts o = {.max_connections = 0, .per_ip = 0, .request_timeout_ms = 1000, .threads = 1};
    assert_int_equal(pp_http_guard_create(&g, &o, "t", err, sizeof err), PP_EINVAL);
    o.max_connections = 1;
    o.per_ip = -1;
    assert_int_equal(pp_http_guard_create(&g, &o, "t", err, sizeof err), PP_EINVAL);
    o.per_ip = 0;
    o.request_timeout_ms = 0;
    assert_int_equal(pp_http_guard_create(&g, &o, "t", err, sizeof err), PP_EINVAL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_per_address_limit_closes_at_once),
        cmocka_unit_test(test_total_limit_closes_at_once),
        cmocka_unit_test(test_trickling_client_gets_408_at_the_deadline),
        cmocka_unit_test(test_bad_options_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
