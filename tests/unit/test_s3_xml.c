/* Specification of the S3 XML parsers (src/s3/s3_xml.c): ListObjectsV2 pages and
 * Error documents as S3-compatible servers send them; malformed or hostile XML gives
 * a clean PP_EPROTO; every truncated prefix of a valid body is a clean error (never a
 * crash, never a half-filled page). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/error.h"
#include "s3/s3_xml.h"

static const char PAGE_TRUNCATED[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
    "<Name>pinpipe-lake</Name><Prefix>raw/</Prefix><KeyCount>3</KeyCount><MaxKeys>3</MaxKeys>"
    "<ContinuationToken>tok0</ContinuationToken>"
    "<IsTruncated>true</IsTruncated>"
    "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
    "<Contents><Key>raw/dt=2024-01-01/pins-0-0.jsonl</Key>"
    "<LastModified>2024-01-02T03:04:05.000Z</LastModified>"
    "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>1048576</Size>"
    "<StorageClass>STANDARD</StorageClass></Contents>\n"
    "  <Contents>\n    <Key>raw/a &amp; b &lt;c&gt; &quot;q&quot; &apos;s&apos; &#x20AC;</Key>\n"
    "    <Size>0</Size>\n  </Contents>\n"
    "<Contents><Key>raw/\xc3\xbcnic\xc3\xb6"
    "de/\xe6\x97\xa5\xe6\x9c\xac.txt</Key>"
    "<Owner><ID>x</ID><DisplayName>y</DisplayName></Owner>"
    "<Size>9223372036854775807</Size></Contents>"
    "</ListBucketResult>\n";

static const char PAGE_LAST[] = "<ListBucketResult><IsTruncated>false</IsTruncated>"
                                "<Contents><Key>only</Key><Size>5</Size></Contents></ListBucketResult>";

static const char PAGE_EMPTY[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                                 "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name>"
                                 "<Prefix>nothing/</Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys>"
                                 "<IsTruncated>false</IsTruncated></ListBucketResult>";

static const char PAGE_PREFIXES[] =
    "<ListBucketResult><IsTruncated>false</IsTruncated><Delimiter>/</Delimiter>"
    "<Contents><Key>raw/top.txt</Key><Size>1</Size></Contents>"
    "<CommonPrefixes><Prefix>raw/dt=2024-01-01/</Prefix></CommonPrefixes>"
    "<CommonPrefixes><Prefix>raw/dt=2024-01-02/</Prefix></CommonPrefixes></ListBucketResult>";

static const char ERROR_DOC[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<Error><Code>SignatureDoesNotMatch</Code>"
    "<Message>The request signature we calculated does not match the signature you provided. "
    "Check your key and signing method.</Message>"
    "<Resource>/pinpipe-lake/a&amp;b</Resource><RequestId>4442587FB7D0A2F9</RequestId>"
    "<HostId>abc</HostId></Error>";

static void parses_a_truncated_page(void **state) {
    (void)state;
    s3_list_page p;
    char err[256];
    assert_int_equal(s3_xml_parse_list(PAGE_TRUNCATED, strlen(PAGE_TRUNCATED), &p, err, sizeof err), PP_OK);
    assert_int_equal(p.n_entries, 3);
    assert_true(p.is_truncated);
    assert_string_equal(p.next_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
    assert_string_equal(p.entries[0].key, "raw/dt=2024-01-01/pins-0-0.jsonl");
    assert_int_equal(p.entries[0].size, 1048576);
    assert_string_equal(p.entries[0].etag, "\"9b2cf535f27731c974343645a3985328\"");
    assert_string_equal(p.entries[0].last_modified, "2024-01-02T03:04:05.000Z");
    /* entities and character references are decoded; whitespace around is not the key's */
    assert_string_equal(p.entries[1].key, "raw/a & b <c> \"q\" 's' \xe2\x82\xac");
    assert_int_equal(p.entries[1].size, 0);
    assert_null(p.entries[1].etag);
    assert_null(p.entries[1].last_modified);
    /* UTF-8 keys come through byte for byte; nested unknown elements are ignored */
    assert_string_equal(p.entries[2].key,
                        "raw/\xc3\xbcnic\xc3\xb6"
                        "de/\xe6\x97\xa5\xe6\x9c\xac.txt");
    assert_int_equal(p.entries[2].size, 9223372036854775807LL);
    assert_int_equal(p.n_prefixes, 0);
    s3_list_page_free(&p);
    assert_null(p.entries); /* freeing leaves an empty page; freeing twice is harmless */
    s3_list_page_free(&p);
}

