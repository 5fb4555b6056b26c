/* api_metrics — the ingest API's Prometheus metrics: counters, gauges and
 * histograms updated lock-free from any thread, rendered in the Prometheus text
 * exposition format (version 0.0.4) for GET /metrics.
 *
 * Metrics (all prefixed pinpipe_api_):
 *   requests_total{route,code}            counter: answered requests; route is the
 *                                         path (/pin/, /geo/, /user/, their 307
 *                                         redirects, /healthz, /metrics) or other
 *   request_duration_seconds{route,status_class}
 *                                         histogram: first byte of the request to
 *                                         the response being done (sent or aborted);
 *                                         status_class 2xx 3xx 4xx 5xx, or none (no
 *                                         response: the client went away)
 *   produce_duration_seconds              histogram: produce call to delivery report
 *   produce_errors_total{reason}          counter: queue_full, timeout, kafka_error,
 *                                         rejected (the producer refused the record)
 *                                         (all answered 503); too_large (413),
 *                                         refused (500: permanent, not retried)
 *   connections_refused_total{reason}     counter: total, per_ip (closed at once)
 *   request_timeouts_total                counter: requests cut by --request-timeout
 *   open_connections                      gauge
 *   in_flight_requests                    gauge: requests begun and not yet done
 *   producer_queue_depth                  gauge: records sent, no delivery report yet
 *   kafka_reachable                       gauge: 1 when the health probe sees a broker
 *
 * Ownership: a pp_api_metrics is a plain struct of atomics owned by whoever holds it
 * (the server); init zeroes it, there is nothing to free. Thread-safe throughout.
 */
#ifndef PINPIPE_API_METRICS_H
#define PINPIPE_API_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

#include "common/strbuf.h"

/* One route per ingest kind (and its redirect), so requests_total{route} counts each
 * kind: a bounded label set. */
typedef enum {
    PP_API_ROUTE_PIN,           /* /pin/ */
    PP_API_ROUTE_PIN_REDIRECT,  /* /pin (answered with 307 to /pin/) */
    PP_API_ROUTE_GEO,           /* /geo/ */
    PP_API_ROUTE_GEO_REDIRECT,  /* /geo */
    PP_API_ROUTE_USER,          /* /user/ */
    PP_API_ROUTE_USER_REDIRECT, /* /user */
    PP_API_ROUTE_HEALTHZ,       /* /healthz */
    PP_API_ROUTE_METRICS,       /* /metrics */
    PP_API_ROUTE_OTHER,         /* anything else (404) */
    PP_API_ROUTE_COUNT
} pp_api_route;

/* The label of a route, e.g. "/pin/". */
const char *pp_api_route_label(pp_api_route r);

/* The status codes counted one by one; any other code is counted as "other". */
#define PP_API_N_CODES 11

typedef enum {
    PP_API_PERR_QUEUE_FULL, /* the producer's local queue was full */
    PP_API_PERR_TIMEOUT,    /* no acknowledgement within the produce timeout */
    PP_API_PERR_KAFKA,      /* Kafka (or the producer) reported another error */
    PP_API_PERR_REJECTED,   /* the producer refused the record at once (fatal state) */
    PP_API_PERR_TOO_LARGE,  /* over Kafka's message size limit (answered 413) */
    PP_API_PERR_REFUSED,    /* another permanent refusal by Kafka (answered 500) */
    PP_API_PERR_COUNT
} pp_api_produce_error;

/* The classes of request_duration_seconds' status_class label. */
typedef enum {
    PP_API_CLASS_2XX,
    PP_API_CLASS_3XX,
    PP_API_CLASS_4XX,
    PP_API_CLASS_5XX,
    PP_API_CLASS_NONE, /* no response (code 0) or a code outside 200..599 */
    PP_API_CLASS_COUNT
} pp_api_status_class;

/* The class of a status code, e.g. 422 -> PP_API_CLASS_4XX. */
pp_api_status_class pp_api_status_class_of(unsigned code);

/* Upper bounds of the histogram buckets, in microseconds (then +Inf). */
#define PP_API_N_BUCKETS 15

typedef struct {
    atomic_ulong buckets[PP_API_N_BUCKETS + 1]; /* per bucket, not cumulative; last = +Inf */
    atomic_ulong count;
    atomic_ullong sum_us;
} pp_api_histogram;

typedef struct {
    atomic_ulong requests[PP_API_ROUTE_COUNT][PP_API_N_CODES + 1];
    pp_api_histogram request_duration[PP_API_ROUTE_COUNT][PP_API_CLASS_COUNT];
    pp_api_histogram produce_duration;
    atomic_ulong produce_errors[PP_API_PERR_COUNT];
    atomic_long in_flight;
} pp_api_metrics;

/* Values read at render time from elsewhere (the producer, the health probe). */
typedef struct {
    long queue_depth;
    int kafka_reachable;
    unsigned long refused_total;  /* connections closed at once: total limit */
    unsigned long refused_per_ip; /* ... per-address limit */
    unsigned long request_timeouts;
    long open_connections;
} pp_api_gauges;

void pp_api_metrics_init(pp_api_metrics *m);

void pp_api_metrics_request_begin(pp_api_metrics *m);
/* A request is done: counts it under (route, code) unless code is 0 (no response was
 * sent: the client went away), observes its duration, and ends it in in_flight. */
void pp_api_metrics_request_end(pp_api_metrics *m, pp_api_route route, unsigned code, int64_t duration_us);
void pp_api_metrics_produce_done(pp_api_metrics *m, int64_t duration_us);
void pp_api_metrics_produce_error(pp_api_metrics *m, pp_api_produce_error e);
void pp_api_histogram_init(pp_api_histogram *h);
/* Renders h as NAME_bucket{LABELS,le=...}, NAME_sum, NAME_count (labels may be ""). */
void pp_api_histogram_render(pp_strbuf *sb, const char *name, const char *labels, const pp_api_histogram *h);
void pp_api_histogram_observe(pp_api_histogram *h, int64_t us);

/* Appends the whole exposition to sb. Counters that are still 0 are left out, except
 * requests_total 200 of each ingest route (/pin/, /geo/, /user/), their 2xx
 * request_duration_seconds and every produce_errors_total reason. */
void pp_api_metrics_render(const pp_api_metrics *m, const pp_api_gauges *g, pp_strbuf *sb);

#endif
