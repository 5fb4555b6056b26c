/* fuzz_api — the ingest API's request path, whole: the real server (api_server.c:
 * libmicrohttpd, routing, auth, POST /pin/ in api_ingest.c, the answers of api_reply.c)
 * listening on 127.0.0.1, with a fake Kafka producer and health probe
 * (fake_kafka.h). Each input is written to a fresh loopback connection as raw
 * request bytes; the first answer is read and the connection reset.
 *
 * Input: one control byte, then the request bytes. The control byte gives
 *   bits 0-2   what Kafka does with a record (fake_kafka_outcome);
 *   bit 3      the server has a bearer token ("fuzz-token"), else no auth;
 *   bit 4      the health probe says Kafka is unreachable.
 * The request is completed the way a patient client would complete it, so that the
 * server can answer at once instead of waiting for its connection timeout (MHD does
 * not notice a half-closed client): headers without their blank line get it, a body
 * shorter than its Content-Length is padded with spaces (JSON whitespace), a chunked
 * body gets a last chunk.
 * Properties, for every input:
 *   - the server never crashes, leaks or reads out of bounds (ASan, UBSan);
 *   - a plain complete request (one Content-Length, no Transfer-Encoding) is answered
 *     within ANSWER_DEADLINE_S: no request is left hanging (e.g. suspended forever);
 *   - whatever it hands the producer keeps the Kafka contract (fake_kafka.c);
 *   - its first answer is a well-formed HTTP/1.x status line, a 500 only when Kafka
 *     refused a record for good (not for its size: that is a 413), and a JSON
 *     answer's body is one JSON document.
 */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "api/api_server.h"
#include "common/error.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "fake_kafka.h"
#include "fuzz_support.h"
#include "kafka/kafka_conf.h"

#define MAX_BODY 16384
#define ANSWER_DEADLINE_S 10
#define IDLE_MS 100 /* no byte for this long: the server waits for more, give up */
#define MAX_ANSWER (1 << 20)

static int g_port[2]; /* [0] no auth, [1] with a token */

static int start_server(const char *token) {
    pp_api_opts o;
    pp_kafka_conf kc;
    pp_api_server *s;
    char err[512];
    pp_api_opts_init(&o);
    o.address = "127.0.0.1";
    o.port = 0;
    o.threads = 1;
    o.max_body = MAX_BODY;
    o.connection_timeout_s = 2;
    o.produce_timeout_ms = 1000;
    o.auth_token = token;
    FUZZ_CHECK(pp_kafka_conf_init(&kc, err, sizeof err) == PP_OK, "kafka conf: %s", err);
    FUZZ_CHECK(pp_api_server_create(&s, &o, &kc, err, sizeof err) == PP_OK, "api server: %s", err);
    pp_kafka_conf_free(&kc);
    return pp_api_server_port(s); /* the server lives as long as the process */
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    pp_log_set_level(PP_LOG_ERROR);
    fake_kafka_set_max_value(MAX_BODY);
    g_port[0] = start_server(NULL);
    g_port[1] = start_server("fuzz-token");
    return 0;
}

static int connect_to(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    FUZZ_CHECK(fd >= 0, "socket: %s", strerror(errno));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct linger reset = {.l_onoff = 1, .l_linger = 0}; /* close = RST: the server lets go at once */
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    struct timeval tv = {ANSWER_DEADLINE_S, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    FUZZ_CHECK(connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0, "connect: %s", strerror(errno));
    return fd;
}

/* Writes what the server takes; it may close early (an answer before the body). */
static void send_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        p += w;
        n -= (size_t)w;
    }
}

/* The value of header `name` in the head h[0..n) (after the request line), or NULL;
 * *count gets how many times it occurs. */
static const char *find_header(const char *h, size_t n, const char *name, int *count) {
    const char *found = NULL;
    size_t len = strlen(name);
    *count = 0;
    for (const char *line = memchr(h, '\n', n); line; line = memchr(line, '\n', (size_t)(h + n - line))) {
        line++;
        if ((size_t)(h + n - line) > len && !strncasecmp(line, name, len) && line[len] == ':') {
            found = line + len + 1;
            (*count)++;
        }
    }
    return found;
}

/* A head the server must answer: "METHOD /path HTTP/1.x", then "Name: value" lines
 * of printable bytes (names are tokens), CRLF line ends throughout. */
static int plain_head(const char *h, size_t n) {
    static const char *const METHODS[] = {"GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS ", "PATCH "};
    size_t i = 0, m;
    for (m = 0; m < sizeof METHODS / sizeof METHODS[0]; m++)
        if (n > strlen(METHODS[m]) && !memcmp(h, METHODS[m], strlen(METHODS[m]))) break;
    if (m == sizeof METHODS / sizeof METHODS[0]) return 0;
    i = strlen(METHODS[m]);
    if (i >= n || h[i] != '/') return 0;
    while (i < n && h[i] > ' ' && h[i] < 0x7f) i++;
    if (n - i < 10 || (memcmp(h + i, " HTTP/1.1\r\n", 11) && memcmp(h + i, " HTTP/1.0\r\n", 11))) return 0;
    for (i += 11; i < n;) { /* one header line */
        size_t name = i;
        while (i < n && h[i] > ' ' && h[i] < 0x7f && h[i] != ':' && !strchr("()<>@,;\\\"/[]?={}", h[i])) i++;
        if (i == name || i >= n || h[i] != ':') return 0;
        for (i++; i < n && h[i] != '\r'; i++)
            if ((unsigned char)h[i] < ' ' && h[i] != '\t') return 0;
        if (i + 1 >= n || h[i + 1] != '\n') return i + 1 >= n; /* the last line ends at the head's end */
        i += 2;
    }
    return 1;
}

