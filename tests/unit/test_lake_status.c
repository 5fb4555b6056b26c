/* Specification of day completeness (src/lake/lake_status.h): per partition, the lake
 * writer's committed offset against the first offset stamped after the day's end +
 * allowance, or — no message that late — everything stored and the allowance passed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lake/lake_status.h"

#define DEADLINE 1767312000000LL /* 2026-01-02 00:00 UTC (+ allowance 0) */

static void each_partition_says_why(void **state) {
    (void)state;
    static const struct {
        const char *name;
        int64_t committed, needed, high, now;
        int ok;
        const char *why;
    } cases[] = {
        {"committed past the first late message", 120, 100, 150, DEADLINE - 1, 1, "offset 100 is the first"},
        {"committed at it", 100, 100, 150, DEADLINE - 1, 1, "is past it"},
        {"committed before it", 99, 100, 150, DEADLINE + 1, 0, "has stored only up to 99"},
        {"no group offset yet", -1, 0, 10, DEADLINE + 1, 0, "only up to 0"},
        {"nothing that late, all stored, allowance passed", 50, -1, 50, DEADLINE, 1, "allowance has passed"},
        {"nothing that late, all stored, allowance to come", 50, -1, 50, DEADLINE - 1, 0, "waiting for the allowance"},
        {"nothing that late, not all stored", 40, -1, 50, DEADLINE + 1, 0, "stored up to 40 of 50"},
        {"an empty partition, no group offset", -1, -1, 0, DEADLINE + 1, 1, "stored everything"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pp_lake_part_status p = {.partition = 0,
                                 .committed = cases[i].committed,
                                 .needed = cases[i].needed,
                                 .high = cases[i].high};
        int all = pp_lake_status_decide(&p, 1, DEADLINE, cases[i].now);
        if (p.ok != cases[i].ok || all != cases[i].ok || !strstr(p.why, cases[i].why))
            fail_msg("%s: ok %d all %d why '%s'", cases[i].name, p.ok, all, p.why);
    }
}

static void the_day_is_complete_only_when_every_partition_is(void **state) {
    (void)state;
    pp_lake_part_status p[2] = {{.partition = 0, .committed = 10, .needed = 5, .high = 20},
                                {.partition = 1, .committed = 3, .needed = 5, .high = 20}};
    assert_int_equal(pp_lake_status_decide(p, 2, DEADLINE, DEADLINE), 0);
    p[1].committed = 5;
    assert_int_equal(pp_lake_status_decide(p, 2, DEADLINE, DEADLINE), 1);
    assert_int_equal(pp_lake_status_decide(p, 0, DEADLINE, DEADLINE), 0); /* no partitions: cannot say */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_partition_says_why),
        cmocka_unit_test(the_day_is_complete_only_when_every_partition_is),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
