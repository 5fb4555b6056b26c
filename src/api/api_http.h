/* api_http — small HTTP header checks of the ingest API (pure functions, no MHD).
 */
#ifndef PINPIPE_API_HTTP_H
#define PINPIPE_API_HTTP_H

#include <stddef.h>
#include <stdint.h>

/* Does a Content-Type header value announce a JSON body?
 *   NULL (no header)                         yes: FastAPI parses such a body as JSON
 *   application/json, application/<x>+json   yes, any case, optional spaces
 *   ...; charset=utf-8 (quoted or not)       yes; other parameters are ignored
 *   ...; charset=<anything but utf-8>        no: JSON is UTF-8 (RFC 8259)
 *   anything else, or a malformed value      no (the API answers 415)
 */
int pp_api_content_type_is_json(const char *value);

/* Parses a Content-Length value: decimal digits only (surrounding spaces allowed),
 * no sign, at most 2^63-1. Returns 0 or PP_EINVAL. */
int pp_api_parse_content_length(const char *value, uint64_t *out);

/* One header field of a request, as received. */
typedef struct {
    const char *name;
    const char *value;
} pp_api_header;

/* Request framing the API refuses with 400 before reading any body, because the
 * body's length (or type) would be ambiguous — what request smuggling through a proxy
 * relies on (RFC 9112 6.1, 6.3). Given every header field of the request, returns
 * NULL when the framing is clear, else the reason:
 *   two Content-Length fields with different values (equal repeats are allowed)
 *   Content-Length together with Transfer-Encoding
 *   Transfer-Encoding other than exactly "chunked" (one field, any case)
 *   two Content-Type fields (even equal ones)
 * Names compare without regard to case. */
const char *pp_api_framing_problem(const pp_api_header *h, size_t n);

#endif