/* The request to send (see the top of the file); *plain: a plain head (above) with at
 * most one Content-Length and no Transfer-Encoding: the server has all it needs to
 * answer. */
static void complete_request(const char *req, size_t n, pp_strbuf *out, int *plain) {
    pp_sb_append(out, req, n);
    const char *end = memmem(out->data, out->len, "\r\n\r\n", 4);
    if (!end) {
        pp_sb_puts(out, "\r\n\r\n");
        end = out->data + out->len - 4;
    }
    size_t head = (size_t)(end - out->data), have = out->len - head - 4;
    int ncl, nte;
    const char *cl = find_header(out->data, head, "Content-Length", &ncl);
    const char *te = find_header(out->data, head, "Transfer-Encoding", &nte);
    *plain = 0;
    if (te) {
        pp_sb_puts(out, "\r\n0\r\n\r\n");
        return;
    }
    char *stop;
    unsigned long long want = cl ? strtoull(cl, &stop, 10) : 0;
    if (ncl > 1 || (cl && (*stop != '\r' || !memchr("0123456789", cl[strspn(cl, " \t")], 10)))) return;
    *plain = plain_head(out->data, head);
    if (want > MAX_BODY) return; /* answered 413 before the body */
    for (; have < want; have++) pp_sb_putc(out, ' ');
}

/* Bytes of the first answer in buf[0..n) when it is complete, else 0. An answer to
 * HEAD has no body, whatever its Content-Length says. */
static int g_head;

static size_t answer_len(const char *buf, size_t n) {
    const char *end = memmem(buf, n, "\r\n\r\n", 4);
    if (!end) return 0;
    size_t head = (size_t)(end - buf) + 4;
    int count;
    const char *cl = find_header(buf, head, "Content-Length", &count);
    size_t body = cl && !g_head ? (size_t)strtoull(cl, NULL, 10) : 0;
    return n - head >= body ? head + body : 0;
}

/* Reads the first answer: until it is complete, the server closes, or (unless
 * `plain`) nothing comes for IDLE_MS. Returns the byte count. */
static size_t read_answer(int fd, char *buf, size_t cap, int plain) {
    size_t n = 0;
    int waited_ms = 0, wait_ms = plain ? ANSWER_DEADLINE_S * 1000 : IDLE_MS;
    while (n < cap && !answer_len(buf, n)) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int k = poll(&p, 1, wait_ms - waited_ms);
        if (k < 0 && errno == EINTR) continue;
        if (k == 0) {
            FUZZ_CHECK(!plain || n > 0, "a complete request got no answer within %d s", ANSWER_DEADLINE_S);
            break; /* waits for more bytes than we send: nothing to check */
        }
        ssize_t r = recv(fd, buf + n, cap - n, 0);
        if (r <= 0) break; /* closed (or reset) */
        n += (size_t)r;
    }
    return n;
}

/* The first answer in buf[0..n): status line, and a JSON body when it says so. */
static void check_answer(const char *buf, size_t n, int refused) {
    if (n == 0) return; /* closed without answering: allowed (MHD drops some requests) */
    FUZZ_CHECK(n >= 12 && (memcmp(buf, "HTTP/1.1 ", 9) == 0 || memcmp(buf, "HTTP/1.0 ", 9) == 0),
               "not an HTTP status line: %.40s", buf);
    int status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
    FUZZ_CHECK(status >= 100 && status <= 599, "status %.3s", buf + 9);
    FUZZ_CHECK(status != 500 || refused, "the API answered 500, and Kafka refused nothing");
    size_t len = answer_len(buf, n);
    if (!len) return; /* incomplete: the server closed first */
    const char *body = (const char *)memmem(buf, n, "\r\n\r\n", 4) + 4;
    size_t body_len = len - (size_t)(body - buf);
    int count;
    const char *ct = find_header(buf, (size_t)(body - buf), "Content-Type", &count);
    if (!ct || strncmp(ct, " application/json", 17) != 0 || body_len == 0) return;
    json_t *root = fuzz_json_parse(body, body_len);
    FUZZ_CHECK(root != NULL, "a JSON answer (%d) is not JSON", status);
    json_decref(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char answer[MAX_ANSWER];
    if (size < 1) return 0;
    unsigned char ctl = data[0];
    fake_kafka_set_outcome((fake_kafka_outcome)(ctl & 7));
    fake_kafka_set_reachable(!(ctl & 0x10));
    long refused = fake_kafka_refused_for_good();
    pp_strbuf req;
    pp_sb_init(&req);
    int plain;
    complete_request((const char *)data + 1, size - 1, &req, &plain);
    g_head = size > 5 && memcmp(data + 1, "HEAD ", 5) == 0;
    int fd = connect_to(g_port[(ctl >> 3) & 1]);
    send_all(fd, req.data, req.len);
    size_t n = read_answer(fd, answer, sizeof answer, plain);
    close(fd);
    check_answer(answer, n, fake_kafka_refused_for_good() > refused);
    pp_sb_free(&req);
    return 0;
}
