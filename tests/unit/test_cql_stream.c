/* Specification of stream-id allocation (src/cql/cql_stream.c): ids are handed out
 * lowest-free-first, every id of the range can be held at once, exhaustion is
 * reported (never a duplicate), released ids are reused at once, and releasing an
 * id that is not held is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "common/error.h"
#include "cql/cql_stream.h"

static void hands_out_the_lowest_free_id(void **state) {
    (void)state;
    pp_cql_streams s;
    assert_int_equal(pp_cql_streams_init(&s, 8), 0);
    for (int i = 0; i < 8; i++) assert_int_equal(pp_cql_streams_alloc(&s), i);
    assert_int_equal(pp_cql_streams_alloc(&s), -1); /* all 8 in flight */
    assert_int_equal(pp_cql_streams_release(&s, 5), 0);
    assert_int_equal(pp_cql_streams_release(&s, 2), 0);
    assert_false(pp_cql_streams_held(&s, 2));
    assert_int_equal(pp_cql_streams_alloc(&s), 2); /* reused, lowest first */
    assert_int_equal(pp_cql_streams_alloc(&s), 5);
    assert_int_equal(pp_cql_streams_alloc(&s), -1);
    pp_cql_streams_free(&s);
}

static void every_protocol_id_can_be_in_flight_once(void **state) {
    (void)state;
    pp_cql_streams s;
    assert_int_equal(pp_cql_streams_init(&s, PP_CQL_MAX_STREAMS), 0);
    for (int i = 0; i < PP_CQL_MAX_STREAMS; i++) assert_int_equal(pp_cql_streams_alloc(&s), i);
    assert_int_equal(pp_cql_streams_alloc(&s), -1);
    assert_int_equal(s.used, PP_CQL_MAX_STREAMS);
    assert_int_equal(pp_cql_streams_release(&s, 32767), 0);
    assert_int_equal(pp_cql_streams_release(&s, 64), 0);
    assert_int_equal(pp_cql_streams_alloc(&s), 64);
    assert_int_equal(pp_cql_streams_alloc(&s), 32767);
    for (int i = 0; i < PP_CQL_MAX_STREAMS; i++) assert_int_equal(pp_cql_streams_release(&s, i), 0);
    assert_int_equal(s.used, 0);
    pp_cql_streams_free(&s);
}

static void refuses_bad_releases_and_sizes(void **state) {
    (void)state;
    pp_cql_streams s;
    assert_int_equal(pp_cql_streams_init(&s, 0), PP_EINVAL);
    assert_int_equal(pp_cql_streams_init(&s, PP_CQL_MAX_STREAMS + 1), PP_EINVAL);
    assert_int_equal(pp_cql_streams_init(&s, 100), 0);
    assert_int_equal(pp_cql_streams_release(&s, 0), PP_EINVAL); /* not held */
    assert_int_equal(pp_cql_streams_alloc(&s), 0);
    assert_int_equal(pp_cql_streams_release(&s, 0), 0);
    assert_int_equal(pp_cql_streams_release(&s, 0), PP_EINVAL); /* twice */
    assert_int_equal(pp_cql_streams_release(&s, -1), PP_EINVAL);
    assert_int_equal(pp_cql_streams_release(&s, 100), PP_EINVAL);
    assert_false(pp_cql_streams_held(&s, 1000));
    /* the last partial word of the bitmap never yields ids past max */
    for (int i = 0; i < 100; i++) assert_int_equal(pp_cql_streams_alloc(&s), i);
    assert_int_equal(pp_cql_streams_alloc(&s), -1);
    pp_cql_streams_free(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hands_out_the_lowest_free_id),
        cmocka_unit_test(every_protocol_id_can_be_in_flight_once),
        cmocka_unit_test(refuses_bad_releases_and_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
