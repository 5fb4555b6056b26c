/* Specification of the CQL script splitter (src/cql/cql_script.c) behind
 * `pinpipe cql --file`: a statement ends with ';' at the end of a line; '--' and
 * '//' lines are comments; blank lines are skipped; a last statement needs no ';';
 * each statement remembers the line it starts on (for messages). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cql/cql_script.h"

typedef struct {
    const char *name;
    const char *text;
    size_t n;
    const char *stmts[4];
    size_t lines[4];
} split_case;

static void splits_scripts_into_statements(void **state) {
    (void)state;
    const split_case cases[] = {
        {"one statement with ;", "SELECT 1 FROM t;", 1, {"SELECT 1 FROM t"}, {1}},
        {"one statement without ;", "  SELECT 1 FROM t  \n", 1, {"SELECT 1 FROM t"}, {1}},
        {"empty", "", 0, {NULL}, {0}},
        {"only comments and blanks", "-- a\n\n  // b\n\t\n", 0, {NULL}, {0}},
        {"two on two lines", "USE ks;\nSELECT * FROM t;\n", 2, {"USE ks", "SELECT * FROM t"}, {1, 2}},
        {"multi-line statement keeps its lines",
         "-- schema\nCREATE TABLE t (\n  k text PRIMARY KEY,\n  v int\n);\n\nINSERT INTO t (k) "
         "VALUES ('a;b');\n",
         2,
         {"CREATE TABLE t (\n  k text PRIMARY KEY,\n  v int\n)", "INSERT INTO t (k) VALUES ('a;b')"},
         {2, 7}},
        {"a ; inside a line does not split",
         "SELECT 'a;b' FROM t; SELECT 2",
         1,
         {"SELECT 'a;b' FROM t; SELECT 2"},
         {1}},
        {"CRLF and trailing blanks", "SELECT 1;  \r\nSELECT 2 ;\r\n", 2, {"SELECT 1", "SELECT 2"}, {1, 2}},
        {"comment between statement lines", "SELECT *\n-- note\nFROM t;", 1, {"SELECT *\nFROM t"}, {1}},
        {"lone semicolons", ";\n;\nSELECT 1;", 1, {"SELECT 1"}, {3}},
        {"a literal spanning lines keeps its blanks",
         "INSERT INTO t (v) VALUES ('a  \n  b');",
         1,
         {"INSERT INTO t (v) VALUES ('a  \n  b')"},
         {1}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const split_case *c = &cases[i];
        pp_cql_script s;
        print_message("%s\n", c->name);
        assert_int_equal(pp_cql_script_split(c->text, strlen(c->text), &s, NULL, 0), 0);
        assert_int_equal(s.n, c->n);
        for (size_t j = 0; j < c->n; j++) {
            assert_string_equal(s.stmts[j], c->stmts[j]);
            assert_int_equal(s.lines[j], c->lines[j]);
        }
        pp_cql_script_free(&s);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(splits_scripts_into_statements),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
