/* s3_xml — parses the XML bodies S3 answers with (expat): a ListObjectsV2 page and an
 * Error document. Pure functions over a complete body; thread-safe.
 *
 * Input is the whole response body (S3 list pages are at most ~1000 keys, error bodies
 * a few hundred bytes). Malformed, truncated or unexpected XML (wrong root element,
 * a DOCTYPE, a non-numeric <Size>) gives PP_EPROTO and a message; nothing is half
 * filled: on error the output is left empty (no need to free it, freeing is harmless).
 *
 * Ownership: the page owns every string and array in it; s3_list_page_free releases
 * them. s3_error_info is fixed-size (values are truncated to fit).
 */
#ifndef PINPIPE_S3_XML_H
#define PINPIPE_S3_XML_H

#include <stddef.h>

typedef struct {
    char *key;           /* UTF-8, entities decoded */
    long long size;      /* -1 when the element is missing */
    char *etag;          /* as sent (usually quoted), or NULL */
    char *last_modified; /* ISO 8601 as sent, or NULL */
} s3_list_entry;

typedef struct {
    s3_list_entry *entries; /* n_entries of them, in server order */
    size_t n_entries;
    char **common_prefixes; /* with a delimiter: the "directories"; n_prefixes of them */
    size_t n_prefixes;
    int is_truncated; /* 1: more pages follow, ask again with next_token */
    char *next_token; /* NextContinuationToken, or NULL */
} s3_list_page;

typedef struct {
    char code[128]; /* e.g. "SignatureDoesNotMatch"; "" when absent */
    char message[1024];
    char request_id[128];
    char resource[512];
} s3_error_info;

int s3_xml_parse_list(const char *xml, size_t len, s3_list_page *out, char *err, size_t errlen);
void s3_list_page_free(s3_list_page *page);

int s3_xml_parse_error(const char *xml, size_t len, s3_error_info *out, char *err, size_t errlen);

#endif
