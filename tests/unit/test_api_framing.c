/* Specification of the framing checks of the ingest API (src/api/api_http.c,
 * pp_api_framing_problem): a request whose body length or type is ambiguous is
 * refused (400) before any of its body is read, because a proxy in front and pinpipe
 * could read it differently (request smuggling):
 *  - two Content-Length fields with different values (equal repeats are fine);
 *  - Content-Length together with Transfer-Encoding;
 *  - Transfer-Encoding other than exactly "chunked", or given twice;
 *  - two Content-Type fields, even equal ones.
 * Header names compare without regard to case; other fields do not matter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/api_http.h"

#define MAXH 4

typedef struct {
    const char *name;
    pp_api_header h[MAXH];
    const char *problem; /* NULL: accepted; else a word the reason must contain */
} framing_case;

static const framing_case CASES[] = {
    {"no body headers", {{"Host", "x"}}, NULL},
    {"one Content-Length", {{"Content-Length", "10"}, {"Content-Type", "application/json"}}, NULL},
    {"chunked", {{"Transfer-Encoding", "chunked"}}, NULL},
    {"chunked, any case and spaces", {{"transfer-encoding", " Chunked "}}, NULL},
    {"equal Content-Length twice", {{"Content-Length", "10"}, {"content-length", " 10"}}, NULL},
    {"equal Content-Length, leading zero", {{"Content-Length", "10"}, {"Content-Length", "010"}}, NULL},
    {"two different Content-Length", {{"Content-Length", "10"}, {"Content-Length", "11"}}, "Content-Length"},
    {"different Content-Length, case", {{"content-length", "5"}, {"CONTENT-LENGTH", "500"}}, "Content-Length"},
    {"Content-Length and chunked", {{"Content-Length", "10"}, {"Transfer-Encoding", "chunked"}}, "Transfer-Encoding"},
    {"chunked and Content-Length", {{"Transfer-Encoding", "chunked"}, {"Content-Length", "0"}}, "Transfer-Encoding"},
    {"gzip, chunked", {{"Transfer-Encoding", "gzip, chunked"}}, "Transfer-Encoding"},
    {"identity", {{"Transfer-Encoding", "identity"}}, "Transfer-Encoding"},
    {"chunked twice", {{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}}, "Transfer-Encoding"},
    {"two Content-Type", {{"Content-Type", "application/json"}, {"Content-Type", "text/plain"}}, "Content-Type"},
    {"two equal Content-Type",
     {{"Content-Type", "application/json"}, {"content-type", "application/json"}},
     "Content-Type"},
};

static size_t count(const pp_api_header *h) {
    size_t n = 0;
    while (n < MAXH && h[n].name) n++;
    return n;
}

static void test_framing_table(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const framing_case *c = &CASES[i];
        const char *got = pp_api_framing_problem(c->h, count(c->h));
        if (!c->problem) {
            if (got) fail_msg("%s: refused (%s), want accepted", c->name, got);
        } else {
            if (!got) fail_msg("%s: accepted, want refused", c->name);
            if (!strstr(got, c->problem)) fail_msg("%s: reason '%s' does not name %s", c->name, got, c->problem);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_framing_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
