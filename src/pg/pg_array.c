#include "pg/pg_array.h"

#include "common/error.h"

void pp_pg_array_open(pp_strbuf *sb) { pp_sb_putc(sb, '{'); }

/* A comma unless the element is the first since '{'. */
static void separate(pp_strbuf *sb) {
    if (sb->len && sb->data[sb->len - 1] != '{') pp_sb_putc(sb, ',');
}

int pp_pg_array_text(pp_strbuf *sb, const char *v, size_t len) {
    separate(sb);
    pp_sb_reserve(sb, len + 3);
    pp_sb_putc(sb, '"');
    size_t from = 0;
    for (size_t i = 0; i < len; i++) {
        if (v[i] == '\0') return PP_EINVAL;
        if (v[i] != '"' && v[i] != '\\') continue;
        pp_sb_append(sb, v + from, i - from);
        pp_sb_putc(sb, '\\');
        from = i;
    }
    pp_sb_append(sb, v + from, len - from);
    pp_sb_putc(sb, '"');
    return PP_OK;
}

void pp_pg_array_int(pp_strbuf *sb, int64_t v) {
    separate(sb);
    pp_sb_put_i64(sb, v);
}

void pp_pg_array_close(pp_strbuf *sb) { pp_sb_putc(sb, '}'); }
