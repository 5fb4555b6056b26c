#include "api/api_metrics.h"

#include "common/clock.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const ROUTE_LABELS[PP_API_ROUTE_COUNT] = {
    [PP_API_ROUTE_PIN] = "/pin/",         [PP_API_ROUTE_PIN_REDIRECT] = "/pin", [PP_API_ROUTE_GEO] = "/geo/",
    [PP_API_ROUTE_GEO_REDIRECT] = "/geo", [PP_API_ROUTE_USER] = "/user/",       [PP_API_ROUTE_USER_REDIRECT] = "/user",
    [PP_API_ROUTE_HEALTHZ] = "/healthz",  [PP_API_ROUTE_METRICS] = "/metrics",  [PP_API_ROUTE_OTHER] = "other",
};

/* The ingest routes: their 200 series are always shown, so a dashboard has each kind
 * from the start. */
static int is_ingest(int r) { return r == PP_API_ROUTE_PIN || r == PP_API_ROUTE_GEO || r == PP_API_ROUTE_USER; }

static const char *const CLASS_LABELS[PP_API_CLASS_COUNT] = {
    [PP_API_CLASS_2XX] = "2xx", [PP_API_CLASS_3XX] = "3xx",   [PP_API_CLASS_4XX] = "4xx",
    [PP_API_CLASS_5XX] = "5xx", [PP_API_CLASS_NONE] = "none",
};

static const unsigned CODES[PP_API_N_CODES] = {200, 307, 400, 401, 404, 405, 413, 415, 422, 500, 503};

static const char *const PERR_LABELS[PP_API_PERR_COUNT] = {
    [PP_API_PERR_QUEUE_FULL] = "queue_full", [PP_API_PERR_TIMEOUT] = "timeout",     [PP_API_PERR_KAFKA] = "kafka_error",
    [PP_API_PERR_REJECTED] = "rejected",     [PP_API_PERR_TOO_LARGE] = "too_large", [PP_API_PERR_REFUSED] = "refused",
};

/* 0.5 ms .. 10 s */
static const int64_t BUCKETS_US[PP_API_N_BUCKETS] = {
    500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 7500000, 10000000,
};

pp_api_status_class pp_api_status_class_of(unsigned code) {
    return code >= 200 && code < 600 ? (pp_api_status_class)(code / 100 - 2) : PP_API_CLASS_NONE;
}

const char *pp_api_route_label(pp_api_route r) { return (unsigned)r < PP_API_ROUTE_COUNT ? ROUTE_LABELS[r] : "other"; }

void pp_api_histogram_init(pp_api_histogram *h) {
    for (int i = 0; i <= PP_API_N_BUCKETS; i++) atomic_init(&h->buckets[i], 0);
    atomic_init(&h->count, 0);
    atomic_init(&h->sum_us, 0);
}

void pp_api_metrics_init(pp_api_metrics *m) {
    for (int r = 0; r < PP_API_ROUTE_COUNT; r++) {
        for (int c = 0; c <= PP_API_N_CODES; c++) atomic_init(&m->requests[r][c], 0);
        for (int k = 0; k < PP_API_CLASS_COUNT; k++) pp_api_histogram_init(&m->request_duration[r][k]);
    }
    pp_api_histogram_init(&m->produce_duration);
    for (int e = 0; e < PP_API_PERR_COUNT; e++) atomic_init(&m->produce_errors[e], 0);
    atomic_init(&m->in_flight, 0);
}

