/* api_respond — queue an answer on an MHD connection (the one place responses are
 * built, so every answer gets the same headers).
 *
 * Ownership: the body's memory is taken over (the strbuf is left empty); MHD frees it
 * once the response is sent.
 */
#ifndef PINPIPE_API_RESPOND_H
#define PINPIPE_API_RESPOND_H

#include <microhttpd.h>

#include "common/strbuf.h"

#define PP_API_JSON "application/json"

/* Queues `status` with body (Content-Type content_type), extra headers given as a
 * NULL-terminated flat list {"Name", "value", ..., NULL} (may be NULL), and
 * `Connection: close` when close_conn. Returns MHD's result (MHD_NO: the connection
 * is closed). */
enum MHD_Result pp_api_respond(struct MHD_Connection *c, unsigned status, pp_strbuf *body, const char *content_type,
                               const char *const *headers, int close_conn);

/* pp_api_respond with the body {"detail":MSG} as JSON. */
enum MHD_Result pp_api_respond_detail(struct MHD_Connection *c, unsigned status, const char *msg,
                                      const char *const *headers, int close_conn);

#endif
