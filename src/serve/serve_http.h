/* serve_http — `pinpipe serve`'s HTTP server (libmicrohttpd): the dashboard's files at
 * /, the query API under /api/v1/, /healthz and /metrics. GET (and HEAD) only.
 *
 *   GET /api/v1/metrics                         the metrics and what they mean
 *   GET /api/v1/query?metric=M[&from&to&key&group=day|week|month|year|all&top=N&format=csv]
 *   GET /api/v1/top?metric=M[&from&to&group (default all)&top (default 10)&format]
 *   GET /api/v1/days[?from&to&format]           each day's source, completeness, parity
 *   GET /api/v1/live[?minutes=15&top=10&table=per_minute|posters|categories&format]
 * from/to default to the 30 days ending today (UTC). `Accept: text/csv` asks for CSV
 * as format=csv does. Bad parameters: 400 (serve_params.h). A store that cannot answer:
 * 503 with Retry-After and a body naming it. Slow or greedy clients: http_guard.h.
 *
 * /healthz: 200 {"status":"ok"} while the view of the stores is fresh and every
 * store was read; 503 with the reason when a store is unreachable or the view has
 * not been refreshed for --stall-ms (the refresher is stuck).
 * Ownership: the server borrows the engine; stop it before destroying the engine.
 */
#ifndef PINPIPE_SERVE_HTTP_H
#define PINPIPE_SERVE_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "serve/serve_engine.h"

typedef struct {
    const char *address;
    long port;
    long threads;
    long max_connections, max_connections_per_ip, request_timeout_s;
    long retry_after_s;
    long stall_ms;
    size_t answers_bytes; /* rendered answers kept at most (serve_answers.h) */
    long max_rows;        /* rows a metric answer may return (else 400) */
} pp_serve_http_opts;

typedef struct pp_serve_http pp_serve_http;

int pp_serve_http_start(pp_serve_http **out, const pp_serve_http_opts *o, pp_serve_engine *engine, char *err,
                        size_t errlen);
/* The port it listens on (the one chosen when port was 0). */
int pp_serve_http_port(const pp_serve_http *s);
/* Stops accepting, finishes the requests in flight, frees. */
void pp_serve_http_stop(pp_serve_http *s);

#endif
