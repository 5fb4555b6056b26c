/* batch_spool — a day's records put in Kafka order (topic, partition, offset), each
 * coordinate once (the first copy read wins), whatever order the objects came in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "batch/batch_coverage.h"
#include "batch/batch_spool.h"
#include "common/error.h"

typedef struct {
    const char *topic;
    int32_t partition;
    int64_t offset;
    const char *bytes;
} rec;

static pp_batch_spool *spool_of(const rec *r, size_t n) {
    pp_batch_spool *s;
    char err[256];
    assert_int_equal(pp_batch_spool_create(&s, err, sizeof err), PP_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(pp_batch_spool_add(s, r[i].topic, PP_KIND_PIN, r[i].partition, r[i].offset, 1000 + (int64_t)i,
                                            (uint32_t)(i / 2), (uint32_t)i + 1, r[i].bytes, strlen(r[i].bytes), err,
                                            sizeof err),
                         PP_OK);
    return s;
}

/* "topic/partition/offset=bytes" of every sealed record, joined by spaces. */
static char *dump(const pp_batch_spool *s) {
    static char out[4096];
    size_t at = 0;
    out[0] = '\0';
    for (size_t i = 0; i < pp_batch_spool_count(s); i++) {
        const pp_batch_rec *r = pp_batch_spool_rec(s, i);
        at += (size_t)snprintf(out + at, sizeof out - at, "%s%s/%d/%lld=%.*s", i ? " " : "",
                               pp_batch_spool_topic(s, r->topic), (int)r->partition, (long long)r->offset, (int)r->len,
                               pp_batch_spool_bytes(s, r));
    }
    return out;
}

typedef struct {
    const char *name;
    rec in[12];
    size_t n;
    const char *want;
    uint64_t duplicates, conflicts;
} order_case;

static const order_case ORDER[] = {
    {"already in order",
     {{"pins", 0, 0, "a"}, {"pins", 0, 1, "b"}, {"pins", 1, 0, "c"}},
     3,
     "pins/0/0=a pins/0/1=b pins/1/0=c",
     0,
     0},
    {"objects read in any order",
     {{"pins", 1, 5, "e"}, {"pins", 0, 7, "d"}, {"pins", 0, 2, "b"}, {"pins", 1, 1, "c"}, {"pins", 0, 0, "a"}},
     5,
     "pins/0/0=a pins/0/2=b pins/0/7=d pins/1/1=c pins/1/5=e",
     0,
     0},
    {"a record stored twice (lake writer crash): kept once",
     {{"pins", 0, 0, "a"}, {"pins", 0, 1, "b"}, {"pins", 0, 1, "b"}, {"pins", 0, 2, "c"}},
     4,
     "pins/0/0=a pins/0/1=b pins/0/2=c",
     1,
     0},
    {"overlapping objects of one partition",
     {{"pins", 2, 10, "x10"},
      {"pins", 2, 12, "x12"},
      {"pins", 2, 14, "x14"},
      {"pins", 2, 12, "x12"},
      {"pins", 2, 13, "x13"},
      {"pins", 2, 14, "x14"},
      {"pins", 2, 15, "x15"}},
     7,
     "pins/2/10=x10 pins/2/12=x12 pins/2/13=x13 pins/2/14=x14 pins/2/15=x15",
     2,
     0},
    {"copies that differ: the first read is kept, the conflict counted",
     {{"pins", 0, 4, "first"}, {"pins", 0, 4, "second"}, {"pins", 0, 4, "first"}},
     3,
     "pins/0/4=first",
     2,
     1},
    {"same offset in other partitions is not a duplicate",
     {{"pins", 0, 3, "a"}, {"pins", 1, 3, "b"}, {"pins", 2, 3, "c"}},
     3,
     "pins/0/3=a pins/1/3=b pins/2/3=c",
     0,
     0},
    {"topics in name order; same coordinates in another topic are not duplicates",
     {{"zeta", 0, 1, "z"}, {"alpha", 0, 1, "a"}, {"pins", 0, 1, "p"}, {"alpha", 0, 0, "a0"}},
     4,
     "alpha/0/0=a0 alpha/0/1=a pins/0/1=p zeta/0/1=z",
     0,
     0},
    {"empty raw bytes", {{"pins", 0, 1, ""}, {"pins", 0, 0, ""}}, 2, "pins/0/0= pins/0/1=", 0, 0},
    {"nothing", {{0}}, 0, "", 0, 0},
};

static void test_kafka_order_and_coordinate_dedup(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof ORDER / sizeof ORDER[0]; i++) {
        const order_case *c = &ORDER[i];
        pp_batch_spool *s = spool_of(c->in, c->n);
        pp_batch_spool_stats st;
        assert_int_equal(pp_batch_spool_seal(s, &st, NULL, 0), PP_OK);
        const char *got = dump(s);
        if (strcmp(got, c->want)) fail_msg("%s:\n got  %s\n want %s", c->name, got, c->want);
        assert_int_equal(st.added, c->n);
        if (st.duplicates != c->duplicates || st.conflicts != c->conflicts)
            fail_msg("%s: %llu duplicates, %llu conflicts", c->name, (unsigned long long)st.duplicates,
                     (unsigned long long)st.conflicts);
        pp_batch_spool_destroy(s);
    }
}