void pp_api_histogram_observe(pp_api_histogram *h, int64_t us) {
    if (us < 0) us = 0;
    int i = 0;
    while (i < PP_API_N_BUCKETS && us > BUCKETS_US[i]) i++;
    atomic_fetch_add_explicit(&h->buckets[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum_us, (unsigned long long)us, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
}

static int code_index(unsigned code) {
    for (int i = 0; i < PP_API_N_CODES; i++)
        if (CODES[i] == code) return i;
    return PP_API_N_CODES;
}

void pp_api_metrics_request_begin(pp_api_metrics *m) {
    atomic_fetch_add_explicit(&m->in_flight, 1, memory_order_relaxed);
}

void pp_api_metrics_request_end(pp_api_metrics *m, pp_api_route route, unsigned code, int64_t duration_us) {
    if ((unsigned)route >= PP_API_ROUTE_COUNT) route = PP_API_ROUTE_OTHER;
    if (code != 0) atomic_fetch_add_explicit(&m->requests[route][code_index(code)], 1, memory_order_relaxed);
    pp_api_histogram_observe(&m->request_duration[route][pp_api_status_class_of(code)], duration_us);
    atomic_fetch_sub_explicit(&m->in_flight, 1, memory_order_relaxed);
}

void pp_api_metrics_produce_done(pp_api_metrics *m, int64_t duration_us) {
    pp_api_histogram_observe(&m->produce_duration, duration_us);
}

void pp_api_metrics_produce_error(pp_api_metrics *m, pp_api_produce_error e) {
    if ((unsigned)e < PP_API_PERR_COUNT) atomic_fetch_add_explicit(&m->produce_errors[e], 1, memory_order_relaxed);
}

/* Seconds with 6 decimals, from microseconds ("0.0005", "10"). */
static void put_seconds(pp_strbuf *sb, uint64_t us) {
    char buf[48];
    int n = snprintf(buf, sizeof buf, "%" PRIu64 ".%06" PRIu64, us / 1000000, us % 1000000);
    while (n > 0 && buf[n - 1] == '0') n--;
    if (n > 0 && buf[n - 1] == '.') n--;
    pp_sb_append(sb, buf, (size_t)n);
}

void pp_api_histogram_render(pp_strbuf *sb, const char *name, const char *labels, const pp_api_histogram *h) {
    uint64_t cum = 0;
    const char *sep = labels[0] ? "," : "";
    for (int i = 0; i <= PP_API_N_BUCKETS; i++) {
        cum += atomic_load_explicit(&h->buckets[i], memory_order_relaxed);
        pp_sb_printf(sb, "%s_bucket{%s%sle=\"", name, labels, sep);
        if (i < PP_API_N_BUCKETS)
            put_seconds(sb, (uint64_t)BUCKETS_US[i]);
        else
            pp_sb_puts(sb, "+Inf");
        pp_sb_printf(sb, "\"} %" PRIu64 "\n", cum);
    }
    /* count is read after the buckets; a concurrent observation may make it differ by
     * one from the +Inf bucket for a moment, which Prometheus tolerates */
    pp_sb_printf(sb, "%s_sum%s%s%s ", name, labels[0] ? "{" : "", labels, labels[0] ? "}" : "");
    put_seconds(sb, atomic_load_explicit(&h->sum_us, memory_order_relaxed));
    pp_sb_printf(sb, "\n%s_count%s%s%s %lu\n", name, labels[0] ? "{" : "", labels, labels[0] ? "}" : "",
                 atomic_load_explicit(&h->count, memory_order_relaxed));
}

void pp_api_metrics_render(const pp_api_metrics *m, const pp_api_gauges *g, pp_strbuf *sb) {
    pp_api_metrics *mm = (pp_api_metrics *)m; /* atomic loads take non-const pointers */
    char labels[64];

    pp_sb_puts(sb,
               "# HELP pinpipe_api_requests_total HTTP requests answered, by route and status code.\n"
               "# TYPE pinpipe_api_requests_total counter\n");
    for (int r = 0; r < PP_API_ROUTE_COUNT; r++)
        for (int c = 0; c <= PP_API_N_CODES; c++) {
            unsigned long v = atomic_load_explicit(&mm->requests[r][c], memory_order_relaxed);
            if (v == 0 && !(is_ingest(r) && c == 0)) continue;
            if (c < PP_API_N_CODES)
                pp_sb_printf(sb, "pinpipe_api_requests_total{route=\"%s\",code=\"%u\"} %lu\n", ROUTE_LABELS[r],
                             CODES[c], v);
            else
                pp_sb_printf(sb, "pinpipe_api_requests_total{route=\"%s\",code=\"other\"} %lu\n", ROUTE_LABELS[r], v);
        }

    pp_sb_puts(
        sb,
        "# HELP pinpipe_api_request_duration_seconds Time from the request's arrival to its response being done.\n"
        "# TYPE pinpipe_api_request_duration_seconds histogram\n");
    for (int r = 0; r < PP_API_ROUTE_COUNT; r++)
        for (int k = 0; k < PP_API_CLASS_COUNT; k++) {
            pp_api_histogram *h = &mm->request_duration[r][k];
            if (!(is_ingest(r) && k == PP_API_CLASS_2XX) && atomic_load_explicit(&h->count, memory_order_relaxed) == 0)
                continue;
            snprintf(labels, sizeof labels, "route=\"%s\",status_class=\"%s\"", ROUTE_LABELS[r], CLASS_LABELS[k]);
            pp_api_histogram_render(sb, "pinpipe_api_request_duration_seconds", labels, h);
        }

    pp_sb_puts(sb,
               "# HELP pinpipe_api_produce_duration_seconds Time from handing an event to the Kafka producer to its "
               "delivery report.\n"
               "# TYPE pinpipe_api_produce_duration_seconds histogram\n");
    pp_api_histogram_render(sb, "pinpipe_api_produce_duration_seconds", "", &mm->produce_duration);

    pp_sb_puts(sb,
               "# HELP pinpipe_api_produce_errors_total Events not acknowledged by Kafka, by reason (503, but 413 "
               "too_large and 500 refused).\n"
               "# TYPE pinpipe_api_produce_errors_total counter\n");
    for (int e = 0; e < PP_API_PERR_COUNT; e++)
        pp_sb_printf(sb, "pinpipe_api_produce_errors_total{reason=\"%s\"} %lu\n", PERR_LABELS[e],
                     atomic_load_explicit(&mm->produce_errors[e], memory_order_relaxed));

    pp_sb_printf(
        sb,
        "# HELP pinpipe_api_in_flight_requests Requests begun and not yet answered.\n"
        "# TYPE pinpipe_api_in_flight_requests gauge\n"
        "pinpipe_api_in_flight_requests %ld\n"
        "# HELP pinpipe_api_producer_queue_depth Events handed to the producer and not yet acknowledged or failed.\n"
        "# TYPE pinpipe_api_producer_queue_depth gauge\n"
        "pinpipe_api_producer_queue_depth %ld\n"
        "# HELP pinpipe_api_kafka_reachable 1 when the last health probe reached a Kafka broker.\n"
        "# TYPE pinpipe_api_kafka_reachable gauge\n"
        "pinpipe_api_kafka_reachable %d\n",
        atomic_load_explicit(&mm->in_flight, memory_order_relaxed), g ? g->queue_depth : 0,
        g ? (g->kafka_reachable != 0) : 0);
    pp_sb_printf(
        sb,
        "# HELP pinpipe_api_connections_refused_total Connections closed at once, over a connection limit.\n"
        "# TYPE pinpipe_api_connections_refused_total counter\n"
        "pinpipe_api_connections_refused_total{reason=\"total\"} %lu\n"
        "pinpipe_api_connections_refused_total{reason=\"per_ip\"} %lu\n"
        "# HELP pinpipe_api_request_timeouts_total Requests not received within --request-timeout (408 or closed).\n"
        "# TYPE pinpipe_api_request_timeouts_total counter\n"
        "pinpipe_api_request_timeouts_total %lu\n"
        "# HELP pinpipe_api_open_connections Connections open now.\n"
        "# TYPE pinpipe_api_open_connections gauge\n"
        "pinpipe_api_open_connections %ld\n",
        g ? g->refused_total : 0, g ? g->refused_per_ip : 0, g ? g->request_timeouts : 0, g ? g->open_connections : 0);
}
