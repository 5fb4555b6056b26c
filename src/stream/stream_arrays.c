#include "stream/stream_arrays.h"

#include <string.h>

#include "event/event_time.h"
#include "pg/pg_array.h"

/* A comma unless the element is the first since '{' (as pg_array.c). */
static void separate(pp_strbuf *sb) {
    if (sb->len && sb->data[sb->len - 1] != '{') pp_sb_putc(sb, ',');
}

void pp_stream_array_null(pp_strbuf *sb) {
    separate(sb);
    pp_sb_puts(sb, "NULL");
}

void pp_stream_array_double(pp_strbuf *sb, double v) {
    separate(sb);
    pp_sb_printf(sb, "%.17g", v);
}

void pp_stream_array_time(pp_strbuf *sb, int64_t ms) {
    if (ms < 0) {
        pp_stream_array_null(sb);
        return;
    }
    char iso[25];
    pp_event_time_iso(ms, iso);
    separate(sb);
    pp_sb_puts(sb, iso);
}

int pp_stream_array_text_or_null(pp_strbuf *sb, const char *v) {
    if (!v) {
        pp_stream_array_null(sb);
        return 0;
    }
    return pp_pg_array_text(sb, v, strlen(v));
}
