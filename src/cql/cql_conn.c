#include "cql/cql_conn.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"
#include "common/mem.h"
#include "cql/cql_stream.h"

#define READ_CHUNK (64 * 1024)
#define MAX_AUTH_ROUNDS 8

enum { S_FREE = 0, S_WAITING, S_READY, S_ABANDONED };

typedef struct {
    int state;
    int64_t deadline_ms;
    uint64_t ready_seq; /* arrival order among ready slots */
    int rc;             /* S_READY: 0 (resp filled) or the failure */
    char *msg;          /* S_READY with rc != 0: why (malloc'd) */
    pp_cql_response resp;
} slot;

struct pp_cql_conn {
    int fd;
    char peer[280];
    int request_timeout_ms;
    size_t max_frame;
    pp_cql_streams ids;
    slot *slots;
    uint64_t seq;
    pp_cql_buf rbuf; /* bytes read, not yet dispatched */
    int broken;
    char broken_msg[640];
};

static int remaining_ms(int64_t deadline) {
    int64_t left = deadline - pp_mono_ms();
    if (left < 0) return 0;
    return left > 0x7fffffff ? 0x7fffffff : (int)left;
}

static void set_broken(pp_cql_conn *c, int rc, const char *fmt, const char *detail) {
    if (c->broken) return;
    c->broken = rc;
    snprintf(c->broken_msg, sizeof c->broken_msg, fmt, c->peer, detail);
    PP_WARN("cql", "%s", c->broken_msg);
}

/* ---- connecting --------------------------------------------------------- */

static int connect_one(const struct addrinfo *ai, int timeout_ms, int *fd_out, int *err_no) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        *err_no = errno;
        return PP_EIO;
    }
    int rc = 0;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS) {
            *err_no = errno;
            rc = PP_EIO;
            goto done;
        }
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        int n;
        do n = poll(&p, 1, timeout_ms);
        while (n < 0 && errno == EINTR);
        if (n == 0) {
            *err_no = ETIMEDOUT;
            rc = PP_ETIMEOUT;
            goto done;
        }
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) {
            *err_no = n < 0 ? errno : (soerr ? soerr : errno);
            rc = PP_EIO;
            goto done;
        }
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
done:
    if (rc)
        close(fd);
    else
        *fd_out = fd;
    return rc;
}

static int tcp_connect(pp_cql_conn *c, const pp_cql_conn_config *cfg, char *err, size_t errlen) {
    char port[16];
    snprintf(port, sizeof port, "%d", cfg->port);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int gai = getaddrinfo(cfg->host, port, &hints, &res);
    if (gai != 0) {
        pp_errf(err, errlen, "cannot resolve %s: %s", c->peer, gai_strerror(gai));
        return PP_EIO;
    }
    int rc = PP_EIO, err_no = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        rc = connect_one(ai, cfg->connect_timeout_ms, &c->fd, &err_no);
        if (rc == 0) break;
    }
    freeaddrinfo(res);
    if (rc == PP_ETIMEOUT)
        pp_errf(err, errlen, "connect to %s: timed out after %d ms", c->peer, cfg->connect_timeout_ms);
    else if (rc)
        pp_errf(err, errlen, "connect to %s: %s", c->peer, strerror(err_no));
    return rc;
}

/* ---- reading and dispatching -------------------------------------------- */

static void slot_fail(pp_cql_conn *c, slot *s, int rc, const char *msg) {
    s->state = S_READY;
    s->rc = rc;
    free(s->msg);
    s->msg = pp_xstrdup(msg);
    s->ready_seq = ++c->seq;
}

