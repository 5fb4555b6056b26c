/* batch_schema and batch_writer rules: which keyspace names are accepted (they are
 * spliced into DDL, so only plain identifiers), what the schema script holds, and
 * which Cassandra failures are worth sending again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "batch/batch_schema.h"
#include "batch/batch_writer.h"
#include "common/error.h"

static void test_keyspace_names(void **state) {
    (void)state;
    static const char *const OK[] = {"pinpipe", "it_batch_1767225600_42", "A", "ks_",
                                     "a23456789012345678901234567890123456789012345678"};
    static const char *const BAD[] = {"",
                                      "1abc",
                                      "_x",
                                      "pin-pipe",
                                      "pin pipe",
                                      "ks;DROP",
                                      "\"quoted\"",
                                      "ks.table",
                                      "k\xc3\xa9",
                                      NULL,
                                      "a234567890123456789012345678901234567890123456789"};
    for (size_t i = 0; i < sizeof OK / sizeof OK[0]; i++)
        if (!pp_batch_keyspace_valid(OK[i])) fail_msg("'%s' refused", OK[i]);
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++)
        if (pp_batch_keyspace_valid(BAD[i])) fail_msg("'%s' accepted", BAD[i]);
}

static void test_schema_script(void **state) {
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    pp_batch_schema_print(f, "ks1", 3);
    fclose(f);
    static const char *const WANT[] = {
        "CREATE KEYSPACE IF NOT EXISTS ks1 WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3};",
        "CREATE TABLE IF NOT EXISTS ks1.pins (",
        "  bucket int,\n",
        "PRIMARY KEY ((event_day, bucket), unique_id));",
        "CREATE TABLE IF NOT EXISTS ks1.metrics (",
        "PRIMARY KEY ((day), metric, key));",
        "CREATE TABLE IF NOT EXISTS ks1.rejects (",
        "PRIMARY KEY ((day), kafka_topic, kafka_partition, kafka_offset));",
        "CREATE TABLE IF NOT EXISTS ks1.batch_runs (",
        "PRIMARY KEY ((day), run_at)) WITH CLUSTERING ORDER BY (run_at DESC);",
        "CREATE TABLE IF NOT EXISTS ks1.geo (",
        "CREATE TABLE IF NOT EXISTS ks1.users (",
        "PRIMARY KEY ((event_day), ind));",
    };
    for (size_t i = 0; i < sizeof WANT / sizeof WANT[0]; i++)
        if (!strstr(text, WANT[i])) fail_msg("schema lacks: %s\n%s", WANT[i], text);
    assert_null(strstr(text, "USE ")); /* tables are named with their keyspace */
    free(text);
}

/* An existing pins table is checked against the one ensure() creates: CREATE TABLE
 * IF NOT EXISTS would keep one of an older key and every write would fail. */
static void test_existing_pins_table(void **state) {
    (void)state;
    char err[1024];
    /* as system_schema.columns lists today's table (some of its columns) */
    pp_batch_column_info now[] = {
        {"event_day", "partition_key", "text", 0}, {"bucket", "partition_key", "int", 1},
        {"unique_id", "clustering", "text", 0},    {"tag_list", "regular", "frozen<list<text>>", -1},
        {"title", "regular", "text", -1},          {"an_operators_column", "regular", "blob", -1},
    };
    size_t n = sizeof now / sizeof now[0];
    assert_int_equal(pp_batch_pins_table_check("ks1", now, n, err, sizeof err), PP_OK);
    assert_int_equal(pp_batch_pins_table_check("ks1", now, 0, err, sizeof err), PP_OK); /* none yet */

    /* before buckets: ((event_day), unique_id) */
    pp_batch_column_info old[] = {
        {"event_day", "partition_key", "text", 0},
        {"unique_id", "clustering", "text", 0},
        {"tag_list", "regular", "list<text>", -1}, /* and the tags not frozen */
    };
    assert_int_equal(pp_batch_pins_table_check("ks1", old, 3, err, sizeof err), PP_EINVAL);
    assert_non_null(strstr(err, "ks1.pins is keyed ((event_day), unique_id)"));
    assert_non_null(strstr(err, "DROP TABLE"));
    assert_non_null(strstr(err, "run the batch again"));

    /* bucket there but not in the key; a column of another type */
    pp_batch_column_info right = now[1];
    now[1].kind = "regular", now[1].position = -1;
    assert_int_equal(pp_batch_pins_table_check("ks1", now, n, err, sizeof err), PP_EINVAL);
    assert_non_null(strstr(err, "ks1.pins is keyed ((event_day), unique_id)"));
    now[1] = right;
    now[0].position = 1, now[1].position = 0; /* ((bucket, event_day), ...) */
    assert_int_equal(pp_batch_pins_table_check("ks1", now, n, err, sizeof err), PP_EINVAL);
    assert_non_null(strstr(err, "column event_day as partition_key text (position 1)"));
    now[0].position = 0, now[1].position = 1;
    now[3].type = "list<text>";
    assert_int_equal(pp_batch_pins_table_check("ks1", now, n, err, sizeof err), PP_EINVAL);
    assert_non_null(strstr(err, "column tag_list as regular list<text>"));
    assert_non_null(strstr(err, "DROP TABLE"));
}

typedef struct {
    int rc;
    int32_t code;
    int retry;
} retry_case;

static void test_what_is_retried(void **state) {
    (void)state;
    static const retry_case C[] = {
        {PP_ETIMEOUT, -1, 1},    /* no answer in time: the write may or may not have happened; */
        {PP_EIO, -1, 1},         /* ... both are safe to repeat (explicit write timestamps) */
        {PP_ESERVER, 0x1000, 1}, /* Unavailable */
        {PP_ESERVER, 0x1001, 1}, /* Overloaded */
        {PP_ESERVER, 0x1002, 1}, /* Is_bootstrapping */
        {PP_ESERVER, 0x1100, 1}, /* Write_timeout */
        {PP_ESERVER, 0x2000, 0}, /* Syntax_error */
        {PP_ESERVER, 0x2100, 0}, /* Unauthorized */
        {PP_ESERVER, 0x2200, 0}, /* Invalid */
        {PP_ESERVER, 0x0000, 0}, /* Server_error */
        {PP_ESERVER, 0x1200, 0}, /* Read_timeout: not a write */
        {PP_EINVAL, -1, 0},      /* a value that does not fit its column */
        {PP_EPROTO, -1, 0},      {PP_ENOMEM, -1, 0},
    };
    for (size_t i = 0; i < sizeof C / sizeof C[0]; i++)
        if (pp_batch_writer_retryable(C[i].rc, C[i].code) != C[i].retry)
            fail_msg("rc %d code 0x%04x: retry should be %d", C[i].rc, (unsigned)C[i].code, C[i].retry);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keyspace_names),
        cmocka_unit_test(test_schema_script),
        cmocka_unit_test(test_existing_pins_table),
        cmocka_unit_test(test_what_is_retried),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
