/* Specification of the stream's posts (stream_join.h): the lock key every instance
 * agrees on, the posts a batch touches, and the join's change of a batch's new sides
 * (the database steps are stream_join_it.sh's). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "contract/message.h"
#include "stream/stream_batch.h"
#include "stream/stream_join.h"

static const char PIN[] =
    "{\"index\":7,\"unique_id\":\"u1\",\"title\":\"t\",\"description\":\"d\",\"follower_count\":\"6k\","
    "\"tag_list\":\"a,b\",\"is_image_or_video\":\"image\",\"image_src\":\"x\",\"downloaded\":1,"
    "\"save_location\":\"Local save in /data/x\",\"category\":\"art\",\"timestamp\":\"2026-01-02 09:00:00\"}";
static const char GEO[] =
    "{\"ind\":7,\"timestamp\":\"2026-01-02 10:00:00\",\"latitude\":1.5,\"longitude\":2.5,\"country\":\"France\"}";
static const char USER[] = "{\"ind\":7,\"first_name\":\"Ada\",\"last_name\":\"L\",\"age\":36,"
                           "\"date_joined\":\"2020-01-01 00:00:00\",\"timestamp\":\"2026-01-02 11:00:00\"}";
static const char GEO_OTHER_DAY[] =
    "{\"ind\":7,\"timestamp\":\"2026-01-03 10:00:00\",\"latitude\":1.5,\"longitude\":2.5,\"country\":\"Peru\"}";

static pp_kafka_header GEO_H = {.name = PP_HDR_KIND, .value = "geo", .value_len = 3};
static pp_kafka_header USER_H = {.name = PP_HDR_KIND, .value = "user", .value_len = 4};

static pp_kafka_message msg(const char *value, const pp_kafka_header *h, int64_t offset) {
    return (pp_kafka_message){.topic = "t",
                              .offset = offset,
                              .value = value,
                              .value_len = strlen(value),
                              .headers = h,
                              .nheaders = h != NULL};
}

static void prepare(pp_stream_batch *b, pp_kafka_message *msgs, size_t n) {
    pp_kafka_batch kb = {.msgs = msgs, .count = n};
    pp_clean_opts opts;
    pp_clean_opts_default(&opts);
    pp_stream_batch_init(b);
    pp_stream_batch_prepare(b, &kb, &opts);
}

typedef struct {
    int64_t joined, unmatched_geo;
} tally;

static void count(void *ctx, pp_metric_id metric, const char *day, const char *key, size_t keylen, int64_t value) {
    tally *t = ctx;
    (void)day;
    if (metric == PP_M_POSTS_JOINED) t->joined += value;
    if (metric == PP_M_JOIN_UNMATCHED && keylen == 3 && memcmp(key, "geo", 3) == 0) t->unmatched_geo += value;
}

/* FNV-1a 64 of "2026-01-01" and 7 as 8 bytes little-endian: fixed, so instances of
 * different builds lock the same key for the same post. */
static void the_lock_key_is_fixed(void **state) {
    (void)state;
    assert_true(pp_stream_post_lock_key("2026-01-01", 7) == INT64_C(3803682499070349444));
    assert_true(pp_stream_post_lock_key("2026-01-01", 8) != pp_stream_post_lock_key("2026-01-01", 7));
    assert_true(pp_stream_post_lock_key("2026-01-02", 7) != pp_stream_post_lock_key("2026-01-01", 7));
}

/* A post is (event day, ind): a pin, a geo and a user of one post are one post; a geo
 * of the same ind on another day is another; a reject and an item not kept are none. */
static void a_batch_touches_one_post_per_day_and_ind(void **state) {
    (void)state;
    pp_kafka_message msgs[] = {msg(PIN, NULL, 0),          msg(GEO, &GEO_H, 1),
                               msg(USER, &USER_H, 2),      msg(GEO_OTHER_DAY, &GEO_H, 3),
                               msg("not json", &GEO_H, 4), msg(GEO, &GEO_H, 5)};
    pp_stream_batch b;
    prepare(&b, msgs, 6);
    char keep[] = {1, 1, 1, 1, 1, 0};
    pp_stream_posts *ps = pp_stream_posts_of(&b, keep);
    assert_int_equal(pp_stream_posts_count(ps), 2);
    /* every side new, nothing stored before: one joined record on 2026-01-02, and the
     * other day's geo unmatched */
    char is_new[] = {1, 1, 1, 1, 0, 0};
    tally t = {0, 0};
    pp_stream_posts_delta(ps, is_new, count, &t);
    assert_int_equal(t.joined, 1);
    assert_int_equal(t.unmatched_geo, 1);
    /* the user already stored (not new): no joined record, the geo unmatched */
    is_new[2] = 0;
    t = (tally){0, 0};
    pp_stream_posts_delta(ps, is_new, count, &t);
    assert_int_equal(t.joined, 0);
    assert_int_equal(t.unmatched_geo, 2);
    pp_stream_posts_free(ps);
    pp_stream_batch_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_lock_key_is_fixed),
        cmocka_unit_test(a_batch_touches_one_post_per_day_and_ind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
