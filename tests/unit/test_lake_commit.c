/* Specification of the lake writer's commit rule (src/lake/lake_commit.h): a
 * partition commits X only when every message below X is in a stored object. With
 * one open object per event day, that is the smallest first offset of the open
 * objects; with none open, the offset after the last consumed message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lake/lake_commit.h"

static const struct {
    const char *what;
    int64_t open[4];
    size_t n;
    int64_t next;
    int64_t want;
} CASES[] = {
    {"nothing consumed yet", {0}, 0, -1, -1},
    {"everything consumed is stored", {0}, 0, 181, 181},
    {"one open object", {100}, 1, 181, 100},
    {"open objects of three days: the oldest first offset", {150, 100, 170}, 3, 181, 100},
    {"the oldest day's object was stored: the next oldest", {150, 170}, 2, 181, 150},
    {"an object holding only the last message", {180}, 1, 181, 180},
    {"open object at offset 0 commits nothing new", {0, 5}, 2, 6, 0},
    {"order does not matter", {7, 3, 9, 4}, 4, 10, 3},
};

static void the_committable_offset_is_below_every_open_object(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        int64_t got = pp_lake_committable(CASES[i].open, CASES[i].n, CASES[i].next);
        if (got != CASES[i].want)
            fail_msg("%s: got %lld, want %lld", CASES[i].what, (long long)got, (long long)CASES[i].want);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_committable_offset_is_below_every_open_object),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