static void dispatch(pp_cql_conn *c, const pp_cql_header *h, const uint8_t *body) {
    if (h->stream < 0) return; /* server events: never registered for, ignored */
    if (h->stream >= c->ids.max || !pp_cql_streams_held(&c->ids, h->stream)) {
        PP_WARN("cql", "%s: response on stream %d, which has no request in flight; dropped", c->peer, h->stream);
        return;
    }
    slot *s = &c->slots[h->stream];
    if (s->state == S_ABANDONED) {
        s->state = S_FREE;
        pp_cql_streams_release(&c->ids, h->stream);
        return;
    }
    if (s->state != S_WAITING) {
        PP_WARN("cql", "%s: second response on stream %d; dropped", c->peer, h->stream);
        return;
    }
    char why[200];
    int rc = pp_cql_response_decode(h, body, h->length, &s->resp, why, sizeof why);
    if (rc) {
        slot_fail(c, s, rc, why);
        return;
    }
    s->state = S_READY;
    s->rc = 0;
    s->ready_seq = ++c->seq;
}

/* Dispatches every complete frame in rbuf; keeps the partial rest. */
static void dispatch_all(pp_cql_conn *c) {
    size_t off = 0;
    while (!c->broken && c->rbuf.len - off >= PP_CQL_HEADER_LEN) {
        pp_cql_header h;
        char why[200];
        if (pp_cql_header_decode(c->rbuf.data + off, c->rbuf.len - off, PP_CQL_V4_RESPONSE, c->max_frame, &h, why,
                                 sizeof why)) {
            set_broken(c, PP_EPROTO, "%s: %s", why);
            break;
        }
        if (c->rbuf.len - off - PP_CQL_HEADER_LEN < h.length) {
            /* make room for the whole frame now that its size is known and bounded */
            if (off == 0 && pp_cql_buf_reserve(&c->rbuf, PP_CQL_HEADER_LEN + h.length - c->rbuf.len)) {
                set_broken(c, PP_ENOMEM, "%s: %s", "out of memory for a response frame");
            }
            break;
        }
        dispatch(c, &h, c->rbuf.data + off + PP_CQL_HEADER_LEN);
        off += PP_CQL_HEADER_LEN + h.length;
    }
    if (off) {
        memmove(c->rbuf.data, c->rbuf.data + off, c->rbuf.len - off);
        c->rbuf.len -= off;
    }
}