static void parses_last_empty_and_prefixed_pages(void **state) {
    (void)state;
    s3_list_page p;
    char err[256];
    assert_int_equal(s3_xml_parse_list(PAGE_LAST, strlen(PAGE_LAST), &p, err, sizeof err), PP_OK);
    assert_false(p.is_truncated);
    assert_null(p.next_token);
    assert_int_equal(p.n_entries, 1);
    assert_string_equal(p.entries[0].key, "only");
    s3_list_page_free(&p);

    assert_int_equal(s3_xml_parse_list(PAGE_EMPTY, strlen(PAGE_EMPTY), &p, err, sizeof err), PP_OK);
    assert_int_equal(p.n_entries, 0);
    assert_int_equal(p.n_prefixes, 0);
    assert_false(p.is_truncated);
    s3_list_page_free(&p);

    assert_int_equal(s3_xml_parse_list(PAGE_PREFIXES, strlen(PAGE_PREFIXES), &p, err, sizeof err), PP_OK);
    assert_int_equal(p.n_entries, 1);
    assert_int_equal(p.n_prefixes, 2);
    assert_string_equal(p.common_prefixes[0], "raw/dt=2024-01-01/");
    assert_string_equal(p.common_prefixes[1], "raw/dt=2024-01-02/");
    s3_list_page_free(&p);
}

static void parses_many_entries(void **state) {
    (void)state;
    enum { N = 1000 };
    size_t cap = 64 * N + 128, len = 0;
    char *xml = malloc(cap);
    len += (size_t)snprintf(xml + len, cap - len, "<ListBucketResult>");
    for (int i = 0; i < N; i++)
        len += (size_t)snprintf(xml + len, cap - len, "<Contents><Key>k/%04d</Key><Size>%d</Size></Contents>", i, i);
    len += (size_t)snprintf(xml + len, cap - len, "<IsTruncated>false</IsTruncated></ListBucketResult>");
    s3_list_page p;
    char err[256];
    assert_int_equal(s3_xml_parse_list(xml, len, &p, err, sizeof err), PP_OK);
    assert_int_equal(p.n_entries, N);
    for (int i = 0; i < N; i++) {
        char want[16];
        snprintf(want, sizeof want, "k/%04d", i);
        assert_string_equal(p.entries[i].key, want);
        assert_int_equal(p.entries[i].size, i);
    }
    s3_list_page_free(&p);
    free(xml);
}

static void parses_an_error_document(void **state) {
    (void)state;
    s3_error_info e;
    char err[256];
    assert_int_equal(s3_xml_parse_error(ERROR_DOC, strlen(ERROR_DOC), &e, err, sizeof err), PP_OK);
    assert_string_equal(e.code, "SignatureDoesNotMatch");
    assert_string_equal(e.message,
                        "The request signature we calculated does not match the signature you "
                        "provided. Check your key and signing method.");
    assert_string_equal(e.request_id, "4442587FB7D0A2F9");
    assert_string_equal(e.resource, "/pinpipe-lake/a&b");

    static const char minimal[] = "<Error><Code>NoSuchKey</Code></Error>";
    assert_int_equal(s3_xml_parse_error(minimal, strlen(minimal), &e, err, sizeof err), PP_OK);
    assert_string_equal(e.code, "NoSuchKey");
    assert_string_equal(e.message, "");
}