static void test_records_keep_where_they_came_from(void **state) {
    (void)state;
    static const rec R[] = {{"pins", 0, 9, "late"}, {"pins", 0, 3, "early"}};
    pp_batch_spool *s = spool_of(R, 2);
    assert_int_equal(pp_batch_spool_seal(s, NULL, NULL, 0), PP_OK);
    const pp_batch_rec *r = pp_batch_spool_rec(s, 0);
    assert_int_equal(r->offset, 3);
    assert_int_equal(r->ingest_time_ms, 1001); /* added second */
    assert_int_equal(r->line, 2);
    assert_int_equal(r->object, 0);
    assert_int_equal(pp_batch_spool_seal(s, NULL, NULL, 0), PP_EINVAL); /* once */
    pp_batch_spool_destroy(s);
}

static void test_rewind_drops_a_failed_object(void **state) {
    (void)state;
    pp_batch_spool *s;
    assert_int_equal(pp_batch_spool_create(&s, NULL, 0), PP_OK);
    assert_int_equal(pp_batch_spool_add(s, "pins", PP_KIND_PIN, 0, 0, -1, 0, 1, "keep", 4, NULL, 0), PP_OK);
    pp_batch_spool_mark m = pp_batch_spool_get_mark(s);
    assert_int_equal(pp_batch_spool_add(s, "pins", PP_KIND_PIN, 0, 1, -1, 1, 1, "half-read", 9, NULL, 0), PP_OK);
    assert_int_equal(pp_batch_spool_rewind(s, m), PP_OK);
    /* read again from the start: */
    assert_int_equal(pp_batch_spool_add(s, "pins", PP_KIND_PIN, 0, 1, -1, 1, 1, "whole", 5, NULL, 0), PP_OK);
    assert_int_equal(pp_batch_spool_add(s, "pins", PP_KIND_PIN, 0, 2, -1, 1, 2, "more", 4, NULL, 0), PP_OK);
    pp_batch_spool_stats st;
    assert_int_equal(pp_batch_spool_seal(s, &st, NULL, 0), PP_OK);
    assert_string_equal(dump(s), "pins/0/0=keep pins/0/1=whole pins/0/2=more");
    assert_int_equal(st.duplicates, 0);
    pp_batch_spool_destroy(s);
}

static void test_read_json(void **state) {
    (void)state;
    static const rec R[] = {{"pins", 1, 40, "x"},
                            {"pins", 0, 7, "x"},
                            {"pins", 1, 41, "x"},
                            {"other", 3, 0, "x"},
                            {"pins", 0, 2, "x"}};
    pp_batch_spool *s = spool_of(R, 5);
    assert_int_equal(pp_batch_spool_seal(s, NULL, NULL, 0), PP_OK);
    char *j = pp_batch_read_json(s);
    assert_string_equal(j, "{\"other\":{\"3\":1},\"pins\":{\"0\":8,\"1\":42}}");
    free(j);
    pp_batch_spool_destroy(s);
    pp_batch_spool *e;
    assert_int_equal(pp_batch_spool_create(&e, NULL, 0), PP_OK);
    assert_int_equal(pp_batch_spool_seal(e, NULL, NULL, 0), PP_OK);
    j = pp_batch_read_json(e);
    assert_string_equal(j, "{}");
    free(j);
    pp_batch_spool_destroy(e);
}

/* Each record keeps its kind (the lake line's) through sorting, whatever the topic. */
static void test_kinds_survive_the_sort(void **state) {
    (void)state;
    pp_batch_spool *s;
    char err[256];
    assert_int_equal(pp_batch_spool_create(&s, err, sizeof err), PP_OK);
    assert_int_equal(pp_batch_spool_add(s, "users", PP_KIND_USER, 0, 5, -1, 0, 1, "u", 1, err, sizeof err), PP_OK);
    assert_int_equal(pp_batch_spool_add(s, "pins", PP_KIND_PIN, 1, 3, -1, 0, 2, "p", 1, err, sizeof err), PP_OK);
    assert_int_equal(pp_batch_spool_add(s, "geo", PP_KIND_GEO, 0, 9, -1, 0, 3, "g", 1, err, sizeof err), PP_OK);
    pp_batch_spool_stats st;
    assert_int_equal(pp_batch_spool_seal(s, &st, err, sizeof err), PP_OK);
    static const char WANT[] = {'g', 'p', 'u'}; /* topics in name order */
    static const pp_kind KIND[] = {PP_KIND_GEO, PP_KIND_PIN, PP_KIND_USER};
    assert_int_equal(pp_batch_spool_count(s), 3);
    for (size_t i = 0; i < 3; i++) {
        const pp_batch_rec *r = pp_batch_spool_rec(s, i);
        assert_int_equal(pp_batch_spool_bytes(s, r)[0], WANT[i]);
        assert_int_equal(r->kind, KIND[i]);
    }
    pp_batch_spool_destroy(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds_survive_the_sort),
        cmocka_unit_test(test_kafka_order_and_coordinate_dedup),
        cmocka_unit_test(test_records_keep_where_they_came_from),
        cmocka_unit_test(test_rewind_drops_a_failed_object),
        cmocka_unit_test(test_read_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
