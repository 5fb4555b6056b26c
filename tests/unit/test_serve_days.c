/* The serving rule (src/serve/serve_days.h), table-driven: which store answers a day
 * given its batch runs, the stream's offsets, Kafka's watermarks and which stores
 * could be read. The rule itself is parity's (tests/unit/test_parity_day_rule.c);
 * these cases pin what serving adds: the batch when it covers the stream, a day the
 * stream does not hold, and a store that is down (fall back only to a complete store,
 * else no answer: never a wrong number). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "serve/serve_days.h"

#define COV100 "{\"source\":\"lake_group\",\"next_offsets\":{\"0\":100}}"
#define COV80 "{\"source\":\"lake_group\",\"next_offsets\":{\"0\":80}}"
#define NO_RUN NULL

typedef struct {
    const char *name;
    const char *run_status; /* NULL: no run */
    const char *coverage;
    int64_t stream_next, high;
    int batch_ok, stream_ok, kafka_ok, stream_has_day;
    pp_serve_source want;
    const char *unavailable;
} serve_case;

static const serve_case CASES[] = {
    {"batch done, covers the stream and Kafka", "done", COV100, 100, 100, 1, 1, 1, 1, PP_SERVE_BATCH, ""},
    {"batch done, covers the stream, Kafka has more (live)", "done", COV100, 90, 120, 1, 1, 1, 1, PP_SERVE_BATCH, ""},
    {"the stream is ahead of the batch's coverage", "done", COV80, 100, 100, 1, 1, 1, 1, PP_SERVE_STREAM, ""},
    {"no batch run: the stream", NO_RUN, NULL, 100, 100, 1, 1, 1, 1, PP_SERVE_STREAM, ""},
    {"the batch is running: the stream", "running", COV100, 100, 100, 1, 1, 1, 1, PP_SERVE_STREAM, ""},
    {"the batch failed: the stream", "failed", COV100, 100, 100, 1, 1, 1, 1, PP_SERVE_STREAM, ""},
    {"the stream is ahead but holds no rows of the day: the batch", "done", COV80, 100, 100, 1, 1, 1, 0, PP_SERVE_BATCH,
     ""},
    {"Cassandra down, the stream complete: the stream", "done", COV100, 100, 100, 0, 1, 1, 1, PP_SERVE_STREAM,
     "cassandra"},
    {"Cassandra down, the stream behind Kafka: no answer", "done", COV100, 90, 100, 0, 1, 1, 1, PP_SERVE_NONE,
     "cassandra"},
    {"Cassandra and Kafka down: completeness unknown, no answer", "done", COV100, 100, 100, 0, 1, 0, 1, PP_SERVE_NONE,
     "cassandra"},
    {"PostgreSQL down, the batch complete: the batch", "done", COV100, 100, 100, 1, 0, 1, 0, PP_SERVE_BATCH,
     "postgresql"},
    {"PostgreSQL down, the batch behind Kafka: no answer", "done", COV80, 100, 100, 1, 0, 1, 0, PP_SERVE_NONE,
     "postgresql"},
    {"both down", "done", COV100, 100, 100, 0, 0, 1, 0, PP_SERVE_NONE, "cassandra, postgresql"},
    {"Kafka down: the rule still chooses", "done", COV100, 100, 100, 1, 1, 0, 1, PP_SERVE_BATCH, ""},
};

