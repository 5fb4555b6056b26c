#include "http/http_guard.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"
#include "common/mem.h"

#define IP_BUCKETS 1024
#define KILL_GRACE_US 500000 /* after a 408: time for it to leave before the full close */

typedef enum {
    C_IDLE,      /* waiting for a request line */
    C_RECEIVING, /* request line in, the rest of the request arriving */
    C_RECEIVED,  /* the application has the whole request: no deadline */
    C_KILLING,   /* 408 written, write side shut: the read side follows */
    C_KILLED     /* shut down both ways: MHD will close it */
} conn_state;

typedef struct ip_count {
    unsigned char addr[16];
    unsigned char len;
    long n;
    struct ip_count *next;
} ip_count;

/* One per open connection (MHD's socket_context). */
typedef struct gconn {
    MHD_socket fd;
    conn_state state;
    int64_t deadline_us;
    unsigned char addr[16];
    unsigned char addr_len; /* 0: not counted per address */
    struct gconn *prev, *next;
} gconn;

struct pp_http_guard {
    pp_http_guard_opts o;
    char *name;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t watchdog;
    int has_watchdog;
    int stop;
    long open; /* admitted by accept, not yet closed */
    ip_count *ips[IP_BUCKETS];
    gconn *conns; /* every started connection */
    atomic_ulong refused_total, refused_per_ip, timeouts, log_count;
};

/* The address bytes a limit is kept for: IPv4 (also when IPv4-mapped IPv6) or IPv6.
 * Returns the length (4 or 16), 0 for any other family. */
static size_t addr_key(const struct sockaddr *sa, socklen_t len, unsigned char out[16]) {
    if (sa && sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        memcpy(out, &((const struct sockaddr_in *)sa)->sin_addr, 4);
        return 4;
    }
    if (sa && sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        const unsigned char *a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (!memcmp(a, mapped, 12)) {
            memcpy(out, a + 12, 4);
            return 4;
        }
        memcpy(out, a, 16);
        return 16;
    }
    return 0;
}

static unsigned bucket_of(const unsigned char *a, size_t n) {
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ a[i]) * 16777619u;
    return h % IP_BUCKETS;
}

/* The entry of an address; created (n = 0) when create is set. Under mu. */
static ip_count *ip_find(pp_http_guard *g, const unsigned char *a, size_t n, int create) {
    unsigned b = bucket_of(a, n);
    for (ip_count *e = g->ips[b]; e; e = e->next)
        if (e->len == n && !memcmp(e->addr, a, n)) return e;
    if (!create) return NULL;
    ip_count *e = pp_xcalloc(1, sizeof *e);
    memcpy(e->addr, a, n);
    e->len = (unsigned char)n;
    e->next = g->ips[b];
    g->ips[b] = e;
    return e;
}

/* One fewer connection from an address; the entry goes at 0. Under mu. */
static void ip_release(pp_http_guard *g, const unsigned char *a, size_t n) {
    unsigned b = bucket_of(a, n);
    for (ip_count **pe = &g->ips[b]; *pe; pe = &(*pe)->next) {
        ip_count *e = *pe;
        if (e->len != n || memcmp(e->addr, a, n) != 0) continue;
        if (--e->n <= 0) {
            *pe = e->next;
            free(e);
        }
        return;
    }
}

/* Refusals come in floods under attack: log the first ten, then one in 1000. */
static int log_this(pp_http_guard *g) {
    unsigned long k = atomic_fetch_add(&g->log_count, 1);
    return k < 10 || k % 1000 == 0;
}

enum MHD_Result pp_http_guard_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen) {
    pp_http_guard *g = cls;
    unsigned char key[16];
    size_t kn = g->o.per_ip > 0 ? addr_key(addr, addrlen, key) : 0;
    int refused = 0; /* 1 total, 2 per address */
    pthread_mutex_lock(&g->mu);
    if (g->open >= g->o.max_connections) {
        refused = 1;
    } else if (kn > 0) {
        ip_count *e = ip_find(g, key, kn, 1);
        if (!e || e->n >= g->o.per_ip)
            refused = 2;
        else
            e->n++;
    }
    if (!refused) g->open++;
    long open = g->open;
    pthread_mutex_unlock(&g->mu);
    if (!refused) return MHD_YES;
    if (refused == 1)
        atomic_fetch_add(&g->refused_total, 1);
    else
        atomic_fetch_add(&g->refused_per_ip, 1);
    if (log_this(g))
        PP_WARN(g->name, "connection refused: %s (%ld open; limits %ld total, %ld per address)",
                refused == 1 ? "connection limit reached" : "per-address connection limit reached", open,
                g->o.max_connections, g->o.per_ip);
    return MHD_NO;
}

