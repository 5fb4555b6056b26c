#include "api/api_respond.h"

#include <stdlib.h>

#include "api/api_reply.h"

enum MHD_Result pp_api_respond(struct MHD_Connection *c, unsigned status, pp_strbuf *body, const char *content_type,
                               const char *const *headers, int close_conn) {
    size_t len = body->len;
    char *data = pp_sb_steal(body);
    struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(data);
        return MHD_NO;
    }
    enum MHD_Result ok = MHD_YES;
    if (content_type && MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type) != MHD_YES) ok = MHD_NO;
    for (size_t i = 0; ok == MHD_YES && headers && headers[i]; i += 2)
        if (MHD_add_response_header(r, headers[i], headers[i + 1]) != MHD_YES) ok = MHD_NO;
    if (ok == MHD_YES && close_conn && MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close") != MHD_YES)
        ok = MHD_NO;
    if (ok == MHD_YES) ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

enum MHD_Result pp_api_respond_detail(struct MHD_Connection *c, unsigned status, const char *msg,
                                      const char *const *headers, int close_conn) {
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_api_reply_detail(&sb, msg);
    return pp_api_respond(c, status, &sb, PP_API_JSON, headers, close_conn);
}
