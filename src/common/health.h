/* health — "is this daemon making progress?", for /healthz.
 *
 * A daemon is stalled when it has made no progress for stall_ms while input is
 * waiting for it: a live process that retries the same thing for minutes is not
 * healthy. The daemon calls pp_health_progress whenever work moves on (a batch
 * stored, an object stored, a record taken) and pp_health_error with the reason
 * of each failed attempt; its /healthz handler counts what is waiting (records
 * held, consumer lag) and asks pp_health_check for the verdict and a JSON body:
 *
 *   200 {"status":"ok","waiting":0,"last_progress_ms_ago":12}
 *   503 {"status":"stalled","waiting":1234,"last_progress_ms_ago":61000,
 *        "stall_ms":60000,"reason":"no progress for 61 s while 1234 record(s) wait",
 *        "last_error":"..."}
 *
 * Idle (nothing waiting) is healthy however long it lasts. Times are monotonic.
 * Thread safety: progress/error from the daemon's thread, check from the HTTP
 * thread; every field is atomic or under the mutex.
 * Ownership: the daemon owns the pp_health (init/destroy); no allocation.
 */
#ifndef PINPIPE_HEALTH_H
#define PINPIPE_HEALTH_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "common/clock.h"
#include "common/strbuf.h"

#define PP_HEALTH_DEFAULT_STALL_MS 60000

typedef struct {
    atomic_llong last_progress_ms; /* monotonic */
    long stall_ms;
    pthread_mutex_t mu;
    char last_error[256]; /* of the last failed attempt since the last progress; "" none */
} pp_health;

void pp_health_init(pp_health *h, long stall_ms);
void pp_health_destroy(pp_health *h);
void pp_health_progress(pp_health *h);
/* Remembers why the last attempt failed (cleared by the next progress). */
void pp_health_error(pp_health *h, const char *err);
/* Appends the JSON body; returns 1 healthy, 0 stalled. waiting < 0: unknown (healthy). */
int pp_health_check(pp_health *h, long long waiting, const char *unit, pp_strbuf *out);

#endif
