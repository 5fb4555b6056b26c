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
        "PRIMARY KEY ((event_day), unique_id));",
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
        cmocka_unit_test(test_what_is_retried),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