static void long_error_values_are_truncated_not_overflowed(void **state) {
    (void)state;
    char xml[8192];
    char big[3000];
    memset(big, 'M', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    snprintf(xml, sizeof xml, "<Error><Code>%s</Code><Message>%s</Message></Error>", big, big);
    s3_error_info e;
    char err[256];
    assert_int_equal(s3_xml_parse_error(xml, strlen(xml), &e, err, sizeof err), PP_OK);
    assert_int_equal(strlen(e.code), sizeof e.code - 1);
    assert_int_equal(strlen(e.message), sizeof e.message - 1);
}

static void rejects_malformed_and_unexpected_xml(void **state) {
    (void)state;
    static const struct {
        const char *xml;
        const char *err_has;
    } lists[] = {
        {"", "no element found"},
        {"not xml at all", "syntax error"},
        {"<ListBucketResult><Contents><Key>a</Key></ListBucketResult>", "mismatched tag"},
        {"<Error><Code>X</Code></Error>", "unexpected root element <Error>"},
        {"<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>", "without <Key>"},
        {"<ListBucketResult><Contents><Key>a</Key><Size>-1</Size></Contents></ListBucketResult>", "bad <Size>"},
        {"<ListBucketResult><Contents><Key>a</Key><Size>12x</Size></Contents></ListBucketResult>", "bad <Size>"},
        {"<ListBucketResult><Contents><Key>a</Key><Size></Size></Contents></ListBucketResult>", "bad <Size>"},
        {"<ListBucketResult><Contents><Key>a</Key><Size>99999999999999999999</Size></Contents></ListBucketResult>",
         "bad <Size>"},
        {"<ListBucketResult><IsTruncated>yes</IsTruncated></ListBucketResult>", "bad <IsTruncated>"},
        {"<ListBucketResult><Key>&bogus;</Key></ListBucketResult>", "undefined entity"},
        {"<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
         "<ListBucketResult><Contents><Key>&b;</Key></Contents></ListBucketResult>",
         "DOCTYPE"},
        {"<ListBucketResult></ListBucketResult><extra/>", "junk after document element"},
        {"<ListBucketResult>\xff\xfe</ListBucketResult>", "not well-formed"},
    };
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        s3_list_page p;
        char err[256] = "";
        int rc = s3_xml_parse_list(lists[i].xml, strlen(lists[i].xml), &p, err, sizeof err);
        if (rc != PP_EPROTO || !strstr(err, lists[i].err_has))
            fail_msg("case %zu: rc %d err '%s', want EPROTO with '%s'", i, rc, err, lists[i].err_has);
        assert_null(p.entries);
        assert_int_equal(p.n_entries, 0);
        s3_list_page_free(&p);
    }
    s3_error_info e;
    char err[256];
    assert_int_equal(s3_xml_parse_error(PAGE_LAST, strlen(PAGE_LAST), &e, err, sizeof err), PP_EPROTO);
    assert_string_equal(e.code, "");
    assert_int_equal(s3_xml_parse_error("<Error><Code>", 13, &e, err, sizeof err), PP_EPROTO);
}

static void deep_nesting_is_refused(void **state) {
    (void)state;
    char xml[4096] = "<ListBucketResult>";
    for (int i = 0; i < 40; i++) strcat(xml, "<a>");
    for (int i = 0; i < 40; i++) strcat(xml, "</a>");
    strcat(xml, "</ListBucketResult>");
    s3_list_page p;
    char err[256];
    assert_int_equal(s3_xml_parse_list(xml, strlen(xml), &p, err, sizeof err), PP_EPROTO);
    assert_non_null(strstr(err, "nested too deeply"));
}

/* Truncated bodies (a connection cut mid-response): a clean error for every prefix
 * that does not hold the whole root element, success from there on. */
static void every_truncated_prefix_is_a_clean_error(void **state) {
    (void)state;
    const char *docs[] = {PAGE_TRUNCATED, PAGE_EMPTY, PAGE_PREFIXES};
    for (size_t d = 0; d < sizeof docs / sizeof docs[0]; d++) {
        const char *xml = docs[d];
        size_t full = strlen(xml);
        size_t complete = (size_t)(strstr(xml, "</ListBucketResult>") - xml) + strlen("</ListBucketResult>");
        for (size_t len = 0; len <= full; len++) {
            char *copy = malloc(len ? len : 1); /* exact size: ASan sees any over-read */
            memcpy(copy, xml, len);
            s3_list_page p;
            char err[256] = "";
            int rc = s3_xml_parse_list(copy, len, &p, err, sizeof err);
            if (len >= complete) {
                if (rc != PP_OK) fail_msg("doc %zu prefix %zu: rc %d (%s)", d, len, rc, err);
            } else {
                if (rc != PP_EPROTO || !err[0] || p.n_entries || p.entries)
                    fail_msg("doc %zu prefix %zu: rc %d, %zu entries", d, len, rc, p.n_entries);
            }
            s3_list_page_free(&p);
            free(copy);
        }
    }
    size_t full = strlen(ERROR_DOC);
    for (size_t len = 0; len < full; len++) {
        char *copy = malloc(len ? len : 1);
        memcpy(copy, ERROR_DOC, len);
        s3_error_info e;
        char err[256] = "";
        assert_int_equal(s3_xml_parse_error(copy, len, &e, err, sizeof err), PP_EPROTO);
        assert_string_equal(e.code, "");
        free(copy);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_a_truncated_page),
        cmocka_unit_test(parses_last_empty_and_prefixed_pages),
        cmocka_unit_test(parses_many_entries),
        cmocka_unit_test(parses_an_error_document),
        cmocka_unit_test(long_error_values_are_truncated_not_overflowed),
        cmocka_unit_test(rejects_malformed_and_unexpected_xml),
        cmocka_unit_test(deep_nesting_is_refused),
        cmocka_unit_test(every_truncated_prefix_is_a_clean_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
