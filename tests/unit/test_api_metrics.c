/* Specification of the ingest API's Prometheus exposition (src/api/api_metrics.c):
 * every sample line is `name{labels} value` with a HELP and TYPE line before its
 * family; requests are counted by route and status code (unknown codes as "other";
 * requests that got no answer are timed but not counted); histogram buckets are
 * cumulative, end in +Inf and agree with _count; in-flight, queue depth and Kafka
 * reachability are gauges; every produce-error reason is always present. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "text_test_support.h"

#include "api/api_metrics.h"
#include "common/strbuf.h"

static char *render(const pp_api_metrics *m, long depth, int reachable) {
    pp_api_gauges g = {.queue_depth = depth, .kafka_reachable = reachable};
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_api_metrics_render(m, &g, &sb);
    return pp_sb_steal(&sb);
}

static void test_requests_are_counted_by_route_and_code(void **state) {
    (void)state;
    pp_api_metrics m;
    pp_api_metrics_init(&m);
    static const struct {
        pp_api_route route;
        unsigned code;
        int times;
    } SEEN[] = {
        {PP_API_ROUTE_PIN, 200, 3},   {PP_API_ROUTE_PIN, 422, 2},
        {PP_API_ROUTE_PIN, 503, 1},   {PP_API_ROUTE_PIN_REDIRECT, 307, 1},
        {PP_API_ROUTE_OTHER, 404, 4}, {PP_API_ROUTE_HEALTHZ, 418, 1},
        {PP_API_ROUTE_PIN, 0, 5}, /* client went away: timed, not counted */
        {PP_API_ROUTE_GEO, 200, 2},   {PP_API_ROUTE_GEO, 400, 1},
        {PP_API_ROUTE_USER, 422, 6},  {PP_API_ROUTE_USER_REDIRECT, 307, 1},
    };
    for (size_t i = 0; i < sizeof SEEN / sizeof SEEN[0]; i++)
        for (int k = 0; k < SEEN[i].times; k++) {
            pp_api_metrics_request_begin(&m);
            pp_api_metrics_request_end(&m, SEEN[i].route, SEEN[i].code, 1000);
        }
    pp_api_metrics_request_begin(&m); /* still in flight */
    char *t = render(&m, 7, 1);
    assert_has_line(t, "# TYPE pinpipe_api_requests_total counter");
    assert_has_line(t, "pinpipe_api_requests_total{route=\"/pin/\",code=\"200\"} 3");
    assert_has_line(t, "pinpipe_api_requests_total{route=\"/pin/\",code=\"422\"} 2");
    assert_has_line(t, "pinpipe_api_requests_total{route=\"/pin/\",code=\"503\"} 1");
    assert_has_line(t, "pinpipe_api_requests_total{route=\"/pin\",code=\"307\"} 1");
    /* each kind its own series */
    assert_has_line(t, "pinpipe_api_requests_total{route=\"/geo/\",code=\"200\"} 2");
    assert_has_line(t, "pinpipe_api_requests_total{route=\"/geo/\",code=\"400\"} 1");
    assert_has_line(t, "pinpipe_api_requests_total{route=\"/user/\",code=\"200\"} 0");
    assert_has_line(t, "pinpipe_api_requests_total{route=\"/user/\",code=\"422\"} 6");
    assert_has_line(t, "pinpipe_api_requests_total{route=\"/user\",code=\"307\"} 1");
    assert_has_line(t, "pinpipe_api_requests_total{route=\"other\",code=\"404\"} 4");
    assert_has_line(t, "pinpipe_api_requests_total{route=\"/healthz\",code=\"other\"} 1");
    assert_no_text(t, "code=\"0\"");
    /* by status class: 3 x 2xx, 2 x 4xx, 1 x 5xx, 5 without a response */
    assert_has_line(t, "pinpipe_api_request_duration_seconds_count{route=\"/pin/\",status_class=\"2xx\"} 3");
    assert_has_line(t, "pinpipe_api_request_duration_seconds_count{route=\"/pin/\",status_class=\"4xx\"} 2");
    assert_has_line(t, "pinpipe_api_request_duration_seconds_count{route=\"/pin/\",status_class=\"5xx\"} 1");
    assert_has_line(t, "pinpipe_api_request_duration_seconds_count{route=\"/pin/\",status_class=\"none\"} 5");
    assert_has_line(t, "pinpipe_api_request_duration_seconds_count{route=\"/healthz\",status_class=\"4xx\"} 1");
    assert_has_line(t, "pinpipe_api_request_duration_seconds_count{route=\"/pin\",status_class=\"3xx\"} 1");
    assert_no_text(t, "route=\"/pin/\",status_class=\"3xx\"");
    assert_has_line(t, "pinpipe_api_in_flight_requests 1");
    assert_has_line(t, "pinpipe_api_producer_queue_depth 7");
    assert_has_line(t, "pinpipe_api_kafka_reachable 1");
    free(t);
}

