/* sink_http — the emulator's target mode: POST every event to the API.
 *
 * `--target http://127.0.0.1:8000/pin/` (or the base, http://127.0.0.1:8000) sends
 * each event as the body of a POST to its kind's path (/pin/, /geo/, /user/) (Content-Type: application/json) over keep-alive connections, with
 * --concurrency requests in flight and at most --rate events per second, like a
 * well-behaved client: a 503, a 429 or a connection error is retried with
 * exponential backoff (100 ms doubling to 5 s, at most --retries times). It counts
 * every event once as acknowledged (2xx), rejected (another 4xx: the API said the
 * event is bad) or failed (retries exhausted, or a 5xx other than 503).
 * Two geo (or two user) events of one ind are never in flight together (the later one
 * is parked, at most 4 x concurrency, while the others go on), so the API sees them in
 * the order sent and "first occurrence wins" means what the manifest says whatever
 * the concurrency.
 * Ownership: borrows the stream; owns its curl handles.
 */
#ifndef PINPIPE_EMU_SINK_HTTP_H
#define PINPIPE_EMU_SINK_HTTP_H

#include <stdint.h>

#include "stream.h"

typedef struct {
    const char *url;      /* --target: a kind's URL or the API's base */
    unsigned concurrency; /* requests in flight, >= 1 */
    uint64_t rate;        /* events per second, 0 = no limit */
    unsigned retries;     /* per event */
    const char *token;    /* bearer token, or NULL */
} pp_emu_http_opts;

typedef struct {
    uint64_t sent;     /* events sent at least once */
    uint64_t requests; /* HTTP requests made, retries included */
    uint64_t acked;
    uint64_t rejected;
    uint64_t failed;
    uint64_t retries;
    double p50_ms, p99_ms; /* time from first send to final answer, acknowledged events */
    double seconds;
} pp_emu_http_stats;

/* The URL of kind k's endpoint from --target (a /pin/ URL or the base URL). */
void pp_emu_target_url(const char *target, pp_kind k, char *out, size_t outlen);

/* Drains the stream through the API. */
int pp_emu_http_run(pp_emu_stream *gen, const pp_emu_http_opts *o, pp_emu_http_stats *st, char *err, size_t errlen);

#endif
