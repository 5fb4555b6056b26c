/* api_http — small HTTP header checks of the ingest API (pure functions, no MHD).
 */
#ifndef PINPIPE_API_HTTP_H
#define PINPIPE_API_HTTP_H

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

#endif