static void test_fresh_metrics_show_zero_ingest_counters_and_every_error_reason(void **state) {
    (void)state;
    pp_api_metrics m;
    pp_api_metrics_init(&m);
    char *t = render(&m, 0, 0);
    /* one series per kind from the start: a dashboard sees each kind at 0 */
    assert_has_line(t, "pinpipe_api_requests_total{route=\"/pin/\",code=\"200\"} 0");
    assert_has_line(t, "pinpipe_api_requests_total{route=\"/geo/\",code=\"200\"} 0");
    assert_has_line(t, "pinpipe_api_requests_total{route=\"/user/\",code=\"200\"} 0");
    assert_has_line(t, "pinpipe_api_request_duration_seconds_count{route=\"/geo/\",status_class=\"2xx\"} 0");
    assert_has_line(t, "pinpipe_api_request_duration_seconds_count{route=\"/user/\",status_class=\"2xx\"} 0");
    assert_no_text(t, "route=\"/geo\"");
    assert_has_line(t, "pinpipe_api_produce_errors_total{reason=\"queue_full\"} 0");
    assert_has_line(t, "pinpipe_api_produce_errors_total{reason=\"timeout\"} 0");
    assert_has_line(t, "pinpipe_api_produce_errors_total{reason=\"kafka_error\"} 0");
    assert_has_line(t, "pinpipe_api_produce_errors_total{reason=\"rejected\"} 0");
    assert_has_line(t, "pinpipe_api_produce_errors_total{reason=\"too_large\"} 0");
    assert_has_line(t, "pinpipe_api_produce_errors_total{reason=\"refused\"} 0");
    assert_has_line(t, "pinpipe_api_request_duration_seconds_count{route=\"/pin/\",status_class=\"2xx\"} 0");
    assert_no_text(t, "status_class=\"5xx\"");
    assert_has_line(t, "pinpipe_api_produce_duration_seconds_bucket{le=\"+Inf\"} 0");
    assert_has_line(t, "pinpipe_api_kafka_reachable 0");
    assert_no_text(t, "route=\"/metrics\"");
    free(t);
}

static void test_histogram_buckets_are_cumulative(void **state) {
    (void)state;
    pp_api_metrics m;
    pp_api_metrics_init(&m);
    /* 0.3 ms, exactly 1 ms (le is inclusive), 7 ms, 2 s, 60 s */
    static const int64_t US[] = {300, 1000, 7000, 2000000, 60000000};
    for (size_t i = 0; i < sizeof US / sizeof US[0]; i++) pp_api_metrics_produce_done(&m, US[i]);
    pp_api_metrics_produce_error(&m, PP_API_PERR_TIMEOUT);
    pp_api_metrics_produce_error(&m, PP_API_PERR_QUEUE_FULL);
    pp_api_metrics_produce_error(&m, PP_API_PERR_QUEUE_FULL);
    char *t = render(&m, 0, 0);
    assert_has_line(t, "# TYPE pinpipe_api_produce_duration_seconds histogram");
    assert_has_line(t, "pinpipe_api_produce_duration_seconds_bucket{le=\"0.0005\"} 1");
    assert_has_line(t, "pinpipe_api_produce_duration_seconds_bucket{le=\"0.001\"} 2");
    assert_has_line(t, "pinpipe_api_produce_duration_seconds_bucket{le=\"0.005\"} 2");
    assert_has_line(t, "pinpipe_api_produce_duration_seconds_bucket{le=\"0.01\"} 3");
    assert_has_line(t, "pinpipe_api_produce_duration_seconds_bucket{le=\"2.5\"} 4");
    assert_has_line(t, "pinpipe_api_produce_duration_seconds_bucket{le=\"10\"} 4");
    assert_has_line(t, "pinpipe_api_produce_duration_seconds_bucket{le=\"+Inf\"} 5");
    assert_has_line(t, "pinpipe_api_produce_duration_seconds_count 5");
    assert_has_line(t, "pinpipe_api_produce_duration_seconds_sum 62.0083");
    assert_has_line(t, "pinpipe_api_produce_errors_total{reason=\"timeout\"} 1");
    assert_has_line(t, "pinpipe_api_produce_errors_total{reason=\"queue_full\"} 2");
    free(t);
}

