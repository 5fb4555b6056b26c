/* stats_http — a tiny HTTP endpoint serving GET /metrics (Prometheus text) and
 * GET /healthz for the daemons that have no HTTP server of their own (lake
 * writer, stream); /healthz answers 503 when the daemon says it is stalled
 * (common/health.h). The render callback runs on the server's thread and must only
 * read values that are safe to read concurrently (atomics).
 * Slow or greedy clients (http/http_guard.h): at most
 * PINPIPE_STATS_MAX_CONNECTIONS connections (default 64) and
 * PINPIPE_STATS_MAX_CONNECTIONS_PER_IP from one address (default 8; 0 = no limit),
 * new ones over a limit closed at once; a request must arrive within
 * PINPIPE_STATS_REQUEST_TIMEOUT seconds (default 5; else 408 and close); idle
 * connections close after 10 s.
 * Ownership: the caller keeps ctx alive until pp_stats_http_stop returns.
 */
#ifndef PINPIPE_STATS_HTTP_H
#define PINPIPE_STATS_HTTP_H

#include <stddef.h>

#include "common/strbuf.h"

#define PP_STATS_DEFAULT_MAX_CONNECTIONS 64
#define PP_STATS_DEFAULT_MAX_CONNECTIONS_PER_IP 8
#define PP_STATS_DEFAULT_REQUEST_TIMEOUT_S 5

typedef struct pp_stats_http pp_stats_http;
typedef void (*pp_stats_render_fn)(void *ctx, pp_strbuf *out);
/* Appends /healthz's JSON body; returns 1 healthy (200) or 0 (503). Runs on the
 * server's thread, like render. */
typedef int (*pp_stats_health_fn)(void *ctx, pp_strbuf *out);

/* Listens on address:port (port 0: not started, *out = NULL, PP_OK). health may
 * be NULL: /healthz then says {"status":"ok"} while the process serves. */
int pp_stats_http_start(pp_stats_http **out, const char *address, int port, pp_stats_render_fn render,
                        pp_stats_health_fn health, void *ctx, char *err, size_t errlen);
void pp_stats_http_stop(pp_stats_http *s);

#endif
