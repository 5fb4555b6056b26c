#include "lake/lake_line.h"

#include "clean/clean.h"

void pp_lake_line_append(pp_strbuf *out, const pp_kafka_message *m, int64_t ingest_time_ms) {
    pp_sb_puts(out, "{\"topic\":");
    pp_sb_json_cstr(out, m->topic ? m->topic : "");
    pp_sb_puts(out, ",\"partition\":");
    pp_sb_put_i64(out, m->partition);
    pp_sb_puts(out, ",\"offset\":");
    pp_sb_put_i64(out, m->offset);
    pp_sb_puts(out, ",\"ingest_time\":");
    if (ingest_time_ms >= 0)
        pp_sb_put_i64(out, ingest_time_ms);
    else
        pp_sb_puts(out, "null");
    if (!m->key) {
        pp_sb_puts(out, ",\"key\":null");
    } else if (pp_utf8_valid(m->key, m->key_len)) {
        pp_sb_puts(out, ",\"key\":");
        pp_sb_json_str(out, m->key, m->key_len);
    } else {
        pp_sb_puts(out, ",\"key_base64\":\"");
        pp_sb_base64(out, m->key, m->key_len);
        pp_sb_putc(out, '"');
    }
    pp_reject_json_raw(m->value ? (const char *)m->value : "", m->value_len, out);
    pp_sb_puts(out, "}\n");
}