/* The connection guard's figures (http/http_guard.h) as counters and a gauge. */
static void test_connection_guard_figures(void **state) {
    (void)state;
    pp_api_metrics m;
    pp_api_metrics_init(&m);
    pp_api_gauges g = {.refused_total = 3, .refused_per_ip = 250, .request_timeouts = 20, .open_connections = 7};
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_api_metrics_render(&m, &g, &sb);
    char *t = pp_sb_steal(&sb);
    assert_has_line(t, "# TYPE pinpipe_api_connections_refused_total counter");
    assert_has_line(t, "pinpipe_api_connections_refused_total{reason=\"total\"} 3");
    assert_has_line(t, "pinpipe_api_connections_refused_total{reason=\"per_ip\"} 250");
    assert_has_line(t, "pinpipe_api_request_timeouts_total 20");
    assert_has_line(t, "# TYPE pinpipe_api_open_connections gauge");
    assert_has_line(t, "pinpipe_api_open_connections 7");
    free(t);
}

/* Every line is a comment or `name[{labels}] number`, and every family has HELP and TYPE. */
static void test_exposition_is_well_formed(void **state) {
    (void)state;
    pp_api_metrics m;
    pp_api_metrics_init(&m);
    for (int r = 0; r < PP_API_ROUTE_COUNT; r++) {
        pp_api_metrics_request_begin(&m);
        pp_api_metrics_request_end(&m, (pp_api_route)r, 200, 1234 * (r + 1));
    }
    char *t = render(&m, 3, 1);
    assert_true(strlen(t) > 0 && t[strlen(t) - 1] == '\n');
    char *save = NULL;
    char *copy = strdup(t);
    char typed[64][96];
    int ntyped = 0;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (!strncmp(line, "# TYPE ", 7)) {
            assert_true(ntyped < 64);
            sscanf(line + 7, "%95s", typed[ntyped++]);
            continue;
        }
        if (line[0] == '#') {
            assert_true(!strncmp(line, "# HELP ", 7));
            continue;
        }
        const char *sp = strrchr(line, ' ');
        assert_non_null(sp);
        char *end = NULL;
        strtod(sp + 1, &end);
        if (*end != '\0') fail_msg("value is not a number: %s", line);
        size_t nl = strcspn(line, "{ ");
        int known = 0;
        for (int k = 0; k < ntyped; k++) {
            size_t tl = strlen(typed[k]);
            if (!strncmp(line, typed[k], tl) &&
                (nl == tl || !strncmp(line + tl, "_bucket", 7) || !strncmp(line + tl, "_sum", 4) ||
                 !strncmp(line + tl, "_count", 6)))
                known = 1;
        }
        if (!known) fail_msg("sample before its # TYPE: %s", line);
    }
    free(copy);
    free(t);
}

static void test_route_labels(void **state) {
    (void)state;
    assert_string_equal(pp_api_route_label(PP_API_ROUTE_PIN), "/pin/");
    assert_string_equal(pp_api_route_label(PP_API_ROUTE_PIN_REDIRECT), "/pin");
    assert_string_equal(pp_api_route_label(PP_API_ROUTE_GEO), "/geo/");
    assert_string_equal(pp_api_route_label(PP_API_ROUTE_GEO_REDIRECT), "/geo");
    assert_string_equal(pp_api_route_label(PP_API_ROUTE_USER), "/user/");
    assert_string_equal(pp_api_route_label(PP_API_ROUTE_USER_REDIRECT), "/user");
    assert_string_equal(pp_api_route_label(PP_API_ROUTE_HEALTHZ), "/healthz");
    assert_string_equal(pp_api_route_label(PP_API_ROUTE_METRICS), "/metrics");
    assert_string_equal(pp_api_route_label(PP_API_ROUTE_OTHER), "other");
    assert_string_equal(pp_api_route_label(PP_API_ROUTE_COUNT), "other");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_requests_are_counted_by_route_and_code),
        cmocka_unit_test(test_fresh_metrics_show_zero_ingest_counters_and_every_error_reason),
        cmocka_unit_test(test_histogram_buckets_are_cumulative),
        cmocka_unit_test(test_exposition_is_well_formed),
        cmocka_unit_test(test_connection_guard_figures),
        cmocka_unit_test(test_route_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
