#include "pg/pg_copy_binary.h"

#include <string.h>

#include "common/error.h"

#define TEXT_OID 25 /* pg_type.oid of text: an array names its element type */

static void put_u16(pp_strbuf *sb, uint16_t v) {
    char b[2] = {(char)(v >> 8), (char)v};
    pp_sb_append(sb, b, 2);
}

static void put_u32(pp_strbuf *sb, uint32_t v) {
    char b[4] = {(char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v};
    pp_sb_append(sb, b, 4);
}

static void put_u64(pp_strbuf *sb, uint64_t v) {
    put_u32(sb, (uint32_t)(v >> 32));
    put_u32(sb, (uint32_t)v);
}

void pp_pg_bin_header(pp_strbuf *sb) {
    static const char sig[11] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', '\377', '\r', '\n', '\0'};
    pp_sb_append(sb, sig, sizeof sig);
    put_u32(sb, 0); /* flags: no OIDs */
    put_u32(sb, 0); /* no header extension */
}

void pp_pg_bin_trailer(pp_strbuf *sb) { put_u16(sb, 0xffff); }

void pp_pg_bin_row(pp_strbuf *sb, int nfields) { put_u16(sb, (uint16_t)nfields); }

void pp_pg_bin_null(pp_strbuf *sb) { put_u32(sb, 0xffffffffu); }

int pp_pg_bin_text(pp_strbuf *sb, const char *v, size_t len) {
    if (memchr(v, '\0', len)) return PP_EINVAL;
    put_u32(sb, (uint32_t)len);
    pp_sb_append(sb, v, len);
    return PP_OK;
}

void pp_pg_bin_int8(pp_strbuf *sb, int64_t v) {
    put_u32(sb, 8);
    put_u64(sb, (uint64_t)v);
}

void pp_pg_bin_int4(pp_strbuf *sb, int32_t v) {
    put_u32(sb, 4);
    put_u32(sb, (uint32_t)v);
}

void pp_pg_bin_bool(pp_strbuf *sb, int v) {
    put_u32(sb, 1);
    pp_sb_putc(sb, v ? 1 : 0);
}

void pp_pg_bin_date(pp_strbuf *sb, int32_t days) {
    put_u32(sb, 4);
    put_u32(sb, (uint32_t)days);
}

void pp_pg_bin_timestamptz(pp_strbuf *sb, int64_t us) {
    put_u32(sb, 8);
    put_u64(sb, (uint64_t)us);
}

void pp_pg_bin_text_array(pp_strbuf *sb, const char *const *list, size_t n) {
    size_t len = n ? 20 : 12; /* ndim, flags, element type; one dimension's size and lower bound */
    for (size_t i = 0; i < n; i++) len += 4 + strlen(list[i]);
    put_u32(sb, (uint32_t)len);
    put_u32(sb, n ? 1 : 0); /* dimensions */
    put_u32(sb, 0);         /* no NULL element */
    put_u32(sb, TEXT_OID);
    if (n) {
        put_u32(sb, (uint32_t)n);
        put_u32(sb, 1); /* lower bound */
    }
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(list[i]);
        put_u32(sb, (uint32_t)l);
        pp_sb_append(sb, list[i], l);
    }
}
