#include "api/api_validate.h"

#include <string.h>

#include "api/api_reply.h"
#include "common/error.h"

/* Not JSON, or not UTF-8: 400; JSON failing the model: 422. */
static unsigned refused(pp_event_status st) {
    return st == PP_EVENT_INVALID_JSON || st == PP_EVENT_INVALID_UTF8 ? 400 : 422;
}

unsigned pp_api_validate(pp_api_body *b, pp_kind k, const char *body, size_t len, pp_strbuf *answer) {
    memset(b, 0, sizeof *b);
    b->kind = k;
    if (len == 0) {
        pp_api_reply_body_missing(answer);
        return 422;
    }
    b->parsed = 1;
    unsigned code;
    if (k == PP_KIND_PIN) {
        if (pp_event_parse(&b->pin, body, len, NULL, 0) == PP_OK) {
            pp_api_reply_echo(answer, &b->pin);
            return 200;
        }
        code = refused(b->pin.status);
        if (code == 422) pp_api_reply_invalid(answer, &b->pin, len);
    } else {
        if (pp_kind_event_parse(&b->other, k, body, len, NULL, 0) == PP_OK) {
            pp_api_reply_kind_echo(answer, &b->other);
            return 200;
        }
        code = refused(b->other.status);
        if (code == 422) pp_api_reply_kind_invalid(answer, &b->other, len);
    }
    if (code == 400) pp_api_reply_json_invalid(answer, body, len);
    return code;
}

void pp_api_body_message(const pp_api_body *b, pp_message *m, const char *topic, const char *body, size_t len,
                         int64_t ingest_ms) {
    if (b->kind == PP_KIND_PIN) {
        pp_message_build(m, topic, body, len, &b->pin, ingest_ms);
        return;
    }
    int ind = b->kind == PP_KIND_GEO ? (int)PP_GEO_IND : (int)PP_USER_IND;
    pp_message_build_kind(m, b->kind, topic, body, len, b->other.present[ind], b->other.i[ind], ingest_ms);
}

void pp_api_body_clear(pp_api_body *b) {
    if (!b->parsed) return;
    if (b->kind == PP_KIND_PIN)
        pp_event_clear(&b->pin);
    else
        pp_kind_event_clear(&b->other);
    b->parsed = 0;
}