static void each_case_is_served_as_specified(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const serve_case *c = &CASES[i];
        pp_parity_run_row runs[2] = {
            /* another day's run */
            {"done", NULL, COV100, "{}", "h", 10, 1000, 5, "2026-01-01", 1000, NULL, -1, -1, -1},
            {c->run_status, NULL, c->coverage, "{}", "h", 20, 2000, 5, "2026-01-02", 2000, NULL, -1, -1, -1},
        };
        pp_parity_offset offsets[] = {{0, c->stream_next}};
        pp_kafka_watermark wm[] = {{0, 0, c->high}};
        char days[1][11] = {"2026-01-02"};
        pp_serve_snapshot s = {.run_timeout_ms = 3600000,
                               .batch_ok = c->batch_ok,
                               .stream_ok = c->stream_ok,
                               .kafka_ok = c->kafka_ok,
                               .runs = runs,
                               .nruns = c->run_status ? 2 : 1,
                               .topics = {{"pins", wm, 1, offsets, 1}},
                               .ntopics = 1,
                               .stream_days = days,
                               .nstream_days = c->stream_has_day ? 1 : 0};
        pp_serve_day d;
        pp_serve_decide_day(&s, "2026-01-02", &d);
        if (d.source != c->want || strcmp(d.unavailable, c->unavailable) != 0)
            fail_msg("case '%s': source %s (want %s), unavailable '%s' (want '%s'), note '%s'", c->name,
                     pp_serve_source_name(d.source), pp_serve_source_name(c->want), d.unavailable, c->unavailable,
                     d.note);
        /* the day's own runs only: the other day's run is never chosen */
        if (d.run >= 0) assert_string_equal(runs[d.run].day, "2026-01-02");
        if (c->run_status) assert_int_equal(d.batch_version, c->batch_ok ? 20 : -1);
    }
}

/* Several topics (pins, geo, users): serving decides each day with parity's
 * pp_parity_decide_topics over the same topics, so the two never disagree. */
#define COV_KINDS(geo)                                                                                                \
    "{\"source\":\"lake_group\",\"topic\":\"pins\",\"next_offsets\":{\"0\":10},\"more_topics\":{\"geo\":{\"0\":" #geo \
    "},\"users\":{\"0\":7}}}"

static void several_topics_decide_as_parity(void **state) {
    (void)state;
    static const struct {
        const char *coverage;
        int64_t geo_stream, geo_high;
        pp_serve_source want;
    } K[] = {
        {COV_KINDS(5), 5, 5, PP_SERVE_BATCH},  /* every topic covered */
        {COV_KINDS(5), 3, 9, PP_SERVE_BATCH},  /* the stream behind on geo: the batch covers it */
        {COV_KINDS(3), 5, 5, PP_SERVE_STREAM}, /* the stream ahead of the run on geo alone */
        /* a run without geo coverage cannot answer for geo */
        {"{\"source\":\"lake_group\",\"topic\":\"pins\",\"next_offsets\":{\"0\":10}}", 5, 5, PP_SERVE_STREAM},
    };
    for (size_t i = 0; i < sizeof K / sizeof K[0]; i++) {
        pp_parity_run_row run = {"done", NULL,         K[i].coverage, "{}", "h", 20, 2000,
                                 5,      "2026-03-01", 2000,          NULL, -1,  -1, -1};
        pp_kafka_watermark pins_wm[] = {{0, 0, 10}}, geo_wm[] = {{0, 0, K[i].geo_high}}, users_wm[] = {{0, 0, 7}};
        pp_parity_offset pins_off[] = {{0, 10}}, geo_off[] = {{0, K[i].geo_stream}}, users_off[] = {{0, 7}};
        char days[1][11] = {"2026-03-01"};
        pp_serve_snapshot s = {.run_timeout_ms = 3600000,
                               .batch_ok = 1,
                               .stream_ok = 1,
                               .kafka_ok = 1,
                               .runs = &run,
                               .nruns = 1,
                               .topics = {{"pins", pins_wm, 1, pins_off, 1},
                                          {"geo", geo_wm, 1, geo_off, 1},
                                          {"users", users_wm, 1, users_off, 1}},
                               .ntopics = 3,
                               .stream_days = days,
                               .nstream_days = 1};
        pp_serve_day d;
        pp_serve_decide_day(&s, "2026-03-01", &d);
        pp_day_decision parity;
        long chosen;
        pp_parity_decide_topics(&run, 1, s.topics, 3, s.run_timeout_ms, &parity, &chosen);
        if (d.source != K[i].want) fail_msg("case %zu: source %s", i, pp_serve_source_name(d.source));
        assert_int_equal(d.decision.authority, parity.authority);
        assert_int_equal(d.decision.comparable, parity.comparable);
        assert_int_equal(d.decision.complete, parity.complete);
        assert_string_equal(d.decision.why_not_comparable, parity.why_not_comparable);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_case_is_served_as_specified),
        cmocka_unit_test(several_topics_decide_as_parity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
