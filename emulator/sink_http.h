/* sink_http — the emulator's target mode: POST every event to the API.
 *
 * `--target http://127.0.0.1:8000/pin/` sends each generated event as the body of
 * a POST (Content-Type: application/json) over keep-alive connections, with
 * --concurrency requests in flight and at most --rate events per second, like a
 * well-behaved client: a 503, a 429 or a connection error is retried with
 * exponential backoff (100 ms doubling to 5 s, at most --retries times). It counts
 * every event once as acknowledged (2xx), rejected (another 4xx: the API said the
 * event is bad) or failed (retries exhausted, or a 5xx other than 503).
 * Ownership: borrows the generator and the manifest; owns its curl handles.
 */
#ifndef PINPIPE_EMU_SINK_HTTP_H
#define PINPIPE_EMU_SINK_HTTP_H

#include <stdint.h>

#include "generate.h"
#include "manifest.h"

typedef struct {
    const char *url;
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

/* Drains the generator through the API; man (may be NULL) gets every event. */
int pp_emu_http_run(pp_emu_gen *gen, pp_manifest *man, const pp_emu_http_opts *o, pp_emu_http_stats *st, char *err,
                    size_t errlen);

#endif
