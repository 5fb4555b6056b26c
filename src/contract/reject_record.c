#include "contract/reject_record.h"

#include <string.h>

#include "event/kind_event.h"

void pp_reject_json_open(const pp_reject *rej, pp_strbuf *out) {
    pp_sb_puts(out, "{\"reason\":");
    pp_sb_json_cstr(out, rej->reason);
    pp_sb_puts(out, ",\"detail\":");
    pp_sb_json_cstr(out, rej->detail);
    pp_sb_puts(out, ",\"day\":");
    pp_sb_json_cstr(out, rej->day[0] ? rej->day : NULL);
    if (rej->kind != PP_KIND_PIN) { /* a pin's reject keeps its old form */
        pp_sb_puts(out, ",\"kind\":");
        pp_sb_json_cstr(out, pp_kind_name(rej->kind));
    }
    pp_sb_puts(out, ",\"errors\":[");
    for (size_t i = 0; i < rej->n_errors; i++) {
        const pp_field_error *e = &rej->errors[i];
        const char *field = pp_kind_field_name(rej->kind, (int)e->field);
        if (i) pp_sb_putc(out, ',');
        pp_sb_puts(out, "{\"field\":");
        pp_sb_json_cstr(out, strcmp(field, "body") == 0 ? NULL : field); /* null: the body as a whole */
        pp_sb_puts(out, ",\"type\":");
        pp_sb_json_cstr(out, e->type);
        pp_sb_puts(out, ",\"msg\":");
        pp_sb_json_cstr(out, e->msg);
        pp_sb_putc(out, '}');
    }
    pp_sb_putc(out, ']');
}

void pp_reject_json_raw(const char *buf, size_t len, pp_strbuf *out) { pp_sb_json_bytes_member(out, "raw", buf, len); }

void pp_reject_row_fill(pp_reject_row *row, const pp_reject *rej, const char *raw, size_t raw_len, int force_base64,
                        pp_strbuf *errors, pp_strbuf *b64) {
    pp_sb_reset(errors);
    pp_reject_json_open(rej, errors);
    pp_sb_putc(errors, '}');
    pp_sb_reset(b64);
    int text = !force_base64 && pp_utf8_valid(raw, raw_len) && !memchr(raw, '\0', raw_len);
    if (!text) pp_sb_base64(b64, raw, raw_len);
    *row = (pp_reject_row){.errors = errors->data,
                           .errors_len = errors->len,
                           .raw = text ? raw : NULL,
                           .raw_len = text ? raw_len : 0,
                           .raw_base64 = text ? NULL
                               : b64->data    ? b64->data
                                              : "",
                           .raw_base64_len = b64->len};
}