static void list_remove(pp_http_guard *g, gconn *k) {
    if (k->prev)
        k->prev->next = k->next;
    else
        g->conns = k->next;
    if (k->next) k->next->prev = k->prev;
    k->prev = k->next = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code) {
    pp_http_guard *g = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        gconn *k = pp_xcalloc(1, sizeof *k);
        const union MHD_ConnectionInfo *fdi = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        const union MHD_ConnectionInfo *ai = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        unsigned char key[16];
        size_t kn = (g->o.per_ip > 0 && ai && ai->client_addr)
            ? addr_key(ai->client_addr,
                       ai->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                              : sizeof(struct sockaddr_in),
                       key)
            : 0;
        k->fd = fdi ? fdi->connect_fd : MHD_INVALID_SOCKET;
        k->state = C_IDLE;
        k->deadline_us = pp_mono_us() + g->o.request_timeout_ms * 1000;
        memcpy(k->addr, key, kn);
        k->addr_len = (unsigned char)kn;
        pthread_mutex_lock(&g->mu);
        k->next = g->conns;
        if (g->conns) g->conns->prev = k;
        g->conns = k;
        pthread_mutex_unlock(&g->mu);
        *socket_context = k;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        gconn *k = *socket_context;
        pthread_mutex_lock(&g->mu);
        g->open--;
        if (k) {
            list_remove(g, k);
            if (k->addr_len) ip_release(g, k->addr, k->addr_len);
        } else if (g->o.per_ip > 0) {
            const union MHD_ConnectionInfo *ai = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
            unsigned char key[16];
            size_t kn = ai && ai->client_addr
                ? addr_key(ai->client_addr,
                           ai->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                                  : sizeof(struct sockaddr_in),
                           key)
                : 0;
            if (kn) ip_release(g, key, kn);
        }
        pthread_mutex_unlock(&g->mu);
        free(k);
        *socket_context = NULL;
    }
}

static gconn *conn_of(struct MHD_Connection *c) {
    const union MHD_ConnectionInfo *i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return i ? i->socket_context : NULL;
}

/* MHD_OPTION_URI_LOG_CALLBACK: the request line is in. Returns NULL so the access
 * handler's *con_cls still starts NULL. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c) {
    pp_http_guard *g = cls;
    (void)uri;
    gconn *k = conn_of(c);
    if (!k) return NULL;
    pthread_mutex_lock(&g->mu);
    if (k->state == C_IDLE) k->state = C_RECEIVING;
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

void pp_http_guard_received(pp_http_guard *g, struct MHD_Connection *c) {
    gconn *k = conn_of(c);
    if (!k) return;
    pthread_mutex_lock(&g->mu);
    if (k->state == C_IDLE || k->state == C_RECEIVING) k->state = C_RECEIVED;
    pthread_mutex_unlock(&g->mu);
}

void pp_http_guard_done(pp_http_guard *g, struct MHD_Connection *c) {
    gconn *k = conn_of(c);
    if (!k) return;
    pthread_mutex_lock(&g->mu);
    if (k->state != C_KILLING && k->state != C_KILLED) {
        k->state = C_IDLE;
        k->deadline_us = pp_mono_us() + g->o.request_timeout_ms * 1000;
    }
    pthread_mutex_unlock(&g->mu);
}

static void mhd_log(void *cls, const char *fmt, va_list ap) {
    pp_http_guard *g = cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
    /* a client going away or over a limit is not worth a line each */
    if (strstr(line, "connection limit") || strstr(line, "Connection rejected")) {
        if (log_this(g)) PP_WARN(g->name, "http: %s", line);
        return;
    }
    PP_WARN(g->name, "http: %s", line);
}

size_t pp_http_guard_mhd_options(pp_http_guard *g, struct MHD_OptionItem *ops, size_t cap) {
    if (cap < PP_HTTP_GUARD_MHD_OPTIONS) return 0;
    /* MHD splits its limit over the pool's threads and stops accepting on a thread at
     * its share; every thread must be able to hold all the guard admits. */
    intptr_t mhd_limit = (intptr_t)(g->o.max_connections + 4) * (intptr_t)(g->o.threads > 1 ? g->o.threads : 1);
    ops[0] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, g};
    ops[1] = (struct MHD_OptionItem){MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_uri, g};
    ops[2] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, mhd_limit, NULL};
    ops[3] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, g};
    return PP_HTTP_GUARD_MHD_OPTIONS;
}

