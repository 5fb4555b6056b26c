/* fuzz_s3_xml — the parsers of S3's XML answers (src/s3/s3_xml.h): a ListObjectsV2
 * page and an Error document, that is, what an object store (or anything at its
 * address) can send us.
 *
 * Input: one response body, given to both parsers.
 * Properties, for every input:
 *   - neither parser crashes, leaks or reads out of bounds;
 *   - a page that parses holds what it says: n_entries entries, each with a key,
 *     n_prefixes prefixes; on an error the page is left empty (the header's promise:
 *     "nothing is half filled");
 *   - the error fields are NUL-terminated within their arrays.
 */
#include <stdint.h>
#include <string.h>

#include "common/error.h"
#include "common/log.h"
#include "fuzz_support.h"
#include "s3/s3_xml.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    pp_log_set_level(PP_LOG_ERROR);
    return 0;
}

static void check_page(const s3_list_page *page, int rc) {
    if (rc != PP_OK) {
        FUZZ_CHECK(!page->entries && !page->n_entries && !page->common_prefixes && !page->n_prefixes &&
                       !page->next_token,
                   "a page that failed to parse is half filled");
        return;
    }
    FUZZ_CHECK(!page->n_entries || page->entries, "%zu entries, no array", page->n_entries);
    for (size_t i = 0; i < page->n_entries; i++) {
        const s3_list_entry *e = &page->entries[i];
        FUZZ_CHECK(e->key != NULL, "entry %zu has no key", i);
        FUZZ_CHECK(e->size >= -1, "entry %zu has size %lld", i, e->size);
        (void)strlen(e->key);
        if (e->etag) (void)strlen(e->etag);
        if (e->last_modified) (void)strlen(e->last_modified);
    }
    FUZZ_CHECK(!page->n_prefixes || page->common_prefixes, "%zu prefixes, no array", page->n_prefixes);
    for (size_t i = 0; i < page->n_prefixes; i++) {
        FUZZ_CHECK(page->common_prefixes[i] != NULL, "prefix %zu is NULL", i);
        (void)strlen(page->common_prefixes[i]);
    }
    if (page->next_token) (void)strlen(page->next_token);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *xml = (const char *)data;
    char err[512];
    s3_list_page page;
    memset(&page, 0, sizeof page);
    int rc = s3_xml_parse_list(xml, size, &page, err, sizeof err);
    check_page(&page, rc);
    s3_list_page_free(&page);

    s3_error_info info;
    memset(&info, 0xA5, sizeof info);
    if (s3_xml_parse_error(xml, size, &info, err, sizeof err) == PP_OK) {
        FUZZ_CHECK(memchr(info.code, 0, sizeof info.code) && memchr(info.message, 0, sizeof info.message) &&
                       memchr(info.request_id, 0, sizeof info.request_id) &&
                       memchr(info.resource, 0, sizeof info.resource),
                   "an error field is not NUL-terminated");
    }
    return 0;
}
