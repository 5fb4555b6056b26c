/* http_guard — keeps slow and greedy clients from starving a libmicrohttpd daemon
 * (the ingest API and the lake/stream stats ports).
 *
 *   - Total connection limit: a new connection over it is closed at once. (MHD's own
 *     MHD_OPTION_CONNECTION_LIMIT stops polling the listening socket instead, so new
 *     clients wait unanswered in the backlog until a slot frees: the starvation this
 *     replaces. The guard sets MHD's limit above its own so MHD always accepts.)
 *   - Per-client-address limit: a new connection from an address that already holds
 *     `per_ip` connections is closed at once (0: no limit). IPv4-mapped IPv6
 *     addresses count as their IPv4 address.
 *   - Request deadline: from the moment a connection is ready for a request (it opened,
 *     or its previous answer is done) the whole request — request line, headers and
 *     body — must have arrived within `request_timeout_ms`. MHD's connection timeout
 *     is an idle timeout, which a client sending one byte now and then never trips.
 *     Past the deadline a connection whose request line had arrived is answered
 *     408 (JSON, Connection: close) and closed; one without a complete request line
 *     is closed (an idle keep-alive connection thus lives at most that long).
 *     A request the application has fully received (pp_http_guard_received) has no
 *     deadline while it is processed (e.g. waiting for Kafka).
 *
 * Use: create the guard; pass pp_http_guard_accept and the guard as MHD_start_daemon's
 * apc/apc_cls, and the items of pp_http_guard_mhd_options inside an MHD_OPTION_ARRAY
 * (they include MHD_OPTION_NOTIFY_CONNECTION, MHD_OPTION_URI_LOG_CALLBACK — which
 * returns NULL, so *con_cls still starts NULL — MHD_OPTION_CONNECTION_LIMIT and
 * MHD_OPTION_EXTERNAL_LOGGER); the access handler calls pp_http_guard_received once
 * the request is complete or answered; the request-completed callback
 * (MHD_OPTION_NOTIFY_COMPLETED) calls pp_http_guard_done. Destroy the guard after
 * MHD_stop_daemon.
 *
 * Threads: every function may be called from any MHD thread; a watchdog thread owned
 * by the guard enforces the deadlines with shutdown(2) on the connection's socket,
 * which MHD then sees as the client going away (the guard never closes a socket, and
 * only touches sockets of connections MHD has not yet reported closed).
 * Bursts: the limits are checked and counted under one lock when MHD accepts, so they
 * are exact.
 * Ownership: the guard owns its watchdog, its table and its copy of `name`.
 */
#ifndef PINPIPE_HTTP_GUARD_H
#define PINPIPE_HTTP_GUARD_H

#include <microhttpd.h>
#include <stddef.h>

typedef struct {
    long max_connections;    /* total; >= 1 */
    long per_ip;             /* per client address; 0 = no limit */
    long request_timeout_ms; /* whole request; >= 1 */
    long threads;            /* MHD event loops of the daemon (1 without a pool) */
} pp_http_guard_opts;

typedef struct {
    unsigned long refused_total;  /* connections closed at once: total limit */
    unsigned long refused_per_ip; /* connections closed at once: per-address limit */
    unsigned long timeouts;       /* requests cut by the deadline (408 or closed) */
    long open;                    /* connections open now */
} pp_http_guard_stats;

typedef struct pp_http_guard pp_http_guard;

/* name labels log lines ("api", "stats"). */
int pp_http_guard_create(pp_http_guard **out, const pp_http_guard_opts *o, const char *name, char *err, size_t errlen);
void pp_http_guard_destroy(pp_http_guard *g);

/* MHD's accept policy callback (cls = the guard). */
enum MHD_Result pp_http_guard_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen);

/* Writes the guard's MHD options into ops (at most cap items; no MHD_OPTION_END) and
 * returns how many; 0 if cap is too small (PP_HTTP_GUARD_MHD_OPTIONS is enough). */
#define PP_HTTP_GUARD_MHD_OPTIONS 4
size_t pp_http_guard_mhd_options(pp_http_guard *g, struct MHD_OptionItem *ops, size_t cap);

/* The request on c has arrived completely (or was answered before its body): no
 * deadline until pp_http_guard_done. Idempotent. */
void pp_http_guard_received(pp_http_guard *g, struct MHD_Connection *c);

/* The request on c is over (MHD's request-completed callback): the deadline for the
 * next request on the connection starts now. */
void pp_http_guard_done(pp_http_guard *g, struct MHD_Connection *c);

void pp_http_guard_stats_get(pp_http_guard *g, pp_http_guard_stats *out);

/* The body of the 408 answer (JSON), for tests and docs. */
#define PP_HTTP_GUARD_408_BODY "{\"detail\":\"Request Timeout: the request did not arrive in time\"}"

#endif