/* Writes the 408 without blocking; a short write only loses the answer. */
static void write_408(MHD_socket fd) {
    char msg[320];
    int n = snprintf(msg, sizeof msg,
                     "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                     strlen(PP_HTTP_GUARD_408_BODY), PP_HTTP_GUARD_408_BODY);
    if (n > 0 && (size_t)n < sizeof msg) {
        ssize_t w = send(fd, msg, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
        (void)w;
    }
}

/* One pass over the connections. Under mu: a connection in the list has not been
 * reported closed, so its socket is still MHD's and still open. */
static void enforce(pp_http_guard *g, int64_t now) {
    for (gconn *k = g->conns; k; k = k->next) {
        if (k->fd == MHD_INVALID_SOCKET || now < k->deadline_us) continue;
        switch (k->state) {
        case C_RECEIVING:
            write_408(k->fd);
            shutdown(k->fd, SHUT_WR);
            k->state = C_KILLING;
            k->deadline_us = now + KILL_GRACE_US;
            atomic_fetch_add(&g->timeouts, 1);
            if (log_this(g))
                PP_WARN(g->name, "request not received within %ld ms: answered 408, closing", g->o.request_timeout_ms);
            break;
        case C_IDLE:
        case C_KILLING:
            if (k->state == C_IDLE) atomic_fetch_add(&g->timeouts, 1);
            shutdown(k->fd, SHUT_RDWR);
            k->state = C_KILLED;
            break;
        case C_RECEIVED:
        case C_KILLED: break;
        }
    }
}

static void *watchdog_main(void *arg) {
    pp_http_guard *g = arg;
    long tick_ms = g->o.request_timeout_ms / 4;
    if (tick_ms > 200) tick_ms = 200;
    if (tick_ms < 10) tick_ms = 10;
    pthread_mutex_lock(&g->mu);
    while (!g->stop) {
        struct timespec ts = pp_mono_deadline(tick_ms);
        pthread_cond_timedwait(&g->cv, &g->mu, &ts);
        if (!g->stop) enforce(g, pp_mono_us());
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

int pp_http_guard_create(pp_http_guard **out, const pp_http_guard_opts *o, const char *name, char *err, size_t errlen) {
    if (!o || o->max_connections < 1 || o->per_ip < 0 || o->request_timeout_ms < 1) {
        pp_errf(err, errlen, "%s: connection limits and the request timeout must be positive", name ? name : "http");
        return PP_EINVAL;
    }
    pp_http_guard *g = pp_xcalloc(1, sizeof *g);
    g->name = pp_xstrdup(name ? name : "http");
    g->o = *o;
    pthread_mutex_init(&g->mu, NULL);
    pp_cond_init_mono(&g->cv);
    if (pthread_create(&g->watchdog, NULL, watchdog_main, g) != 0) {
        pp_http_guard_destroy(g);
        pp_errf(err, errlen, "%s: cannot start the request deadline thread", name ? name : "http");
        return PP_ENOMEM;
    }
    g->has_watchdog = 1;
    *out = g;
    return PP_OK;
}

void pp_http_guard_destroy(pp_http_guard *g) {
    if (!g) return;
    if (g->has_watchdog) {
        pthread_mutex_lock(&g->mu);
        g->stop = 1;
        pthread_cond_signal(&g->cv);
        pthread_mutex_unlock(&g->mu);
        pthread_join(g->watchdog, NULL);
    }
    for (size_t b = 0; b < IP_BUCKETS; b++) {
        while (g->ips[b]) {
            ip_count *e = g->ips[b];
            g->ips[b] = e->next;
            free(e);
        }
    }
    /* connections still listed belong to a daemon that was not stopped: leave them */
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
    free(g->name);
    free(g);
}

void pp_http_guard_stats_get(pp_http_guard *g, pp_http_guard_stats *out) {
    out->refused_total = atomic_load(&g->refused_total);
    out->refused_per_ip = atomic_load(&g->refused_per_ip);
    out->timeouts = atomic_load(&g->timeouts);
    pthread_mutex_lock(&g->mu);
    out->open = g->open;
    pthread_mutex_unlock(&g->mu);
}
