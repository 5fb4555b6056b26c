/* Specification of the day rule (src/parity/day_rule.h): for one event day, is each
 * store complete against Kafka, may parity compare them, and which store answers.
 *
 * Each case gives Kafka's partitions (watermarks now), the batch run's coverage and
 * read offsets, and the stream's stored offsets (-1: none), and the decision. The
 * defect it pins down: a partition added to the topic that neither path consumed
 * counted as "offset 0 on both sides" and the day passed. The authority is the
 * serving rule: the batch when it has read at least what the stream has. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "parity/day_rule.h"

#define NONE (-1)

typedef struct {
    const char *name;
    pp_day_run run;
    pp_day_partition parts[4];
    size_t n;
    int batch_complete, stream_complete, comparable, complete;
    pp_day_source authority;
    const char *reason_has; /* in why_incomplete, else in why_not_comparable; NULL: both empty */
} rule_case;

/* partition, low, high, batch coverage, batch read, stream */
static const rule_case CASES[] = {
    {"both read everything Kafka has",
     PP_DAY_RUN_DONE,
     {{0, 0, 100, 100, 100, 100}, {1, 0, 50, 50, 40, 50}},
     2,
     1,
     1,
     1,
     1,
     PP_DAY_FROM_BATCH,
     NULL},
    {"a new partition neither path has read: comparable but incomplete",
     PP_DAY_RUN_DONE,
     {{0, 0, 100, 100, 100, 100}, {1, 0, 7, NONE, NONE, NONE}},
     2,
     0,
     0,
     1,
     0,
     PP_DAY_FROM_BATCH,
     "partition 1: Kafka holds offsets up to 7, the batch and the stream read up to 0: 7 record(s) in neither store"},
    {"a new partition the coverage lists as null (no committed offset)",
     PP_DAY_RUN_DONE,
     {{0, 0, 100, 100, 100, 100}, {5, 0, 3, NONE, NONE, NONE}},
     2,
     0,
     0,
     1,
     0,
     PP_DAY_FROM_BATCH,
     "partition 5: Kafka holds offsets up to 3"},
    {"a new, empty partition changes nothing",
     PP_DAY_RUN_DONE,
     {{0, 0, 100, 100, 100, 100}, {1, 0, 0, NONE, NONE, NONE}},
     2,
     1,
     1,
     1,
     1,
     PP_DAY_FROM_BATCH,
     NULL},
    {"both behind Kafka's end by the same prefix",
     PP_DAY_RUN_DONE,
     {{0, 0, 120, 100, 90, 100}},
     1,
     0,
     0,
     1,
     0,
     PP_DAY_FROM_BATCH,
     "20 record(s) in neither store"},
    {"the stream caught up, the batch did not: stream answers, complete",
     PP_DAY_RUN_DONE,
     {{0, 0, 120, 100, 100, 120}},
     1,
     0,
     1,
     0,
     1,
     PP_DAY_FROM_STREAM,
     "the stream is at offset 120, the batch covered 100"},
    {"retention deleted records neither read",
     PP_DAY_RUN_DONE,
     {{0, 0, 10, 10, 10, 10}, {1, 30, 40, NONE, NONE, NONE}},
     2,
     0,
     0,
     1,
     0,
     PP_DAY_FROM_BATCH,
     "partition 1: offsets 0..29 were deleted by retention"},
    {"stores ahead of Kafka: the topic was re-created",
     PP_DAY_RUN_DONE,
     {{0, 0, 10, 50, 50, 50}},
     1,
     0,
     0,
     1,
     0,
     PP_DAY_FROM_BATCH,
     "beyond Kafka's end 10"},
    {"the batch read past its coverage",
     PP_DAY_RUN_DONE,
     {{0, 0, 100, 100, 101, 100}},
     1,
     0,
     1,
     0,
     1,
     PP_DAY_FROM_STREAM,
     "past its coverage 100"},
    {"a run still running: not comparable, the stream answers",
     PP_DAY_RUN_RUNNING,
     {{0, 0, 100, 100, 100, 100}},
     1,
     0,
     1,
     0,
     1,
     PP_DAY_FROM_STREAM,
     "is 'running'"},
    {"an abandoned run: presumed dead",
     PP_DAY_RUN_ABANDONED,
     {{0, 0, 100, 100, 100, 100}},
     1,
     0,
     1,
     0,
     1,
     PP_DAY_FROM_STREAM,
     "presumed dead"},
    {"no run at all, stream behind: nothing is complete",
     PP_DAY_RUN_NONE,
     {{0, 0, 100, NONE, NONE, 60}},
     1,
     0,
     0,
     0,
     0,
     PP_DAY_FROM_STREAM,
     "the stream read up to 60: 40 record(s) it has not read"},
    {"live traffic: the batch covers what the stream read, Kafka has more: the batch answers, not final",
     PP_DAY_RUN_DONE,
     {{0, 0, 120, 110, 110, 100}},
     1,
     0,
     0,
     0,
     0,
     PP_DAY_FROM_BATCH,
     "Kafka holds offsets up to 120, the batch read up to 110: 10 record(s) it has not read"},
    {"the stream was rebuilt (no offsets): the batch answers",
     PP_DAY_RUN_DONE,
     {{0, 0, 100, 100, 100, NONE}},
     1,
     1,
     0,
     0,
     1,
     PP_DAY_FROM_BATCH,
     "the stream is at offset 0, the batch covered 100"},
    {"the stream is one record ahead of the batch: the stream answers",
     PP_DAY_RUN_DONE,
     {{0, 0, 120, 100, 100, 101}},
     1,
     0,
     0,
     0,
     0,
     PP_DAY_FROM_STREAM,
     "the stream read up to 101: 19 record(s) it has not read"},
};

static void each_case_decides_as_specified(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const rule_case *c = &CASES[i];
        pp_day_decision d;
        pp_day_decide(c->run, "on host h", c->parts, c->n, &d);
        print_message("case: %s\n", c->name);
        assert_int_equal(d.batch_complete, c->batch_complete);
        assert_int_equal(d.stream_complete, c->stream_complete);
        assert_int_equal(d.comparable, c->comparable);
        assert_int_equal(d.complete, c->complete);
        assert_int_equal(d.authority, c->authority);
        assert_int_equal(d.comparable, d.why_not_comparable[0] == '\0');
        assert_int_equal(d.complete, d.why_incomplete[0] == '\0');
        if (c->reason_has) {
            const char *in = d.complete ? d.why_not_comparable : d.why_incomplete;
            if (!strstr(in, c->reason_has)) fail_msg("case '%s': '%s' does not say '%s'", c->name, in, c->reason_has);
        }
    }
}

static void the_run_note_is_part_of_the_reason(void **state) {
    (void)state;
    pp_day_partition p = {0, 0, 1, 1, 1, 1};
    pp_day_decision d;
    pp_day_decide(PP_DAY_RUN_FAILED, "started 2026-01-02 on host b7", &p, 1, &d);
    assert_non_null(strstr(d.why_not_comparable, "'failed', started 2026-01-02 on host b7"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_case_decides_as_specified),
        cmocka_unit_test(the_run_note_is_part_of_the_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