/* Reads what the socket has (non-blocking); 1 if bytes came, 0 if none, <0 broken. */
static int read_available(pp_cql_conn *c) {
    int got = 0;
    for (;;) {
        if (pp_cql_buf_reserve(&c->rbuf, READ_CHUNK)) {
            set_broken(c, PP_ENOMEM, "%s: %s", "out of memory reading");
            return c->broken;
        }
        ssize_t n = recv(c->fd, c->rbuf.data + c->rbuf.len, c->rbuf.cap - c->rbuf.len, 0);
        if (n > 0) {
            c->rbuf.len += (size_t)n;
            got = 1;
            dispatch_all(c); /* keeps the buffer at about one frame */
            if (c->broken) return c->broken;
            continue;
        }
        if (n == 0) {
            set_broken(c, PP_EIO, "%s: %s", "connection closed by the server");
            return c->broken;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        set_broken(c, PP_EIO, "%s: read: %s", strerror(errno));
        return c->broken;
    }
    return got;
}

/* Waits for input until `deadline` and processes it. 0 after progress or when the
 * deadline passed; <0 when the connection broke. */
static int pump(pp_cql_conn *c, int64_t deadline) {
    struct pollfd p = {.fd = c->fd, .events = POLLIN};
    int n = poll(&p, 1, remaining_ms(deadline));
    if (n < 0) {
        if (errno == EINTR) return 0;
        set_broken(c, PP_EIO, "%s: poll: %s", strerror(errno));
        return c->broken;
    }
    if (n == 0) return 0;
    int rc = read_available(c);
    return rc < 0 ? rc : 0;
}

/* ---- sending ------------------------------------------------------------ */

static int write_all(pp_cql_conn *c, const uint8_t *p, size_t len, int64_t deadline) {
    size_t off = 0;
    while (off < len) {
        ssize_t n = send(c->fd, p + off, len - off, MSG_NOSIGNAL);
        if (n > 0) {
            off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            set_broken(c, PP_EIO, "%s: write: %s", strerror(errno));
            return c->broken;
        }
        /* the socket is full: wait for room, reading responses meanwhile so the
           server is never blocked writing to us while we block writing to it */
        struct pollfd pf = {.fd = c->fd, .events = POLLOUT | POLLIN};
        int r = poll(&pf, 1, remaining_ms(deadline));
        if (r < 0 && errno != EINTR) {
            set_broken(c, PP_EIO, "%s: poll: %s", strerror(errno));
            return c->broken;
        }
        if (r == 0) {
            /* half a frame is on the wire: the stream can no longer be framed */
            set_broken(c, PP_ETIMEOUT, "%s: %s", "timed out writing a request");
            return c->broken;
        }
        if (r > 0 && (pf.revents & (POLLIN | POLLHUP | POLLERR))) {
            int rr = read_available(c);
            if (rr < 0) return rr;
        }
    }
    return 0;
}

int pp_cql_conn_send(pp_cql_conn *c, pp_cql_buf *frame, int *stream, char *err, size_t errlen) {
    *stream = -1;
    if (c->broken) {
        pp_errf(err, errlen, "%s", c->broken_msg);
        return c->broken;
    }
    if (frame->err || frame->len < PP_CQL_HEADER_LEN) {
        pp_errf(err, errlen, "cannot send a malformed request frame");
        return PP_EINVAL;
    }
    int id = pp_cql_streams_alloc(&c->ids);
    if (id < 0) {
        pp_errf(err, errlen, "%s: all %d stream ids are in flight", c->peer, c->ids.max);
        return PP_EINVAL;
    }
    slot *s = &c->slots[id];
    s->state = S_WAITING;
    s->deadline_ms = pp_mono_ms() + c->request_timeout_ms;
    pp_cql_frame_set_stream(frame->data, (int16_t)id);
    int rc = write_all(c, frame->data, frame->len, s->deadline_ms);
    if (rc) {
        s->state = S_FREE;
        pp_cql_streams_release(&c->ids, id);
        pp_errf(err, errlen, "%s", c->broken_msg);
        return rc;
    }
    *stream = id;
    return 0;
}

/* ---- collecting --------------------------------------------------------- */

static void release(pp_cql_conn *c, int stream) {
    slot *s = &c->slots[stream];
    free(s->msg);
    s->msg = NULL;
    s->state = S_FREE;
    pp_cql_streams_release(&c->ids, stream);
}

int pp_cql_conn_wait(pp_cql_conn *c, int stream, pp_cql_response *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    if (stream < 0 || stream >= c->ids.max || c->slots[stream].state == S_FREE ||
        c->slots[stream].state == S_ABANDONED) {
        pp_errf(err, errlen, "stream %d has no request in flight", stream);
        return PP_EINVAL;
    }
    slot *s = &c->slots[stream];
    int last_look = 0;
    for (;;) {
        if (s->state == S_READY) {
            int rc = s->rc;
            if (rc == PP_ETIMEOUT) {
                /* poll already declared it late: abandon it, keeping the id */
                pp_errf(err, errlen, "%s", s->msg ? s->msg : "request timed out");
                free(s->msg);
                s->msg = NULL;
                s->state = S_ABANDONED;
                return rc;
            }
            if (rc)
                pp_errf(err, errlen, "%s", s->msg ? s->msg : "request failed");
            else
                *out = s->resp;
            memset(&s->resp, 0, sizeof s->resp);
            release(c, stream);
            return rc;
        }
        if (c->broken) {
            pp_errf(err, errlen, "%s", c->broken_msg);
            release(c, stream);
            return c->broken;
        }
        if (pp_mono_ms() >= s->deadline_ms) {
            if (!last_look) { /* what already arrived still counts */
                last_look = 1;
                pump(c, 0);
                continue;
            }
            pp_errf(err, errlen, "%s: request timed out after %d ms", c->peer, c->request_timeout_ms);
            s->state = S_ABANDONED;
            return PP_ETIMEOUT;
        }
        pump(c, s->deadline_ms); /* a broken connection is seen at the top of the loop */
    }
}

void pp_cql_conn_abandon(pp_cql_conn *c, int stream) {
    if (stream < 0 || stream >= c->ids.max) return;
    slot *s = &c->slots[stream];
    if (s->state == S_READY) {
        pp_cql_response_clear(&s->resp);
        release(c, stream);
    } else if (s->state == S_WAITING) {
        s->state = c->broken ? S_FREE : S_ABANDONED;
        if (c->broken) pp_cql_streams_release(&c->ids, stream);
    }
}

/* The ready slot that arrived first, or -1. Marks late slots ready (timed out). */
static int first_ready(pp_cql_conn *c, int64_t *earliest) {
    int best = -1;
    int64_t now = pp_mono_ms();
    *earliest = INT64_MAX;
    for (int i = 0; i < c->ids.max; i++) {
        slot *s = &c->slots[i];
        if (s->state == S_WAITING) {
            if (c->broken) {
                slot_fail(c, s, c->broken, c->broken_msg);
            } else if (now >= s->deadline_ms) {
                char msg[360];
                snprintf(msg, sizeof msg, "%s: request timed out after %d ms", c->peer, c->request_timeout_ms);
                slot_fail(c, s, PP_ETIMEOUT, msg);
            } else if (s->deadline_ms < *earliest) {
                *earliest = s->deadline_ms;
            }
        }
        if (s->state == S_READY && (best < 0 || s->ready_seq < c->slots[best].ready_seq)) best = i;
    }
    return best;
}

int pp_cql_conn_poll(pp_cql_conn *c, int timeout_ms, int *stream, char *err, size_t errlen) {
    *stream = -1;
    int64_t until = timeout_ms < 0 ? INT64_MAX : pp_mono_ms() + timeout_ms;
    for (;;) {
        int64_t earliest;
        int ready = first_ready(c, &earliest);
        if (ready >= 0) {
            *stream = ready;
            return 0;
        }
        if (earliest == INT64_MAX) {
            pp_errf(err, errlen, "no request in flight");
            return PP_EINVAL;
        }
        int64_t stop = earliest < until ? earliest : until;
        if (pp_mono_ms() >= until) {
            pp_errf(err, errlen, "no response within %d ms", timeout_ms);
            return PP_ETIMEOUT;
        }
        pump(c, stop);
    }
}

int pp_cql_conn_request(pp_cql_conn *c, pp_cql_buf *frame, pp_cql_response *out, char *err, size_t errlen) {
    int stream;
    memset(out, 0, sizeof *out);
    int rc = pp_cql_conn_send(c, frame, &stream, err, errlen);
    if (rc) return rc;
    return pp_cql_conn_wait(c, stream, out, err, errlen);
}

int pp_cql_conn_inflight(const pp_cql_conn *c) { return c->ids.used; }
int pp_cql_conn_broken(const pp_cql_conn *c) { return c->broken; }
size_t pp_cql_conn_max_frame(const pp_cql_conn *c) { return c->max_frame; }

/* ---- handshake ---------------------------------------------------------- */

static int handshake(pp_cql_conn *c, const pp_cql_conn_config *cfg, int32_t *server_code, char *err, size_t errlen) {
    pp_cql_buf b;
    pp_cql_response resp;
    pp_cql_buf_init(&b);
    memset(&resp, 0, sizeof resp);
    int rc;
    size_t at = pp_cql_frame_begin(&b, PP_CQL_V4_REQUEST, 0, PP_CQL_OP_STARTUP);
    pp_cql_body_startup(&b);
    rc = pp_cql_frame_end(&b, at, c->max_frame, err, errlen);
    if (!rc) rc = pp_cql_conn_request(c, &b, &resp, err, errlen);
    for (int round = 0; !rc; round++) {
        uint8_t op = resp.h.opcode;
        if (op == PP_CQL_OP_READY || op == PP_CQL_OP_AUTH_SUCCESS) break;
        if (op == PP_CQL_OP_ERROR) {
            if (server_code) *server_code = resp.error_code;
            pp_cql_error_format(resp.error_code, resp.message, err, errlen);
            rc = PP_ESERVER;
            break;
        }
        if (op != PP_CQL_OP_AUTHENTICATE && op != PP_CQL_OP_AUTH_CHALLENGE) {
            pp_errf(err, errlen, "%s: unexpected opcode 0x%02x during the handshake", c->peer, op);
            rc = PP_EPROTO;
            break;
        }
        if (op == PP_CQL_OP_AUTHENTICATE && (!cfg->user || !*cfg->user)) {
            pp_errf(err, errlen, "%s requires authentication (%s) but no user is configured", c->peer,
                    resp.message ? resp.message : "?");
            rc = PP_EINVAL;
            break;
        }
        if (round >= MAX_AUTH_ROUNDS) {
            pp_errf(err, errlen, "%s: authentication did not finish in %d rounds", c->peer, MAX_AUTH_ROUNDS);
            rc = PP_EPROTO;
            break;
        }
        if (op == PP_CQL_OP_AUTHENTICATE)
            PP_DEBUG("cql", "%s: authenticating as %s with %s", c->peer, cfg->user, resp.message);
        /* PLAIN answers every challenge with the same token */
        pp_cql_response_clear(&resp);
        pp_cql_buf_reset(&b);
        at = pp_cql_frame_begin(&b, PP_CQL_V4_REQUEST, 0, PP_CQL_OP_AUTH_RESPONSE);
        pp_cql_body_auth_plain(&b, cfg->user, cfg->password ? cfg->password : "");
        rc = pp_cql_frame_end(&b, at, c->max_frame, err, errlen);
        if (!rc) rc = pp_cql_conn_request(c, &b, &resp, err, errlen);
    }
    pp_cql_response_clear(&resp);
    pp_cql_buf_free(&b);
    return rc;
}

int pp_cql_conn_open(const pp_cql_conn_config *cfg, pp_cql_conn **out, int32_t *server_code, char *err, size_t errlen) {
    *out = NULL;
    if (server_code) *server_code = -1;
    if (!cfg->host || !*cfg->host || cfg->port <= 0 || cfg->port > 65535 || cfg->connect_timeout_ms <= 0 ||
        cfg->request_timeout_ms <= 0 || cfg->max_frame < PP_CQL_HEADER_LEN || cfg->max_frame > INT32_MAX) {
        pp_errf(err, errlen, "bad connection settings (host, port, timeouts or max frame)");
        return PP_EINVAL;
    }
    pp_cql_conn *c = pp_xcalloc(1, sizeof *c);
    c->fd = -1;
    c->request_timeout_ms = cfg->request_timeout_ms;
    c->max_frame = cfg->max_frame;
    pp_cql_buf_init(&c->rbuf);
    if (strchr(cfg->host, ':'))
        snprintf(c->peer, sizeof c->peer, "[%s]:%d", cfg->host, cfg->port);
    else
        snprintf(c->peer, sizeof c->peer, "%s:%d", cfg->host, cfg->port);
    int rc = pp_cql_streams_init(&c->ids, cfg->max_streams);
    if (rc) {
        pp_errf(err, errlen, "max_streams must be 1..%d", PP_CQL_MAX_STREAMS);
        goto done;
    }
    c->slots = pp_xcalloc((size_t)cfg->max_streams, sizeof *c->slots);
    rc = tcp_connect(c, cfg, err, errlen);
    if (!rc) rc = handshake(c, cfg, server_code, err, errlen);
done:
    if (rc) {
        pp_cql_conn_close(c);
        return rc;
    }
    PP_DEBUG("cql", "connected to %s", c->peer);
    *out = c;
    return 0;
}

void pp_cql_conn_close(pp_cql_conn *c) {
    if (!c) return;
    if (c->fd >= 0) close(c->fd);
    if (c->slots) {
        for (int i = 0; i < c->ids.max; i++) {
            free(c->slots[i].msg);
            pp_cql_response_clear(&c->slots[i].resp);
        }
    }
    free(c->slots);
    pp_cql_streams_free(&c->ids);
    pp_cql_buf_free(&c->rbuf);
    free(c);
}
